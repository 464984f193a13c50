"""Source kinds, one small class each (urlwatch's jobs): how a source turns into documents.

- page:   an HTML page, versioned as extracted text.
- pdf:    a PDF at a fixed URL; new bytes at the same URL are a silent re-upload.
- follow: an HTML page whose link (CSS selector) points at the current document; the document
          is what is versioned, and a new link target is itself part of the change.
- index:  a listing page; the set of matching links (the `follow` selector, by default every
          link of the main content) is versioned, so a new or removed link is the change. With
          `track_new`, each new link becomes a tracked source.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import ClassVar, Protocol
from urllib.parse import urlsplit

from crawler.config import SourceConfig
from crawler.extract import ExtractRules
from crawler.fetch import FetchResult
from crawler.fetch_errors import FetchError
from crawler.specs import extract_rules
from differ.policy import NO_FACTS, Facts
from storage.records import SourceInfo, VersionInfo

# ---- what a kind may ask of the cycle, and what it hands back -------------------------------


class Port(Protocol):
    """The cycle as one source's kind sees it: fetching and reading, never writing."""

    async def fetch(self, url: str, *, conditional: bool,
                    rules: ExtractRules | None = None) -> FetchResult:
        """GET ``url`` with the source's fetcher (``rules``: judge a plain answer for
        ``fetcher = "auto"`` by them); raises :class:`FetchError`."""
        ...

    def latest_version(self) -> VersionInfo | None: ...

    def version_text(self, version_id: int) -> str: ...


@dataclass(frozen=True)
class Document:
    """A fetched document for the cycle to version (or its 304 / 404 answer)."""

    result: FetchResult
    document_url: str | None = None  # the URL it is versioned under (default: result.url)
    facts: Facts = NO_FACTS  # what the kind learnt that the severity policy weighs
    discovered: tuple[SourceInfo, ...] = ()  # sources to add once this is a new version


@dataclass(frozen=True)
class FetchFailed:
    """A fetch that failed: recorded as a failed check."""

    url: str
    error: FetchError


@dataclass(frozen=True)
class NoLinks:
    """A link selector that found nothing: a failed check, never a version (a redesign must not
    read as "the document is gone")."""

    page: FetchResult
    message: str


Found = Document | FetchFailed | NoLinks
"""What checking a source came to, before anything is written."""


class SourceKind:
    """How a source turns into a document. A new kind is a subclass here (its name registers
    it) and its name in :data:`crawler.config.SOURCE_KINDS`."""

    name: ClassVar[str]
    registry: ClassVar[dict[str, type[SourceKind]]] = {}

    def __init_subclass__(cls) -> None:
        SourceKind.registry[cls.name] = cls

    async def check(self, spec: SourceConfig, port: Port) -> Found:
        raise NotImplementedError


def kind_for(name: str) -> SourceKind:
    try:
        return SourceKind.registry[name]()
    except KeyError:
        raise ValueError(f"unknown source kind {name!r}") from None


# ---- the kinds ------------------------------------------------------------------------------


class Page(SourceKind):
    """An HTML page, versioned as its extracted text."""

    name = "page"

    async def check(self, spec: SourceConfig, port: Port) -> Found:
        try:
            # An "auto" fetch judges the plain HTML with the source's rules: the page is the
            # document they apply to.
            result = await port.fetch(spec.url, conditional=True, rules=extract_rules(spec))
        except FetchError as err:
            return FetchFailed(spec.url, err)
        return Document(result)


class Pdf(SourceKind):
    """A PDF at a fixed URL; changed bytes at that URL are flagged as a silent re-upload."""

    name = "pdf"

    async def check(self, spec: SourceConfig, port: Port) -> Found:
        try:
            result = await port.fetch(spec.url, conditional=True)
        except FetchError as err:
            return FetchFailed(spec.url, err)
        return Document(result, facts=Facts(reupload=_reuploaded(port, result, result.url)))


def _reuploaded(port: Port, result: FetchResult, doc_url: str) -> bool:
    """The same document URL now serves bytes other than the latest version's."""
    if result.not_modified or result.gone:
        return False
    latest = port.latest_version()
    if latest is None or latest.kind == "removed" or latest.document_url != doc_url:
        return False
    return bool(latest.snapshot_sha256
                and latest.snapshot_sha256 != hashlib.sha256(result.body).hexdigest())


def page_links(page: FetchResult, spec: SourceConfig) -> list[tuple[str, str]]:
    """(url, link text) of the documents a follow/index page links to (see crawler.links).

    An index's own ``select``/``remove`` narrow it (the listing is its document); a follow
    source's apply to the followed document, not to the page that links to it.
    """
    from crawler.links import find_links

    index = spec.kind == "index"
    links = find_links(page.body, page.final_url or page.url, spec.follow, spec.link_pattern,
                       content_type=page.content_type,
                       select=spec.select if index else (), remove=spec.remove if index else ())
    return [(link.url, link.text) for link in links]


