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


def test_a_version_stored_by_the_previous_extractor_is_re_extracted_as_technical(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    import hashlib
    from datetime import timedelta

    from crawler.extract import EXTRACTOR_VERSION, ExtractRules
    from crawler.fingerprint import rules_fingerprint
    from storage.records import NewVersion

    # Words a page separates with zero-width spaces, which an older extractor deleted.
    server.route("/p", Page("<html><body><main><h1>Policy</h1>"
                            "<p>We\u200bwill\u200bpause training within 30 days.</p>"
                            "</main></body></html>"))
    cfg = config(tmp_path, server)
    run_json(cfg, db_url, capsys)
    repo = Repository(open_database(db_url))
    (first,) = repo.history("p")
    current = repo.version_text(first.id)
    assert "We will pause training" in current
    glued = current.replace("We will pause", "Wewillpause")
    repo.insert_history_version("p", NewVersion(
        document_url=first.document_url, text=glued,
        text_sha256=hashlib.sha256(glued.encode()).hexdigest(), extractor_version="extract-old",
        kind="change", fetched_at=first.fetched_at + timedelta(seconds=1), title=first.title,
        rules_fingerprint=rules_fingerprint(ExtractRules(), "extract-old")),
        snapshot_sha256=first.snapshot_sha256)

    code, report = run_json(cfg, db_url, capsys)
    assert code == 0 and by_source(report)["p"]["status"] == "unchanged"
    assert report["changes"] == 0
    latest = repo.history("p")[0]
    assert latest.kind == "technical" and latest.extractor_version == EXTRACTOR_VERSION
    assert repo.version_text(latest.id) == current
    change = repo.change_for_version(latest.id)
    assert change is not None and change.severity == "none" and change.signals == ("technical",)
