"""Storage's read API for pages: lean, read-only queries beyond :class:`storage.repo.Repository`,
returned as plain frozen dataclasses (the web UI imports no SQLAlchemy).

Why a separate module: the Repository's reads load whole rows (a Version row carries its ~50 KB
text), which is right for the CLI but too heavy for a page listing 100 versions or 200 sources.
These queries select only the columns a page shows, in one statement per page section, so the
dashboard and a timeline stay fast on a 20,000-version history. Nothing here writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Row

from differ.model import SEVERITIES
from storage.db import Database
from storage.models import Change, Check, Snapshot, Source, Version
from storage.records import ChangeInfo, CheckInfo, SourceInfo, VersionInfo

MARK_START = "\ue000"
"""Private-use characters bracket search matches in snippets; the template escapes the snippet
and only then turns these into <mark> tags, so crawled text can never inject markup."""
MARK_END = "\ue001"


@dataclass(frozen=True)
class DashboardRow:
    source: SourceInfo
    last_check: CheckInfo | None
    last_change: ChangeInfo | None
    versions: int


@dataclass(frozen=True)
class SnapshotMeta:
    sha256: str
    content_type: str | None
    size: int


@dataclass(frozen=True)
class SearchHit:
    version_id: int
    source_id: str
    company: str
    title: str
    fetched_at: datetime
    snippet: str  # raw text with MARK_START/MARK_END around matches; escape before display


@dataclass(frozen=True)
class FeedEntry:
    change: ChangeInfo
    company: str
    title: str


def _brief(r: Row[Any]) -> ChangeInfo:
    """A change without its diff JSON (diff=None): what a list row shows."""
    return ChangeInfo(
        id=r.id, source_id=r.source_id, old_version_id=r.old_version_id,
        new_version_id=r.new_version_id, severity=r.severity,
        categories=tuple(r.categories or ()), signals=tuple(r.signals or ()),
        summary=r.summary or "", detected_at=r.detected_at,
    )


_BRIEF_COLUMNS = (Change.id, Change.source_id, Change.old_version_id, Change.new_version_id,
                  Change.severity, Change.categories, Change.signals, Change.summary,
                  Change.detected_at)

_VERSION_COLUMNS = (Version.id, Version.source_id, Version.snapshot_sha256, Version.document_url,
                    Version.text_sha256, Version.extractor_version, Version.fetched_at,
                    Version.kind, Version.title)


def _version_info(r: Row[Any]) -> VersionInfo:
    return VersionInfo(
        id=r.id, source_id=r.source_id, snapshot_sha256=r.snapshot_sha256,
        document_url=r.document_url, text_sha256=r.text_sha256,
        extractor_version=r.extractor_version, fetched_at=r.fetched_at, kind=r.kind,
        title=r.title,
    )


def severities_at_least(minimum: str) -> tuple[str, ...]:
    return SEVERITIES[SEVERITIES.index(minimum):]


def last_changes(db: Database) -> dict[str, ChangeInfo]:
    """The latest change of every source, in one query."""
    with db.session() as s:
        latest = select(Change.source_id, func.max(Change.id).label("mid")).group_by(
            Change.source_id).subquery()
        rows = s.execute(select(*_BRIEF_COLUMNS).join(latest, Change.id == latest.c.mid))
        return {r.source_id: _brief(r) for r in rows}


def version_counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        rows = s.execute(select(Version.source_id, func.count()).group_by(Version.source_id))
        return {r[0]: int(r[1]) for r in rows}


def versions_of(db: Database, source_id: str, limit: int = 500) -> list[VersionInfo]:
    """A source's versions, newest first, without their texts."""
    with db.session() as s:
        rows = s.execute(select(*_VERSION_COLUMNS).where(Version.source_id == source_id)
                         .order_by(Version.fetched_at.desc(), Version.id.desc()).limit(limit))
        return [_version_info(r) for r in rows]


def version_meta(db: Database, version_id: int) -> VersionInfo | None:
    with db.session() as s:
        r = s.execute(select(*_VERSION_COLUMNS).where(Version.id == version_id)).first()
        return _version_info(r) if r else None


def changes_list(db: Database, *, source_id: str | None = None, company: str | None = None,
                 min_severity: str | None = None, category: str | None = None,
                 limit: int = 50, offset: int = 0) -> list[FeedEntry]:
    """Changes newest first with their source's company and title (feed, API, timelines)."""
    with db.session() as s:
        q = (select(*_BRIEF_COLUMNS, Source.company, Source.title)
             .join(Source, Source.id == Change.source_id)
             .order_by(Change.detected_at.desc(), Change.id.desc()))
        if source_id:
            q = q.where(Change.source_id == source_id)
        if company:
            q = q.where(Source.company == company)
        if min_severity:
            q = q.where(Change.severity.in_(severities_at_least(min_severity)))
        if category:
            # JSON list membership differs per backend; filter in Python over a bounded window.
            rows = [r for r in s.execute(q.limit(5000)) if category in (r.categories or ())]
            rows = rows[offset:offset + limit]
        else:
            rows = list(s.execute(q.limit(limit).offset(offset)))
        return [FeedEntry(change=_brief(r), company=r.company, title=r.title) for r in rows]


def snapshot_meta(db: Database, sha256: str) -> SnapshotMeta | None:
    """Content type and size of a raw snapshot, without loading its bytes."""
    with db.session() as s:
        r = s.execute(select(Snapshot.sha256, Snapshot.content_type, Snapshot.size)
                      .where(Snapshot.sha256 == sha256)).first()
        return SnapshotMeta(r.sha256, r.content_type, r.size) if r else None


