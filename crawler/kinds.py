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

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from crawler.fetch import FetchError, FetchResult
from differ.policy import Facts
from storage.records import SourceInfo

if TYPE_CHECKING:
    from crawler.cycle import Cycle, SourceOutcome


class SourceKind:
    name: ClassVar[str]
    registry: ClassVar[dict[str, type[SourceKind]]] = {}

    def __init_subclass__(cls) -> None:
        SourceKind.registry[cls.name] = cls

    async def check(self, cycle: Cycle, source: SourceInfo) -> SourceOutcome:
        raise NotImplementedError


def kind_for(name: str) -> SourceKind:
    try:
        return SourceKind.registry[name]()
    except KeyError:
        raise ValueError(f"unknown source kind {name!r}") from None


class Page(SourceKind):
    """An HTML page, versioned as its extracted text."""

    name = "page"

    async def check(self, cycle: Cycle, source: SourceInfo) -> SourceOutcome:
        started = datetime.now(UTC)
        try:
            result = await cycle.fetch(source, source.url, conditional=True)
        except FetchError as err:
            return cycle.record_fetch_error(source, source.url, started, err)
        return await cycle.process_document(source, result, started, **self.extra(cycle, source, result))

    def extra(self, cycle: Cycle, source: SourceInfo, result: FetchResult) -> dict[str, object]:
        return {}


class Pdf(Page):
    """A PDF at a fixed URL; changed bytes at that URL are flagged as a silent re-upload."""

    name = "pdf"

    def extra(self, cycle: Cycle, source: SourceInfo, result: FetchResult) -> dict[str, object]:
        return {"facts": Facts(reupload=_reuploaded(cycle, source, result, result.url))}


def _reuploaded(cycle: Cycle, source: SourceInfo, result: FetchResult, doc_url: str) -> bool:
    """The same document URL now serves bytes other than the latest version's."""
    if result.not_modified or result.gone:
        return False
    latest = cycle.latest_version(source.id)
    if latest is None or latest.kind == "removed" or latest.document_url != doc_url:
        return False
    import hashlib

    return bool(latest.snapshot_sha256
                and latest.snapshot_sha256 != hashlib.sha256(result.body).hexdigest())


def page_links(page: FetchResult, source: SourceInfo) -> list[tuple[str, str]]:
    """(url, link text) of the documents a follow/index page links to (see crawler.links).

    An index's own ``select``/``remove`` narrow it (the listing is its document); a follow
    source's apply to the followed document, not to the page that links to it.
    """
    from crawler.links import find_links

    settings = source.settings
    index = source.kind == "index"
    links = find_links(page.body, page.final_url or page.url, settings.get("follow") or None,
                       settings.get("link_pattern"), content_type=page.content_type,
                       select=tuple(settings.get("select") or ()) if index else (),
                       remove=tuple(settings.get("remove") or ()) if index else ())
    return [(link.url, link.text) for link in links]


def no_links(cycle: Cycle, source: SourceInfo, page: FetchResult,
             started: datetime) -> SourceOutcome:
    """The `follow` selector found nothing: a failed check, never a version (a redesign must not
    read as "the document is gone")."""
    from crawler.outcome import FAILED, SourceOutcome
    from storage.records import NewCheck

    follow = source.settings.get("follow")
    what = f"the `follow` selector {follow!r}" if follow else "the main content"
    why = ("the page layout probably changed" if cycle.repo.latest_version(source.id) is not None
           else "check the selector against the page with `framewatch try URL --kind "
                f"{source.kind} --follow …`")
    message = f"{source.url}: {what} matched no link; {why} (no version recorded)"
    cycle.repo.record_check(NewCheck(
        source_id=source.id, url=source.url, final_url=page.final_url, started_at=started,
        status="error", http_status=page.status_code, error_kind="select_empty",
        error_message=message, run_id=cycle.run_id), failed=True)
    return SourceOutcome(source.id, FAILED, message, "select_empty")


class Follow(SourceKind):
    """A page whose link leads to the current document (often a PDF whose URL changes)."""

    name = "follow"

    async def check(self, cycle: Cycle, source: SourceInfo) -> SourceOutcome:

        started = datetime.now(UTC)
        try:
            page = await cycle.fetch(source, source.url, conditional=False)
        except FetchError as err:
            return cycle.record_fetch_error(source, source.url, started, err)
        if page.gone:
            return await cycle.process_document(source, page, started)
        links = page_links(page, source)
        if not links:
            return no_links(cycle, source, page, started)
        doc_url = links[0][0]
        latest = cycle.latest_version(source.id)
        try:
            doc = await cycle.fetch(source, doc_url, conditional=latest is not None
                                    and latest.document_url == doc_url)
        except FetchError as err:
            return cycle.record_fetch_error(source, doc_url, started, err)
        if latest is not None and latest.kind != "removed" and latest.document_url != doc_url:
            facts = Facts(replaced=(latest.document_url, doc_url))
        else:
            facts = Facts(reupload=_reuploaded(cycle, source, doc, doc_url))
        return await cycle.process_document(source, doc, started, document_url=doc_url,
                                            facts=facts)


class Index(SourceKind):
    """A listing page: the matching links are the document, so new or removed links are the
    change. With `track_new = true` every new link also becomes a source of its own.

    The version text is the link list, one ``- title <url>`` line per link; the Change summary
    names what was published or withdrawn, since that is the news ("new document published")."""

    name = "index"

    async def check(self, cycle: Cycle, source: SourceInfo) -> SourceOutcome:

        started = datetime.now(UTC)
        try:
            page = await cycle.fetch(source, source.url, conditional=True)
        except FetchError as err:
            return cycle.record_fetch_error(source, source.url, started, err)
        if page.not_modified or page.gone:
            return await cycle.process_document(source, page, started)
        links = page_links(page, source)
        if not links:
            # An index that suddenly lists nothing is a broken selector far more often than a
            # company withdrawing every document: fail loudly instead of recording a wipe-out.
            return no_links(cycle, source, page, started)
        listing = format_listing(links)
        result = replace(page, body=listing.encode("utf-8"), content_type="text/plain; charset=utf-8")
        latest = cycle.repo.latest_version(source.id, with_text=True)
        previous = parse_listing(latest.text or "") if latest and latest.kind != "removed" else None
        summary = listing_summary(previous, links) if previous is not None else ""
        outcome = await cycle.process_document(source, result, started, document_url=source.url,
                                               facts=Facts(lead=summary))
        if source.settings.get("track_new") and outcome.status in ("first", "changed"):
            for url, text in links:
                cycle.repo.add_discovered_source(discovered_source(source, url, text))
        return outcome


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


def discovered_source(index: SourceInfo, url: str, text: str) -> SourceInfo:
    path = urlsplit(url).path.rstrip("/")
    slug = re.sub(r"[^a-z0-9]+", "-", (path.rsplit("/", 1)[-1] or urlsplit(url).netloc).lower())
    slug = slug.strip("-")[:60] or "document"
    import hashlib

    sid = f"{index.id}.{slug}-{hashlib.sha256(url.encode()).hexdigest()[:6]}"
    kind = "pdf" if path.lower().endswith(".pdf") else "page"
    return SourceInfo(id=sid, company=index.company, title=text or url, url=url, kind=kind,
                      enabled=True, origin="discovered", discovered_from=index.id,
                      settings={"allow_private": index.settings.get("allow_private")}
                      if index.settings.get("allow_private") is not None else {})
