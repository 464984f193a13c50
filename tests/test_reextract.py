"""`framewatch reextract`: after a selector change, stored text is rebuilt from the raw snapshot
as a `technical` version that the history shows and no channel is ever told about."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultserver import FaultServer, Page

from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository


def page(sentence: str = "We will pause training within 30 days.") -> str:
    return ("<html><body><main><h1>Scaling Policy</h1>"
            f"<h2>4. Thresholds</h2><p>{sentence}</p>"
            '<div class="promo"><p>Subscribe to our research newsletter today.</p></div>'
            "</main></body></html>")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def write_config(tmp: Path, server: FaultServer, remove: list[str] | None = None) -> Path:
    lines = ["[settings]", "allow_private = true", "retries = 0", "",
             "[notify.hook]", 'kind = "webhook"', f'url = "{server.url("/hook")}"',
             'min_severity = "none"', "",
             "[[source]]", 'id = "rsp"', 'company = "Example AI"', 'title = "RSP"',
             f'url = "{server.url("/rsp")}"']
    if remove:
        lines.append(f"remove = {json.dumps(remove)}")
    cfg = tmp / "sources.toml"
    cfg.write_text("\n".join(lines) + "\n")
    return cfg


def run(cfg: Path, db: str, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    main(["-q", "run", "--config", str(cfg), "--db", db, "--format", "json", "--no-notify"])
    return json.loads(capsys.readouterr().out)["sources"][0]


def reextract(cfg: Path, db: str, capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert main(["-q", "reextract", *args, "--config", str(cfg), "--db", db,
                 "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_selector_change_gives_a_technical_version_without_the_removed_text(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/rsp", Page(page()))
    run(write_config(tmp_path, server), db_url, capsys)
    report = reextract(write_config(tmp_path, server, remove=[".promo"]), db_url, capsys)
    (vid,) = report["technical_versions"]
    repo = Repository(open_database(db_url))
    assert [v.kind for v in repo.history("rsp")] == ["technical", "first"]
    text = repo.version_text(vid)
    assert "newsletter" not in text and "pause training within 30 days" in text
    assert repo.get_version(vid).snapshot_sha256 == repo.history("rsp")[1].snapshot_sha256  # type: ignore[union-attr]
    change = repo.change_for_version(vid)
    assert change is not None and change.severity == "none" and change.signals == ("technical",)


def test_technical_versions_never_alert(server: FaultServer, tmp_path: Path, db_url: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/rsp", Page(page()))
    run(write_config(tmp_path, server), db_url, capsys)
    cfg = write_config(tmp_path, server, remove=[".promo"])
    reextract(cfg, db_url, capsys)
    assert Repository(open_database(db_url)).counts()["deliveries"] == 0
    assert server.requests_to("/hook") == []


def test_next_real_change_is_diffed_against_the_reextracted_text(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/rsp", Page(page()))
    run(write_config(tmp_path, server), db_url, capsys)
    cfg = write_config(tmp_path, server, remove=[".promo"])
    reextract(cfg, db_url, capsys)
    assert run(cfg, db_url, capsys)["status"] == "unchanged"  # same bytes, same rules
    server.route("/rsp", Page(page("We may pause training within 90 days.")))
    outcome = run(cfg, db_url, capsys)
    change = Repository(open_database(db_url)).get_change(outcome["change_id"])
    assert change is not None and "technical" not in change.signals
    (hunk,) = change.diff["hunks"]
    assert "90 days" in hunk["new"] and "newsletter" not in hunk["old"] + hunk["new"]


def test_reextract_twice_adds_nothing(server: FaultServer, tmp_path: Path, db_url: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/rsp", Page(page()))
    run(write_config(tmp_path, server), db_url, capsys)
    cfg = write_config(tmp_path, server, remove=[".promo"])
    reextract(cfg, db_url, capsys)
    again = reextract(cfg, db_url, capsys, "rsp")
    assert again["technical_versions"] == [] and again["unchanged"] == 1


def test_unchanged_rules_add_no_version(server: FaultServer, tmp_path: Path, db_url: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/rsp", Page(page()))
    cfg = write_config(tmp_path, server)
    run(cfg, db_url, capsys)
    assert reextract(cfg, db_url, capsys)["technical_versions"] == []
    assert len(Repository(open_database(db_url)).history("rsp")) == 1


def test_unknown_source_is_not_found(server: FaultServer, tmp_path: Path, db_url: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, server)
    assert main(["reextract", "nope", "--config", str(cfg), "--db", db_url]) == 3
    assert "unknown source 'nope'" in capsys.readouterr().err
