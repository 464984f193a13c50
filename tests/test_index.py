"""`index` sources: a listing page whose matching links are tracked; new and removed links are
the change, and with `track_new` each new document becomes a tracked source."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_support import write_config
from faultserver import FaultServer, Page

from crawler.kinds import format_listing, listing_summary, parse_listing
from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv



def run(cfg: Path, db: str, capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:  # type: ignore[type-arg]
    main(["-q", "run", "--config", str(cfg), "--db", db, "--format", "json", "--no-notify"])
    report = json.loads(capsys.readouterr().out)
    return {s["source"]: s for s in report["sources"]}


def listing_page(*cards: tuple[str, str]) -> str:
    items = "".join(f'<li><a class="card" href="{href}">{title}</a></li>' for href, title in cards)
    return (f'<html><body><nav><a href="/careers">Careers</a></nav><main><h1>System cards</h1>'
            f"<ul>{items}</ul></main></body></html>")


def index_source(**extra: object) -> dict[str, object]:
    return {"id": "cards", "company": "Example AI", "title": "System cards", "path": "/cards",
            "kind": "index", "follow": "a.card", **extra}


ALPHA = ("/cards/alpha", "Alpha system card")
BETA = ("/cards/beta.pdf", "Beta system card")


def test_first_run_records_the_link_list(server: FaultServer, tmp_path: Path, db_url: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/cards", Page(listing_page(ALPHA)))
    cfg = write_config(tmp_path, server, [index_source()])
    assert run(cfg, db_url, capsys)["cards"]["status"] == "first"
    repo = Repository(open_database(db_url))
    text = repo.version_text(repo.history("cards")[0].id)
    assert text == f"- Alpha system card <{server.url('/cards/alpha')}>\n"  # no nav link


def test_new_link_is_a_change_named_new_document_published(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/cards", Page(listing_page(ALPHA)))
    cfg = write_config(tmp_path, server, [index_source()])
    run(cfg, db_url, capsys)
    server.route("/cards", Page(listing_page(BETA, ALPHA)))
    outcome = run(cfg, db_url, capsys)["cards"]
    assert outcome["status"] == "changed"
    assert outcome["summary"].startswith("new document published: Beta system card")
    assert "removed from index" not in outcome["summary"]


def test_removed_link_is_a_change_named_document_removed(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/cards", Page(listing_page(BETA, ALPHA)))
    cfg = write_config(tmp_path, server, [index_source()])
    run(cfg, db_url, capsys)
    server.route("/cards", Page(listing_page(ALPHA)))
    outcome = run(cfg, db_url, capsys)["cards"]
    assert outcome["status"] == "changed"
    assert outcome["summary"].startswith("document removed from index: Beta system card")


def test_reordered_links_with_same_set_still_record_but_name_nothing_new(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/cards", Page(listing_page(ALPHA, BETA)))
    cfg = write_config(tmp_path, server, [index_source()])
    run(cfg, db_url, capsys)
    server.route("/cards", Page(listing_page(ALPHA, BETA) + "<!-- cache buster 42 -->"))
    assert run(cfg, db_url, capsys)["cards"]["status"] == "unchanged"


def test_index_matching_no_link_fails_instead_of_recording_a_wipe_out(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/cards", Page(listing_page(ALPHA)))
    cfg = write_config(tmp_path, server, [index_source()])
    run(cfg, db_url, capsys)
    server.route("/cards", Page("<html><body><p>New design</p></body></html>"))
    outcome = run(cfg, db_url, capsys)["cards"]
    assert outcome["status"] == "failed" and outcome["error_kind"] == "select_empty"
    assert len(Repository(open_database(db_url)).history("cards")) == 1


def test_track_new_turns_each_new_document_into_a_source_and_checks_it_next_run(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    from test_follow import make_pdf

    server.route("/cards", Page(listing_page(ALPHA)))
    server.route("/cards/alpha", Page("<html><body><main><p>Alpha was evaluated.</p></main></body></html>"))
    server.route("/cards/beta.pdf", Page(make_pdf("Beta card\nBeta was red-teamed.\n"),
                                         content_type="application/pdf"))
    cfg = write_config(tmp_path, server, [index_source(track_new=True)])
    run(cfg, db_url, capsys)
    server.route("/cards", Page(listing_page(BETA, ALPHA)))
    run(cfg, db_url, capsys)

    assert main(["sources", "list", "--config", str(cfg), "--db", db_url, "--format", "json"]) == 0
    listed = {s["url"]: s for s in json.loads(capsys.readouterr().out)}
    beta = listed[server.url("/cards/beta.pdf")]
    alpha = listed[server.url("/cards/alpha")]
    assert beta["origin"] == "discovered" and beta["discovered_from"] == "cards"
    assert beta["kind"] == "pdf" and alpha["kind"] == "page"
    assert beta["title"] == "Beta system card" and beta["company"] == "Example AI"

    outcomes = run(cfg, db_url, capsys)
    assert outcomes[beta["id"]]["status"] == "first"
    repo = Repository(open_database(db_url))
    assert "Beta was red-teamed" in repo.version_text(repo.history(beta["id"])[0].id)


def test_without_track_new_no_source_is_added(server: FaultServer, tmp_path: Path,
                                              db_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/cards", Page(listing_page(ALPHA, BETA)))
    cfg = write_config(tmp_path, server, [index_source()])
    run(cfg, db_url, capsys)
    assert [s.id for s in Repository(open_database(db_url)).list_sources()] == ["cards"]


def test_listing_round_trips_and_summary_names_titles() -> None:
    links = [("https://x.test/a", "A card"), ("https://x.test/b", "")]
    assert parse_listing(format_listing(links)) == [("https://x.test/a", "A card"),
                                                    ("https://x.test/b", "https://x.test/b")]
    summary = listing_summary([("https://x.test/a", "A card")], [("https://x.test/c", "C card")])
    assert summary == "new document published: C card; document removed from index: A card"
