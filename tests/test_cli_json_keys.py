"""The CLI's JSON speaks the JSON API's key names (``source_id``, ``old_version_id``,
``new_version_id``), and still carries the names it printed first, for existing scripts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cycle_support import run_json, write_config
from faultserver import FaultServer, Page
from starlette.testclient import TestClient

from framewatch.cli import main
from web.app import create_app


@pytest.fixture
def history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    with FaultServer() as server:
        db = f"sqlite:///{tmp_path / 'fw.db'}"
        cfg = write_config(tmp_path, server, [{"id": "p", "company": "C", "title": "T", "path": "/p"}])
        server.route("/p", Page("<main><p>We will pause training within 30 days.</p></main>"))
        run_json(cfg, db, capsys)
        server.route("/p", Page("<main><p>We may pause training within 90 days.</p></main>"))
        _, report = run_json(cfg, db, capsys)
        yield db, report


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    capsys.readouterr()
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_changes_json_has_the_api_keys_with_the_api_values(
        history: tuple[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    db, _ = history
    [cli] = cli_json(capsys, "changes", "--db", db)  # type: ignore[misc]
    with TestClient(create_app(db)) as client:
        [api] = client.get("/api/changes").json()
    for key in ("id", "source_id", "old_version_id", "new_version_id", "severity", "summary"):
        assert cli[key] == api[key], key


def test_changes_json_keeps_the_first_names_for_existing_scripts(
        history: tuple[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    db, _ = history
    [cli] = cli_json(capsys, "changes", "--db", db)  # type: ignore[misc]
    assert (cli["source"], cli["old_version"], cli["new_version"]) == (
        cli["source_id"], cli["old_version_id"], cli["new_version_id"])


def test_history_show_and_run_json_name_the_source_as_the_api_does(
        history: tuple[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    db, report = history
    versions = cli_json(capsys, "history", "p", "--db", db)
    assert [v["source_id"] for v in versions] == ["p", "p"]  # type: ignore[index,union-attr]
    shown = cli_json(capsys, "show", str(versions[0]["id"]), "--db", db)  # type: ignore[index]
    assert shown["source_id"] == shown["source"] == "p"  # type: ignore[index,call-overload]
    assert [s["source_id"] for s in report["sources"]] == ["p"]
