"""`framewatch site DIR`: the public static site — every page parses, every relative link
resolves to a written file, nothing dynamic or secret leaks, and a re-run changes no byte."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from ledger_support import build_history

from framewatch.cli import main
from web.site import ORIGIN


class Links(HTMLParser):
    """Collects every link-like attribute and checks that tags balance where HTML needs it."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr", "path", "line", "rect", "circle"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.links.append(value)
            if name.startswith("on"):
                self.errors.append(f"event handler attribute {name} on <{tag}>")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass
        else:
            self.errors.append(f"stray </{tag}>")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("site")
    url = f"sqlite:///{tmp / 'framewatch.db'}"
    build_history(tmp, url)
    out = tmp / "public"
    assert main(["site", str(out), "--db", url]) == 0
    return out, url


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_site_has_dashboard_matrix_companies_changes_commitments_api_and_feed(
        built: tuple[Path, str]) -> None:
    out, _ = built
    names = set(files(out))
    assert {"index.html", "matrix.html", "companies/example-ai.html", "feed.atom",
            "api/matrix.json", "api/sources.json", "api/changes.json",
            "api/companies/example-ai.json", "static/style.css"} <= names
    assert any(n.startswith("changes/") for n in names)
    assert any(n.startswith("commitments/example-policy/") for n in names)
    assert any(n.startswith("matrix/example-ai/") for n in names)


def test_every_page_parses_and_every_relative_link_resolves(built: tuple[Path, str]) -> None:
    out, _ = built
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        assert not parser.errors, (page, parser.errors)
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not link.startswith("/"), (page, link)  # relative, for any host or folder
            if not parts.path:
                continue  # a fragment on the same page
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), (page.relative_to(out), link)
            assert out.resolve() in target.parents


def test_json_api_files_parse_and_feed_is_atom(built: tuple[Path, str]) -> None:
    out, _ = built
    for f in out.rglob("*.json"):
        json.loads(f.read_text(encoding="utf-8"))
    root = ET.fromstring((out / "feed.atom").read_bytes())
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    matrix = json.loads((out / "api/matrix.json").read_text())
    assert [r["company"] for r in matrix["companies"]] == ["Example AI", "Other Lab"]


def test_no_dynamic_origin_forms_or_scripts_from_crawled_text(built: tuple[Path, str]) -> None:
    out, _ = built
    for name, data in files(out).items():
        text = data.decode("utf-8", errors="replace")
        assert ORIGIN not in text and "testserver" not in text, name
        if name.endswith(".html"):
            assert "<form" not in text
            assert "<script>alert" not in text
    cells = [d.decode() for n, d in files(out).items() if n.startswith("matrix/other-lab/")]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in c for c in cells)


def test_rerunning_on_the_same_database_changes_no_byte(built: tuple[Path, str]) -> None:
    out, url = built
    before = {n: hashlib.sha256(d).hexdigest() for n, d in files(out).items()}
    assert main(["site", str(out), "--db", url]) == 0
    after = {n: hashlib.sha256(d).hexdigest() for n, d in files(out).items()}
    assert after == before


def test_base_url_makes_feed_and_api_links_absolute(built: tuple[Path, str],
                                                    tmp_path: Path) -> None:
    _, url = built
    out = tmp_path / "public"
    assert main(["site", str(out), "--db", url, "--base-url", "https://watch.example.org/fw/"]) == 0
    root = ET.fromstring((out / "feed.atom").read_bytes())
    links = [e.get("href") for e in root.iter("{http://www.w3.org/2005/Atom}link")]
    assert links and all(str(h).startswith("https://watch.example.org/fw/") for h in links)
    sources = json.loads((out / "api/sources.json").read_text())
    assert sources[0]["url"].startswith("https://watch.example.org/fw/sources/")
    assert (out / sources[0]["url"].removeprefix("https://watch.example.org/fw/")).is_file()
