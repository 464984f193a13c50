"""The web UI in a real headless Chromium: a person's path through it, with no console errors,
no CSP violations and no script from crawled text ever running.

Chromium is Debian's (/usr/bin/chromium, or FRAMEWATCH_CHROMIUM), driven by Playwright; we never
run `playwright install`. Without a browser these tests skip and say why — unless
FRAMEWATCH_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure. Screenshots are kept in
tests/artifacts/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_web import Seeded, seed, start_server, stop_server

from storage.db import open_database

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    candidate = os.environ.get("FRAMEWATCH_CHROMIUM") or "/usr/bin/chromium"
    if Path(candidate).exists():
        return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install 'framewatch[browser]')"
    if chromium_path() is None:
        return "no Chromium found at /usr/bin/chromium (apt-get install chromium) or FRAMEWATCH_CHROMIUM"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = browser_problem()
    if problem:
        if os.environ.get("FRAMEWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{problem} — FRAMEWATCH_REQUIRE_BROWSER=1 requires a browser",
                        pytrace=False)
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('web') / 'framewatch.db'}")
    seeded = seed(db)
    proc, url = start_server(db.url)
    yield url, seeded
    stop_server(proc)
    db.dispose()


class Watched:
    """A page plus everything that must stay empty: console errors, page errors, CSP violations
    (collected by a listener injected before any page script) and JavaScript dialogs."""

    def __init__(self, browser: Any, width: int = 1280, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def on_dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", on_dialog)
        self.page.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__csp || []"))

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.csp_violations() == []
        assert self.dialogs == [], self.dialogs

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    w = Watched(browser)
    yield w
    w.close()


def test_person_follows_dashboard_to_source_to_change(watched: Watched,
                                                      server: tuple[str, Seeded]) -> None:
    url, seeded = server
    page = watched.page
    page.goto(url + "/")
    assert page.locator("h1").inner_text() == "Watched documents"
    assert page.get_by_role("alert").is_visible()  # the failing source is called out
    page.get_by_role("link", name="Responsible Scaling Policy").click()
    page.wait_for_url(re.compile(r"/sources/acme-rsp$"))
    assert page.locator(".timeline li").count() == 3
    page.locator(f'a.change-link[href="/changes/{seeded.changes["acme-rsp"][0]}"]').click()
    page.wait_for_url(re.compile(r"/changes/\d+$"))
    hunk = page.locator("article.hunk.flagged").first
    assert hunk.is_visible()
    assert hunk.locator("del", has_text="will").is_visible()
    assert hunk.locator("ins", has_text="6x").is_visible()
    assert "thresholds" in hunk.locator(".tag.cat").all_inner_texts()
    assert "weakened" in hunk.locator(".tag.sig").all_inner_texts()
    # Highlighted words really look highlighted (the stylesheet loaded under the CSP).
    bg = hunk.locator("ins").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "transparent")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "change.png"), full_page=True)
    page.get_by_role("link", name="Side by side").click()
    assert page.locator(".side-by-side").first.is_visible()
    watched.assert_clean()


def test_person_searches_and_opens_a_result(watched: Watched, server: tuple[str, Seeded]) -> None:
    url, _ = server
    page = watched.page
    page.goto(url + "/")
    page.get_by_label("Search all versions").fill("compute")
    page.get_by_label("Search all versions").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=compute"))
    assert page.locator("ol.results li").count() == 3
    assert page.locator("mark").first.inner_text().lower() == "compute"
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)
    page.locator("a.result-link").first.click()
    page.wait_for_url(re.compile(r"/versions/\d+$"))
    assert "increase in compute" in page.locator("pre.doc").inner_text()
    watched.assert_clean()


def test_dashboard_filter_applies_on_change(watched: Watched, server: tuple[str, Seeded]) -> None:
    url, _ = server
    page = watched.page
    page.goto(url + "/")
    with page.expect_navigation():
        page.get_by_label("Company").select_option("Acme AI")
    assert "company=Acme+AI" in page.url
    assert page.locator("a.source-link").all_inner_texts() == ["Responsible Scaling Policy"]
    watched.assert_clean()


def test_hostile_page_runs_no_script(watched: Watched, server: tuple[str, Seeded]) -> None:
    url, seeded = server
    page = watched.page
    e1, e2 = seeded.versions["evil-page"]
    for path in ("/", "/sources/evil-page", f"/versions/{e2}",
                 f"/changes/{seeded.changes['evil-page'][0]}",
                 f"/sources/evil-page/compare?a={e1}&b={e2}&view=side"):
        page.goto(url + path)
        page.wait_for_load_state("load")
        assert page.locator("body script").count() == 0, path
        assert page.locator("main img, main svg, main textarea").count() == 0, path
    assert "<script>alert('textarea-breakout')</script>" in page.locator("main").inner_text()
    watched.assert_clean()


def assert_fit_a_phone_screen(browser: Any, base: str, pages: dict[str, str]) -> None:
    """Each page, at a phone's width, scrolls only down; a screenshot of each for review."""
    w = Watched(browser, width=390, height=844)
    try:
        for name, path in pages.items():
            w.page.goto(base + path)
            overflow = w.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at phone width"
            w.page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
        w.assert_clean()
    finally:
        w.close()


def test_pages_fit_a_phone_screen(browser: Any, server: tuple[str, Seeded]) -> None:
    url, seeded = server
    assert_fit_a_phone_screen(browser, url, {
        "dashboard": "/", "change": f"/changes/{seeded.changes['acme-rsp'][0]}",
        "source": "/sources/acme-rsp"})
