"""No secret from the environment ever shows: not in logs, errors, the web UI, or exports.

A whole run, the way an operator's cron job runs it: FRAMEWATCH_DB holds a PostgreSQL URL with a
password, and every notification channel (Slack, email, webhook with an HMAC secret) gets its
secrets from environment variables — and every one of them fails: the Slack endpoint answers
403 and echoes the token back, the SMTP and webhook ports refuse connections. A source fails
too. Then every output a person or a script can see is collected — stdout and stderr of the
run, every log record at DEBUG, every exporting CLI command, every text column of the database,
every page and API answer of the web UI — and searched for each secret.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultserver import FaultServer, Page, Status, unused_port
from sqlalchemy import text as sql

from framewatch.cli import main
from storage.db import open_database

SMTP_PASSWORD = "smtp-Pw-9f3Kq7zR"
SMTP_USER = "smtp-user-Xy81"
SLACK_TOKEN = "sl4ckT0ken0aZ5"
WEBHOOK_TOKEN = "h00kT0ken-Lm2P"
HMAC_SECRET = "hmac-S3cret-Qq4"
DB_PASSWORD = "dbPa55-Zx7Yw"


def page(sentence: str) -> str:
    return (f"<html><body><main><h1>Responsible Scaling Policy</h1><p>{sentence}</p>"
            "</main></body></html>")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.fixture
def secret_env(server: FaultServer, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Set every secret the way an operator would; returns the database URL (with password)."""
    slack_path = f"/services/T000/B000/{SLACK_TOKEN}"
    # A hostile (or just chatty) endpoint that echoes the secret URL in its error.
    server.route(slack_path, Status(403, f"invalid_token for {server.url(slack_path)}"))
    monkeypatch.setenv("FRAMEWATCH_SLACK_WEBHOOK_URL", server.url(slack_path))
    monkeypatch.setenv("FRAMEWATCH_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("FRAMEWATCH_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("FRAMEWATCH_WEBHOOK_URL",
                       f"http://127.0.0.1:{unused_port()}/hooks/{WEBHOOK_TOKEN}")
    monkeypatch.setenv("FRAMEWATCH_WEBHOOK_SECRET", HMAC_SECRET)
    db_url = pg_url.replace("postgres@", f"postgres:{DB_PASSWORD}@", 1)
    assert DB_PASSWORD in db_url
    monkeypatch.setenv("FRAMEWATCH_DB", db_url)
    return db_url


def write_config(path: Path, server: FaultServer) -> Path:
    cfg = path / "sources.toml"
    cfg.write_text(f"""
[settings]
allow_private = true
retries = 0
backoff = 0.01
connect_timeout = 0.5
read_timeout = 1
total_timeout = 3
workers = 1

[notify.slack]
webhook_url_env = "FRAMEWATCH_SLACK_WEBHOOK_URL"
timeout = 2

[notify.email]
smtp_host = "127.0.0.1"
smtp_port = {unused_port()}
security = "none"
username_env = "FRAMEWATCH_SMTP_USER"
password_env = "FRAMEWATCH_SMTP_PASSWORD"
from = "framewatch@example.org"
to = "watchers@example.org"
timeout = 2

[notify.hook]
kind = "webhook"
url_env = "FRAMEWATCH_WEBHOOK_URL"
secret_env = "FRAMEWATCH_WEBHOOK_SECRET"
timeout = 2

[notify.maintainer]
kind = "webhook"
url_env = "FRAMEWATCH_WEBHOOK_URL"
secret_env = "FRAMEWATCH_WEBHOOK_SECRET"
timeout = 2

[[source]]
id = "policy"
company = "Example AI"
title = "Policy"
url = "{server.url('/policy')}"

[[source]]
id = "broken"
company = "Example AI"
title = "Broken"
url = "{server.url('/broken')}"
""")
    return cfg


SECRETS = (SMTP_PASSWORD, SMTP_USER, SLACK_TOKEN, WEBHOOK_TOKEN, HMAC_SECRET, DB_PASSWORD)


def leaks(haystack: str) -> list[str]:
    return [s for s in SECRETS if s in haystack]


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_no_secret_appears_anywhere_after_a_run_with_failing_channels_and_sources(
        server: FaultServer, tmp_path: Path, secret_env: str,
        capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    cfg = write_config(tmp_path, server)
    config = ["--config", str(cfg)]
    server.route("/policy", Page(page("We will pause training within 30 days.")))
    server.route("/broken", Status(500, "<h1>oops</h1>"))
    seen: dict[str, str] = {}

    code, seen["run 1"] = cli(["-vv", "run", *config], capsys)
    assert code == 1
    server.route("/policy", Page(page("We may pause training within 90 days.")))
    code, seen["run 2"] = cli(["-vv", "run", *config, "--format", "json"], capsys)
    assert code == 1
    report = json.loads(seen["run 2"][seen["run 2"].index("{"):].rsplit("}", 1)[0] + "}")
    assert report["changes"] == 1  # a change was found, so every channel was tried

    for args in (["changes", "--format", "json"], ["history", "--format", "json"],
                 ["sources", "list", "--format", "json"], ["sources", "list"],
                 ["show", "c1", "--format", "json"], ["deliveries"], ["db", "check"]):
        _code, seen[" ".join(args)] = cli([*args, *config], capsys)
    # The database URL is in the environment only; a bad one must not echo its password.
    bad_db = secret_env.replace("127.0.0.1:5432", f"127.0.0.1:{unused_port()}")
    code, seen["bad database"] = cli(["history", "--db", bad_db], capsys)
    assert code == 2 and "database error" in seen["bad database"]

    db = open_database(secret_env)
    with db.engine.connect() as conn:
        for table in ("checks", "deliveries", "changes", "sources", "versions"):
            rows = conn.execute(sql(f"SELECT * FROM {table}")).all()  # noqa: S608 - fixed names
            seen[f"table {table}"] = "\n".join(repr(tuple(r)) for r in rows)
        failed = conn.execute(sql("SELECT count(*) FROM deliveries WHERE last_error IS NOT NULL")
                              ).scalar()
    assert failed, "the channels were expected to fail and record why"

    from starlette.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(db)) as client:
        for path in ("/", "/sources/policy", "/sources/broken", "/changes/1", "/api/sources",
                     "/api/changes", "/api/sources/broken", "/feed.atom", "/search?q=pause",
                     "/versions/1", "/does-not-exist"):
            seen[f"web {path}"] = client.get(path).text
    db.dispose()

    seen["logs"] = "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}"
                             for r in caplog.records)
    assert seen["logs"], "DEBUG logging captured nothing"
    found = {where: leaks(text) for where, text in seen.items() if leaks(text)}
    assert found == {}, found
