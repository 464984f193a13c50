"""The ledger's pages over HTTP from a real `framewatch serve`: the matrix, its cells' sentences,
a company's timeline and strength charts, a commitment's history, and the change page's note on
what the provider's changelog does not mention."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ledger_support import PAUSE_V2, PUBLISH_V2, build_history
from test_web import assert_inert, start_server, stop_server

from storage import ledger as L
from storage.db import open_database
from storage.repo import Repository
from web.app import CSP


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("ledger-web")
    url = f"sqlite:///{tmp / 'framewatch.db'}"
    build_history(tmp, url)
    return url


@pytest.fixture(scope="module")
def site(history: str) -> Iterator[str]:
    proc, url = start_server(history)
    try:
        yield url
    finally:
        stop_server(proc)


def get(site: str, path: str) -> httpx.Response:
    r = httpx.get(site + path, timeout=20)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    assert r.headers["content-security-policy"] == CSP
    return r


def test_the_nav_links_the_matrix(site: str) -> None:
    assert 'href="/matrix"' in get(site, "/").text


def test_matrix_rows_are_companies_and_every_cell_links_to_real_sentences(site: str) -> None:
    page = get(site, "/matrix").text
    assert_inert(page)
    assert "Example AI" in page and "Other Lab" in page
    cells = sorted(set(re.findall(r'href="(/matrix/[a-z0-9-]+/[A-Z0-9]+)"', page)))
    assert cells
    for cell in cells:
        body = get(site, cell).text
        versions = re.findall(r'href="(/versions/\d+)"', body)
        sentences = re.findall(r'<blockquote class="sentence[^"]*">(?:<del>|<ins>)?(.*?)<',
                               body, re.S)
        assert versions and sentences, cell
        version_text = get(site, versions[0]).text
        assert " ".join(sentences[0].split()[:4]) in " ".join(version_text.split())


def test_a_cell_shows_the_strongest_obligation_and_the_last_weakening(site: str) -> None:
    page = get(site, "/matrix").text
    assert "must / will" in page
    assert re.search(r"▼ weakened \d{4}-\d\d-\d\d", page)
    assert re.search(r"\d+ weakened \(12 mo\)", page)


def test_company_page_draws_its_timeline_and_strength_chart_as_svg(site: str) -> None:
    page = get(site, "/companies/example-ai").text
    assert_inert(page)
    assert page.count('<svg class="timeline-svg"') == 1
    assert page.count('<svg class="strength-svg"') == 1
    marks = re.findall(r'<path class="mark cat-\w+ o-(\w) (disclosed|silent)"', page)
    assert ("W", "disclosed") in marks and ("W", "silent") in marks and ("X", "silent") in marks
    assert len(re.findall(r'<line class="tick"', page)) == 3
    assert "0.75" in page  # the pair's silent revision rate
    assert "not mentioned in the provider&#39;s changelog" in page


def test_commitment_history_page_follows_it_across_versions(site: str, history: str) -> None:
    db = open_database(history)
    v2 = [v.id for v in L.ledger_versions(db, "example-policy")][1]
    pause = next(t for t in L.traces_of(db, v2) if t.text == PAUSE_V2)
    page = get(site, f"/commitments/example-policy/{pause.new_key}").text
    assert "▼ weakened" in page and "announced" in page
    assert "we will pause training within 30 days" in page  # the old wording, struck
    assert page.count("we may pause training within 90 days") >= 2  # v2 and v3


def test_change_page_says_which_changes_the_changelog_does_not_mention(site: str,
                                                                       history: str) -> None:
    repo = Repository(open_database(history))
    v2 = [v.id for v in L.ledger_versions(repo.db, "example-policy")][1]
    change = repo.change_for_version(v2)
    assert change is not None
    page = get(site, f"/changes/{change.id}").text
    assert "Commitments changed" in page
    silent = page.split(PUBLISH_V2)[0].rsplit("<li", 1)[-1]
    assert "not mentioned in the provider&#39;s changelog" in silent


def test_crawled_markup_in_a_commitment_stays_text(site: str) -> None:
    cells = sorted(set(re.findall(r'href="(/matrix/other-lab/[A-Z0-9]+)"',
                                  get(site, "/matrix").text)))
    pages = [get(site, cell).text for cell in cells]
    assert pages
    for page in pages:
        assert_inert(page)
        assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in page for page in pages)


def test_matrix_and_company_json(site: str) -> None:
    data = get(site, "/api/matrix").json()
    assert [r["company"] for r in data["companies"]] == ["Example AI", "Other Lab"]
    company = get(site, "/api/companies/example-ai").json()
    assert company["silent_revision_rate"]["material"] == 4
    assert {c["disclosure"] for c in company["changes"]} == {"ANN", "SIL"}


def test_unknown_company_and_column_are_404(site: str) -> None:
    assert httpx.get(site + "/companies/nobody", timeout=10).status_code == 404
    assert httpx.get(site + "/matrix/example-ai/XX", timeout=10).status_code == 404


def test_ledger_pages_never_import_sqlalchemy() -> None:
    source = (Path(__file__).resolve().parents[1] / "web" / "ledger.py").read_text()
    assert "sqlalchemy" not in source
