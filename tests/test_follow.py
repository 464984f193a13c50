"""`follow` sources and PDFs: the document behind the link is what is versioned.

A local server serves an HTML page whose link to the current PDF changes between cycles, and PDFs
re-uploaded at the same URL; the CLI runs real cycles against a real database."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_support import source, write_config
from faultserver import FaultServer, Page, Status

from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository

PDF = "application/pdf"
FRAMEWORK_V1 = ("Frontier Safety Framework\n\nWe will notify the government before deployment.\n"
                "We will evaluate every model for critical capabilities.\n")
FRAMEWORK_V2 = FRAMEWORK_V1.replace("We will notify", "We may notify")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def make_pdf(text: str) -> bytes:
    """A real PDF (reportlab) whose only text is `text`, one line per line."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    y = 800
    for line in text.splitlines():
        c.drawString(60, y, line)
        y -= 16
    c.save()
    return buf.getvalue()




def run(cfg: Path, db: str, capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:  # type: ignore[type-arg]
    code = main(["-q", "run", "--config", str(cfg), "--db", db, "--format", "json", "--no-notify"])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    return {s["source"]: s for s in report["sources"]}


def landing(href: str) -> str:
    return (f'<html><body><main><h1>Our framework</h1><p>Read the current version.</p>'
            f'<a class="nav" href="/about">About</a>'
            f'<a class="doc" href="{href}">Framework (PDF)</a></main></body></html>')


def follow_source() -> dict[str, object]:
    return source("fsf", "/framework", kind="follow", follow="a.doc")


def test_follow_versions_the_linked_pdf_not_the_page(server: FaultServer, tmp_path: Path,
                                                      db_url: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/framework", Page(landing("/files/fsf-v1.pdf")))
    server.route("/files/fsf-v1.pdf", Page(make_pdf(FRAMEWORK_V1), content_type=PDF))
    cfg = write_config(tmp_path, server, [follow_source()])
    assert run(cfg, db_url, capsys)["fsf"]["status"] == "first"
    repo = Repository(open_database(db_url))
    (version,) = repo.history("fsf")
    assert version.document_url == server.url("/files/fsf-v1.pdf")
    text = repo.version_text(version.id)
    assert "notify the government" in text and "Read the current version" not in text


def test_new_link_target_is_recorded_as_document_replaced(server: FaultServer, tmp_path: Path,
                                                          db_url: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/framework", Page(landing("/files/fsf-v1.pdf")))
    server.route("/files/fsf-v1.pdf", Page(make_pdf(FRAMEWORK_V1), content_type=PDF))
    server.route("/files/fsf-v2.pdf", Page(make_pdf(FRAMEWORK_V2), content_type=PDF))
    cfg = write_config(tmp_path, server, [follow_source()])
    run(cfg, db_url, capsys)
    server.route("/framework", Page(landing("/files/fsf-v2.pdf")))
    outcome = run(cfg, db_url, capsys)["fsf"]
    assert outcome["status"] == "changed"
    change = Repository(open_database(db_url)).get_change(outcome["change_id"])
    assert change is not None
    assert "document_replaced" in change.signals and "silent_reupload" not in change.signals
    old, new = server.url("/files/fsf-v1.pdf"), server.url("/files/fsf-v2.pdf")
    assert f"Document replaced: {old} → {new}" in change.summary
    assert any("may notify" in h["new"].lower() for h in change.diff["hunks"])


def test_new_link_to_identical_pdf_is_still_a_change(server: FaultServer, tmp_path: Path,
                                                     db_url: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    body = make_pdf(FRAMEWORK_V1)
    server.route("/framework", Page(landing("/files/a.pdf")))
    server.route("/files/a.pdf", Page(body, content_type=PDF))
    server.route("/files/b.pdf", Page(body, content_type=PDF))
    cfg = write_config(tmp_path, server, [follow_source()])
    run(cfg, db_url, capsys)
    server.route("/framework", Page(landing("/files/b.pdf")))
    outcome = run(cfg, db_url, capsys)["fsf"]
    assert outcome["status"] == "changed" and outcome["severity"] == "medium"
    assert "Document replaced" in outcome["summary"]
    repo = Repository(open_database(db_url))
    assert repo.counts()["snapshots"] == 1  # one document, two URLs: stored once
    assert {v.document_url for v in repo.history("fsf")} == {server.url("/files/a.pdf"),
                                                             server.url("/files/b.pdf")}


def test_unchanged_follow_target_adds_no_version(server: FaultServer, tmp_path: Path,
                                                 db_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/framework", Page(landing("/files/fsf-v1.pdf")))
    server.route("/files/fsf-v1.pdf", Page(make_pdf(FRAMEWORK_V1), content_type=PDF))
    cfg = write_config(tmp_path, server, [follow_source()])
    run(cfg, db_url, capsys)
    assert run(cfg, db_url, capsys)["fsf"]["status"] == "unchanged"
    assert len(Repository(open_database(db_url)).history("fsf")) == 1


def test_follow_selector_matching_nothing_fails_without_a_version(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/framework", Page(landing("/files/fsf-v1.pdf")))
    server.route("/files/fsf-v1.pdf", Page(make_pdf(FRAMEWORK_V1), content_type=PDF))
    cfg = write_config(tmp_path, server, [follow_source()])
    run(cfg, db_url, capsys)
    server.route("/framework", Page("<html><body><p>Redesigned, no links</p></body></html>"))
    outcome = run(cfg, db_url, capsys)["fsf"]
    assert outcome["status"] == "failed" and outcome["error_kind"] == "select_empty"
    assert len(Repository(open_database(db_url)).history("fsf")) == 1


def test_followed_pdf_that_vanishes_is_a_removal(server: FaultServer, tmp_path: Path,
                                                 db_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/framework", Page(landing("/files/fsf-v1.pdf")))
    server.route("/files/fsf-v1.pdf", Page(make_pdf(FRAMEWORK_V1), content_type=PDF))
    cfg = write_config(tmp_path, server, [follow_source()])
    run(cfg, db_url, capsys)
    server.route("/files/fsf-v1.pdf", Status(404))
    outcome = run(cfg, db_url, capsys)["fsf"]
    assert outcome["status"] == "removed" and outcome["severity"] == "high"


def test_pdf_reuploaded_at_same_url_with_one_sentence_changed_is_a_silent_reupload(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/framework", Page(landing("/files/fsf.pdf")))
    server.route("/files/fsf.pdf", Page(make_pdf(FRAMEWORK_V1), content_type=PDF))
    cfg = write_config(tmp_path, server, [follow_source()])
    run(cfg, db_url, capsys)
    server.route("/files/fsf.pdf", Page(make_pdf(FRAMEWORK_V2), content_type=PDF))
    outcome = run(cfg, db_url, capsys)["fsf"]
    change = Repository(open_database(db_url)).get_change(outcome["change_id"])
    assert change is not None
    assert "silent_reupload" in change.signals and "document_replaced" not in change.signals
    (hunk,) = change.diff["hunks"]
    assert "may notify" in hunk["new"].lower() and "will notify" in hunk["old"].lower()
    assert change.severity in ("medium", "high")


def test_reupload_with_identical_words_is_still_flagged(server: FaultServer, tmp_path: Path,
                                                        db_url: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/fw.pdf", Page(make_pdf(FRAMEWORK_V1), content_type=PDF))
    cfg = write_config(tmp_path, server, [source("fw", "/fw.pdf", kind="pdf")])
    run(cfg, db_url, capsys)
    # Same words, different bytes (a re-export with another producer string).
    reexported = make_pdf(FRAMEWORK_V1).replace(b"ReportLab", b"ReportLbb")
    server.route("/fw.pdf", Page(reexported, content_type=PDF))
    outcome = run(cfg, db_url, capsys)["fw"]
    assert outcome["status"] == "changed" and outcome["severity"] == "medium"
    change = Repository(open_database(db_url)).get_change(outcome["change_id"])
    assert change is not None and change.signals == ("silent_reupload",)


def test_same_bytes_at_two_urls_are_one_snapshot_and_history_shows_both(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    body = make_pdf(FRAMEWORK_V1)
    server.route("/cdn-a/fsf.pdf", Page(body, content_type=PDF))
    server.route("/cdn-b/fsf.pdf", Page(body, content_type=PDF))
    cfg = write_config(tmp_path, server, [source("mirror-a", "/cdn-a/fsf.pdf", kind="pdf"),
                                          source("mirror-b", "/cdn-b/fsf.pdf", kind="pdf")])
    run(cfg, db_url, capsys)
    repo = Repository(open_database(db_url))
    assert repo.counts()["snapshots"] == 1
    (a,), (b,) = repo.history("mirror-a"), repo.history("mirror-b")
    assert a.snapshot_sha256 == b.snapshot_sha256
    assert {a.document_url, b.document_url} == {server.url("/cdn-a/fsf.pdf"),
                                                server.url("/cdn-b/fsf.pdf")}
