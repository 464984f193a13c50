"""Link discovery for index and follow sources: the page's content, not its chrome, and one
identity per document however its query string rotates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cycle_support import write_config
from faultserver import FaultServer, Noise

from crawler.config import ConfigError, parse_config
from crawler.extract import validate_selector
from crawler.links import Link, find_links
from crawler.normalize import canonical_link
from framewatch.cli import main
from storage.db import open_database
from storage.repo import Repository

BASE = "https://example.org/safety/"


def links(html: str, selector: str | None = "a", pattern: str | None = None,
          **rules: tuple[str, ...]) -> list[Link]:
    return find_links(html.encode(), BASE, selector, pattern, **rules)


def urls(html: str, selector: str | None = "a", **rules: tuple[str, ...]) -> list[str]:
    return [link.url for link in links(html, selector, **rules)]


CHROME = ('<header><nav><a href="/research?s={token}">Research</a></nav></header>'
          '<div class="mobile-menu" aria-hidden="true"><a href="/careers">Careers</a></div>'
          '<div class="cookie-banner"><a href="/privacy">Privacy policy</a></div>'
          '<a class="skip-link" href="#main">Skip to content</a>')


def listing(token: str = "a1") -> str:
    return (f"<html><body>{CHROME.format(token=token)}<main><h1>System cards</h1><ul>"
            '<li><a href="/cards/alpha">Alpha system card</a></li>'
            '<li><a href="/cards/beta.pdf?utm_source=site">Beta system card</a></li></ul>'
            '<aside><a href="/blog/1">Related post</a></aside></main>'
            '<footer><a href="/terms">Terms</a></footer></body></html>')


# --- boilerplate -------------------------------------------------------------------------------

def test_a_broad_selector_ignores_links_in_the_site_chrome() -> None:
    assert urls(listing(), "a") == ["https://example.org/cards/alpha",
                                    "https://example.org/cards/beta.pdf"]


def test_without_a_selector_the_links_of_the_main_content_are_taken() -> None:
    html = ('<body><div class="promo"><a href="/promo">Promo</a></div>'
            '<main><a href="/cards/alpha">Alpha</a></main></body>')
    assert urls(html, None) == ["https://example.org/cards/alpha"]


def test_without_a_selector_or_main_the_cleaned_page_is_used() -> None:
    html = '<body><nav><a href="/n">Nav</a></nav><p><a href="/doc">Doc</a></p></body>'
    assert urls(html, None) == ["https://example.org/doc"]


def test_select_narrows_the_links_of_an_index() -> None:
    html = ('<main><div class="cards"><a href="/a">A</a></div>'
            '<div class="news"><a href="/n">N</a></div></main>')
    assert urls(html, None, select=(".cards",)) == ["https://example.org/a"]
    assert urls(html, "a", remove=(".news",)) == ["https://example.org/a"]


def test_a_selector_that_names_chrome_on_purpose_still_finds_its_link() -> None:
    html = '<aside><a class="pdf" href="/rsp.pdf">Download</a></aside><main><p>x</p></main>'
    assert urls(html, "a.pdf") == ["https://example.org/rsp.pdf"]


def test_link_text_is_the_anchor_words() -> None:
    assert links('<main><a href="/a"> Alpha <b>card</b></a></main>')[0].text == "Alpha card"


# --- selectors ---------------------------------------------------------------------------------

def test_a_not_with_a_selector_list_validates_and_runs() -> None:
    assert validate_selector("a:not(.x, .y)") is None
    html = ('<main><a class="x" href="/x">x</a><a class="y" href="/y">y</a>'
            '<a class="z" href="/z">z</a></main>')
    assert urls(html, "a:not(.x, .y)") == ["https://example.org/z"]


def test_the_config_accepts_what_the_crawler_runs() -> None:
    text = ('[[source]]\nid = "cards"\ncompany = "X"\ntitle = "Cards"\n'
            'url = "https://example.org/cards"\nkind = "index"\n'
            'follow = "main a:not(.share, [href^=\'#\'])"\n')
    assert parse_config(text).sources[0].follow == "main a:not(.share, [href^='#'])"


def test_the_config_rejects_what_the_crawler_cannot_run() -> None:
    text = ('[[source]]\nid = "cards"\ncompany = "X"\ntitle = "Cards"\n'
            'url = "https://example.org/cards"\nkind = "index"\nfollow = "a:nth-child(foo)"\n')
    with pytest.raises(ConfigError, match="follow"):
        parse_config(text)


def test_an_index_needs_no_follow_selector_but_a_follow_source_does() -> None:
    head = '[[source]]\nid = "s"\ncompany = "X"\ntitle = "T"\nurl = "https://example.org/"\n'
    assert parse_config(head + 'kind = "index"\n').sources[0].follow is None
    with pytest.raises(ConfigError, match="needs a `follow`"):
        parse_config(head + 'kind = "follow"\n')


# --- volatile query strings --------------------------------------------------------------------

@pytest.mark.parametrize(("url", "expected"), [
    ("https://x.org/research?s=8f3a9c2e", "https://x.org/research"),
    ("https://x.org/a?utm_source=nl&utm_medium=email", "https://x.org/a"),
    ("https://x.org/a?PHPSESSID=abc123&id=7", "https://x.org/a?id=7"),
    ("https://x.org/a?_=1733000000000", "https://x.org/a"),
    ("https://x.org/a?nonce=k&seq=4", "https://x.org/a?seq=4"),
    ("https://x.org/a?x=3f2504e0-4f89-11d3-9a0c-0305e82c3301", "https://x.org/a"),
    ("https://x.org/a?gclid=EAIaIQobChMI&name=rsp", "https://x.org/a?name=rsp"),
    ("https://x.org/a#section-2", "https://x.org/a"),
])
def test_volatile_query_parameters_are_dropped(url: str, expected: str) -> None:
    assert canonical_link(url) == expected


@pytest.mark.parametrize("url", [
    "https://x.org/doc?id=3f2504e0-4f89-11d3-9a0c-0305e82c3301",  # an id, however random
    "https://x.org/doc?seq=12",
    "https://x.org/doc?name=frontier-safety-framework",
    "https://x.org/view?report=q3&lang=en",                       # unknown but not random
    "https://x.org/doc?file=Policy%20v2.pdf",
])
def test_identifying_query_parameters_are_kept_exactly(url: str) -> None:
    assert canonical_link(url) == url


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def run(cfg: Path, db: str, capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:  # type: ignore[type-arg]
    main(["-q", "run", "--config", str(cfg), "--db", db, "--format", "json", "--no-notify"])
    report = json.loads(capsys.readouterr().out)
    return {s["source"]: s for s in report["sources"]}


def test_a_nav_token_rotating_per_request_is_not_a_new_document(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    page = ('<html><body><a href="/research?s=tok{n}x9">Research</a><ul class="cards">'
            '<li><a href="/cards/alpha?sid=ab{n}cd">Alpha system card</a></li>'
            '</ul><p>Served {now}</p></body></html>')
    server.route("/cards", Noise(page))
    cfg = write_config(tmp_path, server, [
        {"id": "cards", "company": "Example AI", "title": "System cards", "path": "/cards",
         "kind": "index", "follow": "a"}])
    assert run(cfg, db_url, capsys)["cards"]["status"] == "first"
    assert run(cfg, db_url, capsys)["cards"]["status"] == "unchanged"
    assert run(cfg, db_url, capsys)["cards"]["status"] == "unchanged"


def test_an_index_without_follow_tracks_its_main_content_links(
        server: FaultServer, tmp_path: Path, db_url: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.route("/cards", Noise(listing("{n}")))
    cfg = write_config(tmp_path, server, [
        {"id": "cards", "company": "Example AI", "title": "System cards", "path": "/cards",
         "kind": "index"}])
    assert run(cfg, db_url, capsys)["cards"]["status"] == "first"
    repo = Repository(open_database(db_url))
    text = repo.version_text(repo.history("cards")[0].id)
    assert text == (f"- Alpha system card <{server.url('/cards/alpha')}>\n"  # no nav, no aside
                    f"- Beta system card <{server.url('/cards/beta.pdf')}>\n")
    assert run(cfg, db_url, capsys)["cards"]["status"] == "unchanged"
