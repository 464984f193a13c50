"""The ledger pages in a real headless Chromium: a person goes from the matrix to a cell's
sentences, to the company's timeline, to one commitment's history — with no console errors, no
CSP violations and no crawled script running. Screenshots land in tests/artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from ledger_support import build_history
from test_web import start_server, stop_server
from test_web_browser import (  # noqa: F401 - the fixture
    ARTIFACTS,
    Watched,
    assert_fit_a_phone_screen,
    browser,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("ledger-browser")
    url = f"sqlite:///{tmp / 'framewatch.db'}"
    build_history(tmp, url)
    proc, base = start_server(url)
    yield base
    stop_server(proc)


@pytest.fixture
def watched(server: str, browser: Any) -> Iterator[Watched]:  # noqa: F811
    """``server`` first: its cycles run their own event loop, Playwright's must start after."""
    w = Watched(browser)
    yield w
    w.close()


def test_person_goes_from_matrix_to_sentences_to_timeline_to_history(watched: Watched,
                                                                      server: str) -> None:
    page = watched.page
    page.goto(server + "/")
    page.get_by_role("link", name="Commitments").click()
    page.wait_for_url(re.compile(r"/matrix$"))
    assert page.locator("table.matrix tbody tr").count() == 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "matrix.png"), full_page=True)
    page.locator("td.weakened-cell a.cell-link").first.click()
    page.wait_for_url(re.compile(r"/matrix/example-ai/[A-Z0-9]+$"))
    assert page.locator("blockquote.sentence").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "matrix-cell.png"), full_page=True)
    page.get_by_role("link", name="Example AI").first.click()
    page.wait_for_url(re.compile(r"/companies/example-ai$"))
    timeline = page.locator("svg.timeline-svg")
    assert timeline.is_visible()
    assert timeline.locator("path.mark").count() == 4
    box = timeline.bounding_box()
    assert box is not None and box["width"] > 600
    # Silent marks are hollow, announced ones filled: the stylesheet applies under the CSP.
    silent = timeline.locator("path.mark.silent").first.evaluate("e => getComputedStyle(e).fill")
    disclosed = timeline.locator("path.mark.disclosed").first.evaluate(
        "e => getComputedStyle(e).fill")
    assert silent == "rgb(255, 255, 255)" and disclosed != silent
    assert page.locator("svg.strength-svg rect.bar").count() >= 3
    page.screenshot(path=str(ARTIFACTS / "company.png"), full_page=True)
    page.locator("li.commitment a", has_text="history").first.click()
    page.wait_for_url(re.compile(r"/commitments/example-policy/\w+$"))
    assert page.locator("h1").inner_text() == "Commitment history"
    page.screenshot(path=str(ARTIFACTS / "commitment.png"), full_page=True)
    watched.assert_clean()


def test_hostile_commitment_text_runs_no_script(watched: Watched, server: str) -> None:
    page = watched.page
    page.goto(server + "/matrix")
    cells = page.locator('a.cell-link[href^="/matrix/other-lab/"]')
    hrefs = [cells.nth(i).get_attribute("href") for i in range(cells.count())]
    assert hrefs
    shown = ""
    for href in hrefs:
        page.goto(server + str(href))
        page.wait_for_load_state("load")
        assert page.locator("body script").count() == 0
        assert page.locator("main img").count() == 0
        shown += page.locator("main").inner_text()
    assert "<script>alert(1)</script>" in shown
    watched.assert_clean()


def test_ledger_pages_fit_a_phone_screen(server: str, browser: Any) -> None:  # noqa: F811
    assert_fit_a_phone_screen(browser, server, {"company": "/companies/example-ai",
                                                "matrix": "/matrix"})
