"""A secret is scrubbed wherever a fragment of it is echoed, not only when the whole URL is.

A real local endpoint stands in for Slack and, like some proxies and API gateways, echoes only the
token segment of the webhook URL in its error body. The token must not appear in `run` output,
in `deliveries` (text and JSON), or in the stored `deliveries.last_error`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from faultserver import FaultServer, Page, Status
from sqlalchemy import text as sql
from test_crash_support import run, write_config

from notifier.channels import scrub, secret_parts
from storage.db import open_database

TOKEN = "xK9vQ2mN7pL4sR8tW1yZ3bC6"


@pytest.mark.parametrize("echo", [TOKEN, f"token={TOKEN[:10]}", f"...{TOKEN[5:17]}..."])
def test_an_echoed_token_segment_never_shows(echo: str, tmp_path: Path) -> None:
    with FaultServer() as server:
        hook = f"/services/T0001AAAA/B0002BBBB/{TOKEN}"
        server.route(hook, Status(403, f"invalid_token: {echo}"))
        server.route("/p", Page("<main><p>We will evaluate every model.</p></main>"))
        config = write_config(tmp_path, server.base_url, ["/p"])
        with config.open("a", encoding="utf-8") as fh:
            fh.write('\n[notify.slack]\nwebhook_url_env = "FW_TEST_SLACK"\n'
                     'min_severity = "none"\n')
        db = f"sqlite:///{tmp_path / 'fw.db'}"
        env = {"FW_TEST_SLACK": server.url(hook)}
        outputs = []
        for _ in range(2):
            outputs.append(run("run", "--config", str(config), "--db", db, cwd=tmp_path, **env))
            server.route("/p", Page("<main><p>We may evaluate some models.</p></main>"))
        for fmt in ("text", "json"):
            outputs.append(run("deliveries", "--all", "--format", fmt, "--config", str(config),
                               "--db", db, cwd=tmp_path, **env))
    assert len(server.requests_to(hook)) >= 1  # the endpoint was really called
    database = open_database(db, migrate=False)
    try:
        with database.engine.connect() as conn:
            errors = [r[0] for r in conn.execute(sql("SELECT last_error FROM deliveries"))]
    finally:
        database.dispose()
    assert any("HTTP 403" in (e or "") for e in errors), errors
    seen = "\n".join([o.stdout + o.stderr for o in outputs] + [e or "" for e in errors])
    for i in range(len(TOKEN) - 7):
        assert TOKEN[i:i + 8] not in seen, (TOKEN[i:i + 8], seen)


def test_scrub_removes_every_path_segment_query_value_and_long_fragment() -> None:
    url = "https://hooks.example.org/services/T0001AAAA/B0002BBBB/secrettoken123?sig=abcdef0123"
    parts = secret_parts((url,))
    assert {"T0001AAAA", "B0002BBBB", "secrettoken123", "abcdef0123"} <= set(parts)
    assert scrub("segment T0001AAAA and B0002BBBB", (url,)) == "segment *** and ***"
    assert scrub("sig abcdef0123 tok ttoken12", (url,)) == "sig *** tok ***"
    assert scrub("Connection refused", (url,)) == "Connection refused"
