"""Regressions found in the pre-release review of the run path (crawler/cycle.py, kinds, storage).

Each test drives real cycles through the CLI against a FaultServer on 127.0.0.1 and a real
database, and names the behaviour that used to be wrong."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_support import by_source, run_json, source, write_config
from faultserver import FaultServer, Page
from test_follow import FRAMEWORK_V1, PDF, make_pdf

from storage.db import open_database
from storage.repo import Repository

A = ("<html><body><main><h2>4. Thresholds</h2><p>We will pause training within 30 days.</p>"
     "</main></body></html>")
B = A.replace("will pause training within 30 days", "may pause training within 90 days")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def test_second_reupload_with_identical_words_is_not_called_a_revert(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Same words, new bytes, twice: the text never changed, so nothing was "reverted"; the
    third version used to match the first one's text and be downgraded to a low revert."""
    server.route("/fw.pdf", Page(make_pdf(FRAMEWORK_V1), content_type=PDF))
    cfg = write_config(tmp_path, server, [source("fw", "/fw.pdf", kind="pdf")])
    run_json(cfg, db_url, capsys)
    for producer in (b"ReportLbb", b"ReportLcc"):
        body = make_pdf(FRAMEWORK_V1).replace(b"ReportLab", producer)
        server.route("/fw.pdf", Page(body, content_type=PDF))
        _, report = run_json(cfg, db_url, capsys)
    outcome = by_source(report)["fw"]
    assert outcome["status"] == "changed" and outcome["severity"] == "medium"
    change = Repository(open_database(db_url)).get_change(outcome["change_id"])
    assert change is not None
    assert "reverted" not in change.signals and change.signals == ("silent_reupload",)
    kinds = [v.kind for v in Repository(open_database(db_url)).history("fw")]
    assert kinds == ["change", "change", "first"]


def test_url_changed_back_in_config_does_not_reuse_old_validators(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Validators vouch for the latest version only if it came from the URL being fetched: a
    source moved U1 → U2 → U1 used to send U1's old ETag, get 304 and miss that the stored
    text (U2's) differs from U1's."""
    server.route("/u1", Page(A, etag='"a"'))
    server.route("/u2", Page(B, etag='"b"'))
    cfg = write_config(tmp_path, server, [source("rsp", "/u1")])
    run_json(cfg, db_url, capsys)
    cfg = write_config(tmp_path, server, [source("rsp", "/u2")])
    _, report = run_json(cfg, db_url, capsys)
    assert by_source(report)["rsp"]["status"] == "changed"
    cfg = write_config(tmp_path, server, [source("rsp", "/u1")])
    _, report = run_json(cfg, db_url, capsys)
    assert "if-none-match" not in server.requests_to("/u1")[-1].headers
    assert by_source(report)["rsp"]["status"] == "changed"
    repo = Repository(open_database(db_url))
    latest = repo.latest_version("rsp", with_text=True)
    assert latest is not None and "will pause training within 30 days" in (latest.text or "")


def test_cancelled_cycle_still_writes_the_batched_checks_of_finished_sources(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """SIGTERM cancels the cycle's tasks; "nothing new" checks already batched are written."""
    import asyncio

    from faultserver import Hang

    from crawler.config import parse_config
    from crawler.cycle import Cycle

    server.route("/a", Page(A))
    server.route("/slow", Page(A))
    cfg = write_config(tmp_path, server, [source("a", "/a"), source("slow", "/slow")])
    run_json(cfg, db_url, capsys)
    server.route("/slow", Hang())
    config = parse_config(cfg.read_text(), str(cfg))
    db = open_database(db_url)
    before = len(Repository(db).checks("a"))

    async def cancelled_after_first_outcome() -> None:
        main_task = asyncio.current_task()
        assert main_task is not None
        cycle = Cycle(config, db, on_done=lambda _o: main_task.get_loop().call_soon(
            main_task.cancel))
        await cycle.run()

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancelled_after_first_outcome())
    checks = Repository(db).checks("a")
    assert len(checks) == before + 1 and checks[0].status == "unchanged"
    db.dispose()


def test_recovery_seen_through_a_batched_304_check_notifies_the_maintainer(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The failure streak is reset only when batched checks are flushed; the health pass after
    the cycle must already see it reset (one "failing", then one "recovered")."""
    from faultserver import Status

    from framewatch.cli import main

    server.route("/maintainer", Page("", status=204, content_type=None))
    server.route("/a", Page(A, etag='"a"'))
    cfg = write_config(tmp_path, server, [source("a", "/a")], health_failures=2)
    with cfg.open("a") as fh:
        fh.write(f'\n[notify.maintainer]\nkind = "webhook"\nurl = "{server.url("/maintainer")}"\n')

    def cycle() -> None:
        main(["-q", "run", "--config", str(cfg), "--db", db_url, "--format", "json"])
        capsys.readouterr()

    cycle()
    server.route("/a", Status(500))
    cycle()
    cycle()
    server.route("/a", Page(A, etag='"a"'))
    cycle()
    assert server.requests_to("/a")[-1].headers.get("if-none-match") == '"a"'
    events = [r.json()["event"] for r in server.requests_to("/maintainer")]
    assert events == ["failing", "recovered"]


def test_removing_an_index_from_the_config_stops_checking_what_it_discovered(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Sources dropped from sources.toml are disabled; the documents an index discovered are
    only there because of that index, so they go with it (and come back with it)."""
    from test_index import ALPHA, index_source, listing_page

    server.route("/cards", Page(listing_page(ALPHA)))
    server.route("/cards/alpha", Page(A))
    server.route("/rsp", Page(B))
    index_cfg = write_config(tmp_path, server, [index_source(track_new=True), source("rsp", "/rsp")])
    run_json(index_cfg, db_url, capsys)
    _, report = run_json(index_cfg, db_url, capsys)
    assert len(report["sources"]) == 3  # cards, rsp and the discovered alpha card
    alpha_requests = len(server.requests_to("/cards/alpha"))

    without_index = write_config(tmp_path, server, [source("rsp", "/rsp")])
    _, report = run_json(without_index, db_url, capsys)
    assert [s["source"] for s in report["sources"]] == ["rsp"]
    assert len(server.requests_to("/cards/alpha")) == alpha_requests

    index_cfg = write_config(tmp_path, server, [index_source(track_new=True), source("rsp", "/rsp")])
    _, report = run_json(index_cfg, db_url, capsys)
    assert len(report["sources"]) == 3


def test_index_does_not_track_a_document_already_watched_as_a_source(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Two sources on one URL alert twice for one change: an index that lists a document the
    config already watches must not add a second source for it."""
    from test_index import ALPHA, index_source, listing_page

    server.route("/cards", Page(listing_page(ALPHA)))
    server.route("/cards/alpha", Page(A))
    cfg = write_config(tmp_path, server, [index_source(track_new=True),
                                          source("alpha-card", "/cards/alpha")])
    run_json(cfg, db_url, capsys)
    _, report = run_json(cfg, db_url, capsys)
    assert sorted(s["source"] for s in report["sources"]) == ["alpha-card", "cards"]
    urls = [s.url for s in Repository(open_database(db_url)).list_sources()]
    assert urls.count(server.url("/cards/alpha")) == 1
