"""Flapping (A → B → A): recorded, but alerted only as a low-severity `reverted` change that
names the version the text returned to."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultserver import FaultServer, Page

from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository

A = "<html><body><main><h2>4. Thresholds</h2><p>We will pause training within 30 days.</p></main></body></html>"
B = A.replace("will pause training within 30 days", "may pause training within 90 days")
C = A.replace("30 days", "45 days")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def config(tmp: Path, server: FaultServer, revert_window: int = 5) -> Path:
    cfg = tmp / "sources.toml"
    cfg.write_text(
        f"[settings]\nallow_private = true\nretries = 0\nrevert_window = {revert_window}\n\n"
        f'[[source]]\nid = "rsp"\ncompany = "Example AI"\ntitle = "RSP"\n'
        f'url = "{server.url("/rsp")}"\n')
    return cfg


def cycle(server: FaultServer, cfg: Path, db: str, html: str,
          capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    server.route("/rsp", Page(html))
    main(["-q", "run", "--config", str(cfg), "--db", db, "--format", "json", "--no-notify"])
    return json.loads(capsys.readouterr().out)["sources"][0]


def test_a_b_a_is_recorded_as_a_low_severity_revert_naming_the_version(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config(tmp_path, server)
    first = cycle(server, cfg, db_url, A, capsys)
    second = cycle(server, cfg, db_url, B, capsys)
    assert second["severity"] == "high"  # weakened commitment: the real news
    back = cycle(server, cfg, db_url, A, capsys)
    assert back["status"] == "changed" and back["severity"] == "low"
    repo = Repository(open_database(db_url))
    change = repo.get_change(back["change_id"])
    assert change is not None
    assert change.signals[0] == "reverted"
    assert f"Reverted to the text of version {first['version_id']}" in change.summary
    assert change.diff["reverted_to"] == first["version_id"]
    assert [v.kind for v in repo.history("rsp")] == ["reverted", "change", "first"]


def test_new_text_after_flapping_is_a_normal_change(server: FaultServer, tmp_path: Path,
                                                    db_url: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config(tmp_path, server)
    for html in (A, B, A):
        cycle(server, cfg, db_url, html, capsys)
    fresh = cycle(server, cfg, db_url, C, capsys)
    change = Repository(open_database(db_url)).get_change(fresh["change_id"])
    assert change is not None and "reverted" not in change.signals


def test_return_to_a_text_older_than_the_window_is_not_a_revert(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config(tmp_path, server, revert_window=1)
    for html in (A, B, C):
        cycle(server, cfg, db_url, html, capsys)
    back = cycle(server, cfg, db_url, A, capsys)  # A is 3 versions back; window is 1
    change = Repository(open_database(db_url)).get_change(back["change_id"])
    assert change is not None and "reverted" not in change.signals


def test_revert_is_routed_as_a_low_severity_change(server: FaultServer, tmp_path: Path,
                                                   db_url: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The router sees the change as low/reverted, so channels with min_severity above low
    never get an outbox row for flapping."""
    import asyncio

    from crawler.config import load_config
    from crawler.cycle import Cycle

    cfg = config(tmp_path, server)
    cycle(server, cfg, db_url, A, capsys)
    cycle(server, cfg, db_url, B, capsys)
    seen = []

    def router(_source: object, change: object) -> tuple[str, ...]:
        seen.append(change)
        return ()

    server.route("/rsp", Page(A))
    db = open_database(db_url)
    asyncio.run(Cycle(load_config(cfg), db, router=router).run())
    (change,) = seen
    assert change.severity == "low" and change.signals[0] == "reverted"  # type: ignore[attr-defined]
