"""Every shipped `follow` / `index` source picks the intended link(s) from its real page shape.

Each source's page is saved under tests/fixtures/sources/ with the real page's link structure
(navigation, decoys such as redlines, past versions and per-model reports) and the links it must
pick are in expected.toml. The test serves the saved page from a local HTTP server and runs a real
`framewatch run` with the source's shipped selector and pattern, so the project's own follow and
index code decides. Relative links are resolved against the source's real URL first; for `follow`
sources the link hosts are mapped onto the local server (``https://HOST/x`` is served as
``/_host/HOST/x``) so that the followed document is fetched without leaving the machine.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from cycle_support import by_source, run_json, write_config
from faultserver import FaultServer, Page
from test_follow import make_pdf

from crawler.config import SourceConfig, load_config
from crawler.kinds import parse_listing
from storage.db import open_database
from storage.repo import Repository

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"
SHIPPED = load_config(ROOT / "sources.toml")
LINKED = [s for s in SHIPPED.sources if s.kind in ("follow", "index")]
EXPECTED: dict[str, dict[str, object]] = tomllib.loads((FIXTURES / "expected.toml").read_text())
HREF = re.compile(r'href="([^"]*)"')


def test_every_shipped_follow_and_index_source_has_a_saved_page() -> None:
    missing = [s.id for s in LINKED if s.id not in EXPECTED
               or not (FIXTURES / str(EXPECTED[s.id]["page"])).is_file()]
    assert missing == [], f"no saved page in tests/fixtures/sources/expected.toml for {missing}"


def test_saved_page_expectations_name_only_shipped_follow_and_index_sources() -> None:
    assert sorted(set(EXPECTED) - {s.id for s in LINKED}) == []


def saved_page(src: SourceConfig, server: FaultServer) -> str:
    """The saved page as the local server serves it (see the module docstring)."""
    html = (FIXTURES / str(EXPECTED[src.id]["page"])).read_text(encoding="utf-8")
    html = HREF.sub(lambda m: f'href="{urljoin(src.url, m.group(1))}"', html)
    if src.kind == "follow":
        html = re.sub(r'href="https?://', f'href="{server.url("/_host/")}', html)
        for href in HREF.findall(html):
            if href.startswith(server.url("/_host/")):
                path = href[len(server.base_url):].split("?", 1)[0]
                server.route(path, Page(make_pdf(f"Document at {path}"),
                                        content_type="application/pdf"))
    return html


def real_url(url: str, server: FaultServer) -> str:
    local = server.url("/_host/")
    return "https://" + url[len(local):] if url.startswith(local) else url


@pytest.mark.parametrize("src", LINKED, ids=[s.id for s in LINKED])
def test_shipped_selector_picks_the_intended_links(src: SourceConfig, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    if src.id not in EXPECTED:
        pytest.fail(f"{src.id}: no saved page in tests/fixtures/sources/expected.toml")
    db = f"sqlite:///{tmp_path / 'fw.db'}"
    with FaultServer() as server:
        page_path = "/" + urlsplit(src.url).netloc + urlsplit(src.url).path
        server.route(page_path, Page(saved_page(src, server)))
        shipped: dict[str, object] = {"id": src.id, "company": src.company, "title": src.title, "path": page_path,
                   "kind": src.kind, "follow": src.follow}
        for key, value in (("link_pattern", src.link_pattern), ("select", list(src.select)),
                           ("remove", list(src.remove))):
            if value:
                shipped[key] = value
        cfg = write_config(tmp_path, server, [shipped])
        _, report = run_json(cfg, db, capsys)
        outcome = by_source(report)[src.id]
        assert outcome["status"] == "first", outcome
        repo = Repository(open_database(db))
        (version,) = repo.history(src.id)
        if src.kind == "follow":
            picked = [real_url(version.document_url or "", server)]
        else:
            picked = [url for url, _ in parse_listing(repo.version_text(version.id) or "")]
    assert picked == EXPECTED[src.id]["picks"]