def no_links(spec: SourceConfig, port: Port, page: FetchResult) -> NoLinks:
    what = f"the `follow` selector {spec.follow!r}" if spec.follow else "the main content"
    why = ("the page layout probably changed" if port.latest_version() is not None
           else "check the selector against the page with `framewatch try URL --kind "
                f"{spec.kind} --follow …`")
    return NoLinks(page, f"{spec.url}: {what} matched no link; {why} (no version recorded)")


class Follow(SourceKind):
    """A page whose link leads to the current document (often a PDF whose URL changes)."""

    name = "follow"

    async def check(self, spec: SourceConfig, port: Port) -> Found:
        try:
            page = await port.fetch(spec.url, conditional=False)
        except FetchError as err:
            return FetchFailed(spec.url, err)
        if page.gone:
            return Document(page)
        links = page_links(page, spec)
        if not links:
            return no_links(spec, port, page)
        doc_url = links[0][0]
        latest = port.latest_version()
        try:
            doc = await port.fetch(doc_url, conditional=latest is not None
                                   and latest.document_url == doc_url)
        except FetchError as err:
            return FetchFailed(doc_url, err)
        if latest is not None and latest.kind != "removed" and latest.document_url != doc_url:
            facts = Facts(replaced=(latest.document_url, doc_url))
        else:
            facts = Facts(reupload=_reuploaded(port, doc, doc_url))
        return Document(doc, document_url=doc_url, facts=facts)


class Index(SourceKind):
    """A listing page: the matching links are the document, so new or removed links are the
    change. With `track_new = true` every new link also becomes a source of its own.

    The version text is the link list, one ``- title <url>`` line per link; the Change summary
    names what was published or withdrawn, since that is the news ("new document published")."""

    name = "index"

    async def check(self, spec: SourceConfig, port: Port) -> Found:
        try:
            page = await port.fetch(spec.url, conditional=True)
        except FetchError as err:
            return FetchFailed(spec.url, err)
        if page.not_modified or page.gone:
            return Document(page)
        links = page_links(page, spec)
        if not links:
            # An index that suddenly lists nothing is a broken selector far more often than a
            # company withdrawing every document: fail loudly instead of recording a wipe-out.
            return no_links(spec, port, page)
        listing = format_listing(links)
        result = replace(page, body=listing.encode("utf-8"), content_type="text/plain; charset=utf-8")
        latest = port.latest_version()
        previous = (parse_listing(port.version_text(latest.id))
                    if latest is not None and latest.kind != "removed" else None)
        summary = listing_summary(previous, links) if previous is not None else ""
        discovered = (tuple(discovered_source(spec, url, text) for url, text in links)
                      if spec.track_new else ())
        return Document(result, document_url=spec.url, facts=Facts(lead=summary),
                        discovered=discovered)


_LISTING_LINE = re.compile(r"^- (.*) <(\S+)>$")


def format_listing(links: list[tuple[str, str]]) -> str:
    """The version text of an index: one ``- title <url>`` line per link, in page order."""
    return "\n".join(f"- {text or url} <{url}>" for url, text in links) + "\n"


def parse_listing(text: str) -> list[tuple[str, str]]:
    """(url, title) pairs back from :func:`format_listing` text."""
    out = []
    for line in text.splitlines():
        m = _LISTING_LINE.match(line)
        if m:
            out.append((m.group(2), m.group(1)))
    return out


def listing_summary(previous: list[tuple[str, str]], current: list[tuple[str, str]]) -> str:
    """"new document published: <title>" / "document removed from index: <title>", by URL."""
    before = {url: title for url, title in previous}
    now = {url: (title or url) for url, title in current}
    parts = [f"new document published: {now[url]}" for url, _ in current if url not in before]
    parts += [f"document removed from index: {title}" for url, title in previous if url not in now]
    return "; ".join(parts)


def discovered_source(index: SourceConfig, url: str, text: str) -> SourceInfo:
    """A link an index found, as a source of its own (it inherits the index's company and
    ``allow_private``)."""
    path = urlsplit(url).path.rstrip("/")
    slug = re.sub(r"[^a-z0-9]+", "-", (path.rsplit("/", 1)[-1] or urlsplit(url).netloc).lower())
    slug = slug.strip("-")[:60] or "document"
    sid = f"{index.id}.{slug}-{hashlib.sha256(url.encode()).hexdigest()[:6]}"
    kind = "pdf" if path.lower().endswith(".pdf") else "page"
    return SourceInfo(id=sid, company=index.company, title=text or url, url=url, kind=kind,
                      enabled=True, origin="discovered", discovered_from=index.id,
                      settings={"allow_private": index.allow_private}
                      if index.allow_private is not None else {})