def check_of_version(db: Database, version_id: int) -> CheckInfo | None:
    """The fetch that produced a version: its evidence (final URL, headers, HTTP status)."""
    with db.session() as s:
        c = s.scalars(select(Check).join(Version, Version.check_id == Check.id)
                      .where(Version.id == version_id)).first()
        if c is None:
            return None
        return CheckInfo(
            id=c.id, source_id=c.source_id, url=c.url, final_url=c.final_url,
            started_at=c.started_at, status=c.status, http_status=c.http_status,
            error_kind=c.error_kind, error_message=c.error_message, fetcher=c.fetcher,
            elapsed_ms=c.elapsed_ms, etag=c.etag, last_modified=c.last_modified,
            snapshot_sha256=c.snapshot_sha256, attempts=c.attempts, headers=c.headers,
            warnings=tuple(c.warnings or ()),
        )


# ---- full-text search -------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str) -> list[str]:
    """The words of a user's query; punctuation and FTS operators are dropped on purpose, so a
    query can never be a syntax error or an injection into the FTS query language."""
    return _WORD.findall(query)[:20]


def search(db: Database, query: str, *, source_id: str | None = None, limit: int = 50,
           offset: int = 0) -> list[SearchHit]:
    """Versions whose text contains every word of ``query``, newest first, with a snippet.

    Newest-first instead of relevance rank: every version of a document matches the same words,
    so rank adds little, while ``ORDER BY rowid DESC LIMIT n`` lets FTS5 stop early instead of
    scoring all 20,000 matches."""
    terms = search_terms(query)
    if not terms:
        return []
    if db.engine.dialect.name in ("sqlite", "postgresql"):
        from storage.search_index import catch_up

        catch_up(db)  # versions written since the last search (cycles do not index them)
        if db.is_sqlite:
            return _search_sqlite(db, terms, source_id, limit, offset)
        return _search_pg(db, terms, source_id, limit, offset)
    return _search_like(db, terms, source_id, limit, offset)


def _search_sqlite(db: Database, terms: list[str], source_id: str | None, limit: int,
                   offset: int) -> list[SearchHit]:
    match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
    where = "versions_fts MATCH :match"
    params: dict[str, Any] = {"match": match, "limit": limit, "offset": offset,
                              "a": MARK_START, "b": MARK_END}
    if source_id:
        where += " AND v.source_id = :source_id"
        params["source_id"] = source_id
    # The inner query finds the page of ids cheaply; snippet() then runs on those rows only.
    sql = text(
        "SELECT v.id, v.source_id, s.company, s.title, v.fetched_at, "
        "snippet(versions_fts, 0, :a, :b, ' … ', 24) AS snip "
        "FROM versions_fts JOIN versions v ON v.id = versions_fts.rowid "
        "JOIN sources s ON s.id = v.source_id "
        f"WHERE {where} ORDER BY versions_fts.rowid DESC LIMIT :limit OFFSET :offset"
    )
    with db.session() as s:
        rows = s.execute(sql, params).all()
    return [_hit(r) for r in rows]


def _search_pg(db: Database, terms: list[str], source_id: str | None, limit: int,
               offset: int) -> list[SearchHit]:
    params: dict[str, Any] = {"q": " ".join(terms), "limit": limit, "offset": offset,
                              "opts": f"StartSel={MARK_START}, StopSel={MARK_END}, "
                                      "MaxWords=30, MinWords=12, MaxFragments=2, "
                                      "FragmentDelimiter= … "}
    extra = ""
    if source_id:
        extra = " AND v.source_id = :source_id"
        params["source_id"] = source_id
    sql = text(
        "WITH page AS ("
        " SELECT v.id FROM versions_tsv t JOIN versions v ON v.id = t.version_id"
        " WHERE t.tsv @@ plainto_tsquery('english'::regconfig, :q)"
        f"{extra} ORDER BY v.id DESC LIMIT :limit OFFSET :offset) "
        "SELECT v.id, v.source_id, s.company, s.title, v.fetched_at, "
        "ts_headline('english'::regconfig, v.text, plainto_tsquery('english'::regconfig, :q), :opts)"
        " AS snip "
        "FROM page JOIN versions v ON v.id = page.id JOIN sources s ON s.id = v.source_id "
        "ORDER BY v.id DESC"
    )
    with db.session() as s:
        rows = s.execute(sql, params).all()
    return [_hit(r) for r in rows]


def _search_like(db: Database, terms: list[str], source_id: str | None, limit: int,
                 offset: int) -> list[SearchHit]:
    """Any other backend: a slow but correct substring search (no index)."""
    with db.session() as s:
        q = (select(Version.id, Version.source_id, Source.company, Source.title,
                    Version.fetched_at, Version.text)
             .join(Source, Source.id == Version.source_id).order_by(Version.id.desc()))
        for t in terms:
            q = q.where(Version.text.ilike(f"%{t}%"))
        if source_id:
            q = q.where(Version.source_id == source_id)
        rows = s.execute(q.limit(limit).offset(offset)).all()
    hits = []
    for r in rows:
        i = r.text.lower().find(terms[0].lower())
        start = max(0, i - 80)
        snip = r.text[start:i] + MARK_START + r.text[i:i + len(terms[0])] + MARK_END + \
            r.text[i + len(terms[0]):i + 120]
        hits.append(SearchHit(r.id, r.source_id, r.company, r.title, r.fetched_at, snip))
    return hits


def _hit(r: Row[Any]) -> SearchHit:
    fetched = r.fetched_at
    if isinstance(fetched, str):  # text() queries bypass the UTCDateTime type on SQLite
        from datetime import UTC

        fetched = datetime.fromisoformat(fetched)
        fetched = fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC)
    return SearchHit(version_id=r.id, source_id=r.source_id, company=r.company, title=r.title,
                     fetched_at=fetched, snippet=r.snip or "")
