"""Link discovery for `follow` and `index` sources: which documents a page links to.

The page is cleaned exactly as text extraction cleans it (``remove``, ``select``, then the
default boilerplate removal of :func:`crawler.extract_html.clean_tree`), so the site's nav,
footer, cookie banner or mobile-menu copy contribute no links, just as they contribute no words.
Selectors run on lxml through cssselect, the same engine that validates them in config
checking, so a selector accepted by ``framewatch sources check`` is the one that runs.
Every URL is passed through :func:`crawler.normalize.canonical_link`, so a link whose session or
tracking parameters rotate per request keeps one identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.extract_html import clean_tree, compile_selector, parse_html
from crawler.normalize import canonical_link
from crawler.patterns import search_bounded

__all__ = ["Link", "find_links"]

_ANCHORS = etree.XPath("descendant-or-self::a[@href]")


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str


def _inside(el: etree._Element, roots: set[etree._Element]) -> bool:
    return el in roots or any(a in roots for a in el.iterancestors())


def _matches(root: etree._Element, scope: tuple[etree._Element, ...],
             selector: str | None) -> list[etree._Element]:
    """Anchors in ``scope`` (document order): those ``selector`` matches, else all of them."""
    if selector is None:
        out: list[etree._Element] = []
        for el in scope:
            out.extend(_ANCHORS(el))
        return out
    found = compile_selector(selector)(root)
    if len(scope) == 1 and scope[0] is root.find("body"):
        return list(found)
    roots = set(scope)
    return [el for el in found if _inside(el, roots)]


def find_links(html: bytes, base_url: str, selector: str | None, pattern: str | None = None,
               *, content_type: str | None = None, select: tuple[str, ...] = (),
               remove: tuple[str, ...] = ()) -> list[Link]:
    """Every distinct ``<a href>`` the page links to in its content, in page order.

    ``selector`` picks the links (an element that is not an ``<a>`` stands for its first link);
    without one, every link of the main content counts (the ``select`` matches if given, else
    ``main``/``article``/``role=main``, else the whole cleaned page). ``pattern`` keeps only
    links whose URL or text it matches. If the selector matches nothing once boilerplate is
    gone, it is tried on the uncleaned page: a selector that names a link in an ``<aside>`` on
    purpose still finds it, and only a selector that matches nothing at all fails.
    """
    root, _ = parse_html(html, content_type)
    cleaned = clean_tree(root, select, remove)
    if selector is None:
        scope = cleaned.roots if select and cleaned.select_matched else (
            cleaned.content or cleaned.roots)
        elements = _matches(root, scope, None)
    else:
        elements = _matches(root, cleaned.roots, selector)
        if not elements:
            raw, _ = parse_html(html, content_type)
            body = raw.find("body")
            elements = _matches(raw, (body if body is not None else raw,), selector)
    seen: set[str] = set()
    out: list[Link] = []
    for el in elements:
        if not isinstance(el.tag, str):
            continue
        a = el if el.tag == "a" and el.get("href") else next(iter(_ANCHORS(el)), None)
        if a is None or not (a.get("href") or "").strip():
            continue
        href = urljoin(base_url, (a.get("href") or "").strip())
        if urlsplit(href).scheme not in ("http", "https"):
            continue
        text = " ".join(a.text_content().split())
        if pattern and not (search_bounded(pattern, href) or search_bounded(pattern, text)):
            continue
        href = canonical_link(href)
        if href not in seen:
            seen.add(href)
            out.append(Link(href, text))
    return out
