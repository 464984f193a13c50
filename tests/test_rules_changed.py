"""Editing a source's extraction rules is not news: the next cycle re-extracts the stored
snapshot under the new rules (a technical version, never alerted) before comparing the fetch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_support import by_source, run_json, write_config
from faultserver import FaultServer, Page

from storage.db import open_database
from storage.repo import Repository

PAGE = ("<html><body><main><h1>Policy</h1><p>We will pause training within 30 days.</p></main>"
        "<div class='promo'><p>CBRN uplift studies are featured in our blog this week.</p></div>"
        "</body></html>")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def config(tmp_path: Path, server: FaultServer, **rules: object) -> Path:
    return write_config(tmp_path, server, [{"id": "p", "company": "C", "title": "Policy",
                                            "path": "/p", **rules}])


def test_a_new_selector_makes_a_technical_version_not_an_alert(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/p", Page(PAGE))
    run_json(config(tmp_path, server), db_url, capsys)
    code, report = run_json(config(tmp_path, server, select=["main"]), db_url, capsys)
    assert code == 0 and by_source(report)["p"]["status"] == "unchanged"
    assert report["changes"] == 0
    repo = Repository(open_database(db_url))
    kinds = [v.kind for v in repo.history("p")]
    assert kinds == ["technical", "first"]
    (change,) = repo.changes(source_id="p")
    assert change.severity == "none" and change.signals == ("technical",)
    assert "CBRN" not in repo.version_text(repo.history("p")[0].id)


def test_rules_and_document_changed_together_alert_only_the_document_edit(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/p", Page(PAGE))
    run_json(config(tmp_path, server), db_url, capsys)
    server.route("/p", Page(PAGE.replace("30 days", "90 days")))
    _, report = run_json(config(tmp_path, server, remove=[".promo"]), db_url, capsys)
    assert by_source(report)["p"]["status"] == "changed"
    repo = Repository(open_database(db_url))
    news = [c for c in repo.changes(source_id="p", min_severity="low")]
    assert len(news) == 1
    (hunk,) = repo.get_change(news[0].id).diff["hunks"]  # type: ignore[union-attr]
    assert "90" in hunk["new"] and "CBRN" not in hunk["old"] + hunk["new"]
    assert [v.kind for v in repo.history("p")] == ["change", "technical", "first"]


def test_unchanged_rules_re_extract_nothing(server: FaultServer, tmp_path: Path, db_url: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/p", Page(PAGE))
    cfg = config(tmp_path, server, select=["main"])
    run_json(cfg, db_url, capsys)
    run_json(cfg, db_url, capsys)
    assert [v.kind for v in Repository(open_database(db_url)).history("p")] == ["first"]


def test_a_rule_with_no_effect_is_recorded_once_and_then_left_alone(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/p", Page(PAGE))
    run_json(config(tmp_path, server), db_url, capsys)
    cfg = config(tmp_path, server, remove=[".does-not-exist"])
    run_json(cfg, db_url, capsys)
    repo = Repository(open_database(db_url))
    (latest,) = repo.history("p")
    from crawler.extract import ExtractRules
    from crawler.fingerprint import rules_fingerprint

    assert latest.kind == "first"
    assert latest.rules_fingerprint == rules_fingerprint(ExtractRules(remove=(".does-not-exist",)))
