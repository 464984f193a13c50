"""The repository: every read and write the rest of framewatch needs, as plain values.

Writes that belong together (a check, its snapshot, the version, the change and its outbox rows)
happen in one transaction in :meth:`Repository.record_check`, so a crash leaves either all of them
or none.
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from differ.model import SEVERITIES
from storage.db import Database
from storage.ledger import write_version_ledger
from storage.records import (
    ChangeInfo,
    CheckInfo,
    NewChange,
    NewCheck,
    NewSnapshot,
    NewVersion,
    SourceInfo,
    VersionInfo,
    compress,
)
from storage.tables import changes, check_validators, deliveries, snapshots, versions

# Imported under these names because `checks` and `sources` are also parameter names below.
from storage.tables import checks as checks_table
from storage.tables import sources as sources_table


def decompress(data: bytes, compression: str) -> bytes:
    if compression == "zlib":
        return zlib.decompress(data)
    if compression == "none":
        return data
    raise ValueError(f"unknown snapshot compression {compression!r}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_info(s: Any) -> SourceInfo:
    return SourceInfo(
        id=s.id, company=s.company, title=s.title, url=s.url, kind=s.kind, enabled=s.enabled,
        origin=s.origin, settings=dict(s.settings or {}), consecutive_failures=s.consecutive_failures,
        health=s.health, discovered_from=s.discovered_from,
    )


def _check_info(c: Any) -> CheckInfo:
    return CheckInfo(
        id=c.id, source_id=c.source_id, url=c.url, final_url=c.final_url, started_at=c.started_at,
        status=c.status, http_status=c.http_status, error_kind=c.error_kind,
        error_message=c.error_message, fetcher=c.fetcher, elapsed_ms=c.elapsed_ms, etag=c.etag,
        last_modified=c.last_modified, snapshot_sha256=c.snapshot_sha256, attempts=c.attempts,
        headers=c.headers, warnings=tuple(c.warnings or ()),
    )


def _version_info(v: Any, with_text: bool = False) -> VersionInfo:
    return VersionInfo(
        id=v.id, source_id=v.source_id, snapshot_sha256=v.snapshot_sha256,
        document_url=v.document_url, text_sha256=v.text_sha256,
        extractor_version=v.extractor_version, fetched_at=v.fetched_at, kind=v.kind,
        title=v.title, text=v.text if with_text else None, rules_fingerprint=v.rules_fingerprint,
    )


def _change_info(c: Any, with_diff: bool = False) -> ChangeInfo:
    return ChangeInfo(
        id=c.id, source_id=c.source_id, old_version_id=c.old_version_id,
        new_version_id=c.new_version_id, severity=c.severity,
        categories=tuple(c.categories or ()), signals=tuple(c.signals or ()), summary=c.summary,
        detected_at=c.detected_at, diff=c.diff if with_diff else None,
    )


# Column collections of the tables every method reads (rows are Core rows, read by name).
S, C, V, CH = sources_table.c, checks_table.c, versions.c, changes.c
#: The versions table without its text: reads that leave the text out never load it.
_VERSION_NO_TEXT = tuple(col for col in versions.c if col.name != "text")
_VALIDATED = ("ok", "unchanged", "not_modified")


def _source_changes(row: Any, info: SourceInfo) -> dict[str, Any]:
    """The columns of an existing source row that the config changes (none: no UPDATE)."""
    wanted = {"company": info.company, "title": info.title, "url": info.url, "kind": info.kind,
              "settings": info.settings, "enabled": info.enabled}
    if row.origin == "discovered" and info.origin == "config":
        wanted["origin"] = "config"
    return {k: v for k, v in wanted.items() if getattr(row, k) != v}


class Repository:
    def __init__(self, db: Database) -> None:
        self.db = db
        #: called first inside every write transaction of the run cycle; it raises to refuse
        #: the write (a cycle whose lease was taken must not write: storage.lock.fence)
        self.fence: Callable[[Connection], None] | None = None

    def _fenced(self, conn: Connection) -> None:
        if self.fence is not None:
            self.fence(conn)

    # ---- sources -------------------------------------------------------------------------
    def sync_sources(self, sources: Iterable[SourceInfo]) -> None:
        """Make the sources table match the config; sources dropped from the config are disabled
        (never deleted: their history stays browsable), and so are the sources an index
        discovered when that index is dropped or disabled.

        Only the rows whose values differ are written, so a run on an unchanged config
        takes no write lock here."""
        wanted = {s.id: s for s in sources}
        with self.db.transaction() as conn:
            existing = {row.id: row for row in conn.execute(select(sources_table))}
            added = [{"id": sid, "company": info.company, "title": info.title, "url": info.url,
                      "kind": info.kind, "settings": info.settings, "enabled": info.enabled,
                      "origin": info.origin, "discovered_from": info.discovered_from}
                     for sid, info in wanted.items() if sid not in existing]
            updates: dict[str, dict[str, Any]] = {}
            for sid, info in wanted.items():
                if sid in existing:
                    updates[sid] = _source_changes(existing[sid], info)
            for sid, row in existing.items():
                if sid not in wanted and row.origin == "config" and row.enabled:
                    updates[sid] = {"enabled": False}
                elif sid not in wanted and row.origin == "discovered":
                    # A discovered document is watched because its index is: it follows the
                    # index out of (and back into) the config.
                    parent = wanted.get(row.discovered_from or "")
                    enabled = parent is not None and parent.enabled
                    if row.enabled != enabled:
                        updates[sid] = {"enabled": enabled}
            if added:
                conn.execute(sources_table.insert(), added)
            for sid, values in updates.items():
                if values:
                    conn.execute(update(sources_table).where(S.id == sid).values(**values))

    def add_discovered_source(self, info: SourceInfo) -> bool:
        """Add a source found on an index page; False when it already exists, or when an enabled
        source already watches its URL (two sources on one URL would alert twice)."""
        with self.db.transaction() as conn:
            self._fenced(conn)
            if conn.execute(select(S.id).where(S.id == info.id)).first() is not None:
                return False
            if conn.execute(select(S.id).where(S.url == info.url, S.enabled.is_(True))
                            .limit(1)).first() is not None:
                return False
            conn.execute(sources_table.insert(), {
                "id": info.id, "company": info.company, "title": info.title, "url": info.url,
                "kind": info.kind, "settings": info.settings, "enabled": True,
                "origin": "discovered", "discovered_from": info.discovered_from})
            return True

    def list_sources(self, *, enabled_only: bool = False) -> list[SourceInfo]:
        with self.db.transaction() as conn:
            q = select(sources_table).order_by(S.company, S.id)
            if enabled_only:
                q = q.where(S.enabled.is_(True))
            return [_source_info(r) for r in conn.execute(q)]

    def get_source(self, source_id: str) -> SourceInfo | None:
        with self.db.transaction() as conn:
            row = conn.execute(select(sources_table).where(S.id == source_id)).first()
            return _source_info(row) if row else None

    # ---- reads used by the cycle -----------------------------------------------------------
    def last_validators(self, source_id: str, url: str) -> tuple[str | None, str | None]:
        """ETag / Last-Modified of the last successful fetch of this URL, for a conditional GET.

        Only used when the latest version still exists: a validator must never hide a document
        whose stored history was lost or re-extracted."""
        vc = check_validators.c
        with self.db.transaction() as conn:
            row = conn.execute(select(vc.etag, vc.last_modified)
                               .where(vc.source_id == source_id, vc.url == url)).first()
            return (row[0], row[1]) if row else (None, None)

    def latest_version(self, source_id: str, *, with_text: bool = False,
                       document_url: str | None = None) -> VersionInfo | None:
        with self.db.transaction() as conn:
            q = select(versions).where(V.source_id == source_id)
            if document_url is not None:
                q = q.where(V.document_url == document_url)
            row = conn.execute(q.order_by(V.fetched_at.desc(), V.id.desc()).limit(1)).first()
            return _version_info(row, with_text) if row else None

    def cycle_state(self) -> tuple[dict[str, VersionInfo], dict[tuple[str, str], tuple[str | None, str | None]]]:
        """Everything a cycle needs to know up front, in two queries instead of several per
        source: the latest version of every source, and the validators (ETag, Last-Modified) of
        the last successful fetch of every (source, URL)."""
        with self.db.transaction() as conn:
            # "Latest" is by fetch time, not id: backfilled archive captures get higher ids.
            ranked = select(V.id, func.row_number().over(
                partition_by=V.source_id,
                order_by=(V.fetched_at.desc(), V.id.desc())).label("rank")).subquery()
            latest_ids = select(ranked.c.id).where(ranked.c.rank == 1)
            # Without the text: 1,000 latest versions are ~35 MB of it, read for nothing (the
            # VersionInfo leaves it out); warm-cycle memory grew with it, ~60 KB per source.
            found = {v.source_id: _version_info(v)
                     for v in conn.execute(select(*_VERSION_NO_TEXT)
                                           .where(V.id.in_(latest_ids)))}
            vc = check_validators.c
            rows = conn.execute(select(vc.source_id, vc.url, vc.etag, vc.last_modified)).all()
            validators = {(r[0], r[1]): (r[2], r[3]) for r in rows}
        return found, validators

    def recent_text_hashes(self, source_id: str, limit: int) -> list[tuple[int, str]]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                select(V.id, V.text_sha256).where(V.source_id == source_id)
                .order_by(V.fetched_at.desc(), V.id.desc()).limit(limit)
            ).all()
            return [(r[0], r[1]) for r in rows]

    def version_text(self, version_id: int) -> str:
        with self.db.transaction() as conn:
            text = conn.scalar(select(V.text).where(V.id == version_id))
            if text is None:
                raise KeyError(version_id)
            return text

    # ---- the write path ------------------------------------------------------------------------
    def record_check(
        self,
        check: NewCheck,
        *,
        snapshot: NewSnapshot | None = None,
        version: NewVersion | None = None,
        change: NewChange | None = None,
        previous_version_id: int | None = None,
        failed: bool = False,
    ) -> tuple[int, int | None, int | None]:
        """Write one fetch's outcome in ONE transaction: check, snapshot, version, change, outbox.

        Returns (check id, version id, change id)."""
        with self.db.transaction() as conn:
            self._fenced(conn)
            return _write_check(conn, check, snapshot=snapshot, version=version, change=change,
                                previous_version_id=previous_version_id, failed=failed)

    def record_checks(self, checks: list[NewCheck]) -> None:
        """Many checks that carry no snapshot or version, in one transaction (bulk insert),
        and the failure streak of their sources reset."""
        if not checks:
            return
        rows = [_check_row(c, None) for c in checks]
        with self.db.transaction() as conn:
            self._fenced(conn)
            conn.execute(checks_table.insert(), rows)
            conn.execute(update(sources_table).where(S.id.in_({c.source_id for c in checks}))
                         .values(consecutive_failures=0))
            _keep_validators(conn, checks)

    # ---- reads for the CLI and the web UI ------------------------------------------------------
    def history(self, source_id: str | None = None, limit: int | None = None) -> list[VersionInfo]:
        with self.db.transaction() as conn:
            q = select(*_VERSION_NO_TEXT).order_by(V.fetched_at.desc(), V.id.desc())
            if source_id:
                q = q.where(V.source_id == source_id)
            if limit:
                q = q.limit(limit)
            return [_version_info(v) for v in conn.execute(q)]

    def get_version(self, version_id: int, *, with_text: bool = True) -> VersionInfo | None:
        with self.db.transaction() as conn:
            columns = versions.c if with_text else _VERSION_NO_TEXT
            v = conn.execute(select(*columns).where(V.id == version_id)).first()
            return _version_info(v, with_text) if v else None

    def get_change(self, change_id: int) -> ChangeInfo | None:
        with self.db.transaction() as conn:
            c = conn.execute(select(changes).where(CH.id == change_id)).first()
            return _change_info(c, with_diff=True) if c else None

    def change_for_version(self, version_id: int) -> ChangeInfo | None:
        with self.db.transaction() as conn:
            c = conn.execute(select(changes).where(CH.new_version_id == version_id)).first()
            return _change_info(c, with_diff=True) if c else None

    def changes(self, *, since: datetime | None = None, min_severity: str | None = None,
                source_id: str | None = None, limit: int | None = None) -> list[ChangeInfo]:
        with self.db.transaction() as conn:
            q = select(changes).order_by(CH.detected_at.desc(), CH.id.desc())
            if since is not None:
                q = q.where(CH.detected_at >= since)
            if min_severity:
                q = q.where(CH.severity.in_(SEVERITIES[SEVERITIES.index(min_severity):]))
            if source_id:
                q = q.where(CH.source_id == source_id)
            if limit:
                q = q.limit(limit)
            return [_change_info(c) for c in conn.execute(q)]

    def checks(self, source_id: str, limit: int = 50) -> list[CheckInfo]:
        with self.db.transaction() as conn:
            q = (select(checks_table).where(C.source_id == source_id)
                 .order_by(C.id.desc()).limit(limit))
            return [_check_info(c) for c in conn.execute(q)]

    def last_checks(self) -> dict[str, CheckInfo]:
        """The latest check of every source, in one query (the dashboard and `sources list`)."""
        with self.db.transaction() as conn:
            latest = select(C.source_id, func.max(C.id).label("mid")).group_by(
                C.source_id).subquery()
            rows = conn.execute(select(checks_table).join(latest, C.id == latest.c.mid))
            return {c.source_id: _check_info(c) for c in rows}

    def snapshot_bytes(self, sha256: str) -> tuple[bytes, str | None]:
        with self.db.transaction() as conn:
            snap = conn.execute(select(_SNAPSHOTS.c.data, _SNAPSHOTS.c.compression,
                                       _SNAPSHOTS.c.content_type)
                                .where(_SNAPSHOTS.c.sha256 == sha256)).first()
            if snap is None:
                raise KeyError(sha256)
            return decompress(snap.data, snap.compression), snap.content_type

    def set_source_health(self, source_id: str, health: str, since: datetime | None) -> None:
        with self.db.transaction() as conn:
            conn.execute(update(sources_table).where(S.id == source_id)
                         .values(health=health, health_since=since))

    def counts(self) -> dict[str, int]:
        with self.db.transaction() as conn:
            return {
                name: conn.scalar(select(func.count()).select_from(table)) or 0
                for name, table in (("sources", sources_table), ("checks", checks_table),
                                    ("snapshots", _SNAPSHOTS), ("versions", versions),
                                    ("changes", changes), ("deliveries", _DELIVERIES))
            }

    # ---- history written after the fact: archive backfill, re-extraction, export -----------------
    def insert_history_version(self, source_id: str, version: NewVersion, *,
                               snapshot: NewSnapshot | None = None,
                               snapshot_sha256: str | None = None,
                               change: NewChange | None = None,
                               previous_version_id: int | None = None) -> tuple[int, int | None]:
        """Add a version (and its change) that no live fetch produced: an Internet Archive
        capture or a re-extraction. Written in one transaction, with no Check row (it was not a
        fetch: the dashboard's "last check" must stay the last real one) and no Delivery rows
        whatever ``change.channels`` says (history is never alerted). Returns (version id,
        change id)."""
        with self.db.transaction() as conn:
            if snapshot is not None:
                _put_snapshot(conn, snapshot)
                snapshot_sha256 = snapshot.sha256
            version_id = conn.execute(versions.insert(), {
                "source_id": source_id, "snapshot_sha256": snapshot_sha256, "check_id": None,
                "document_url": version.document_url, "text": version.text,
                "text_sha256": version.text_sha256, "title": version.title,
                "extractor_version": version.extractor_version,
                "rules_fingerprint": version.rules_fingerprint,
                "fetched_at": version.fetched_at, "kind": version.kind,
            }).inserted_primary_key[0]
            if version.ledger is not None:
                write_version_ledger(conn, version_id, source_id, version.fetched_at,
                                     version.ledger)
            change_id = None
            if change is not None:
                change_id = _add_change(conn, source_id, previous_version_id, version_id, change)
            return version_id, change_id

    def set_rules_fingerprint(self, version_id: int, fingerprint: str) -> None:
        """Record that `version_id`'s text is also what the rules `fingerprint` give (its
        snapshot was re-extracted under them with the same result)."""
        with self.db.transaction() as conn:
            conn.execute(update(versions).where(V.id == version_id)
                         .values(rules_fingerprint=fingerprint))

    def add_change_if_missing(self, source_id: str, old_version_id: int, new_version_id: int,
                              change: NewChange) -> int | None:
        """Link a version that has no change yet to a predecessor found later (a live "first"
        version once older archive captures exist). No Delivery rows. None if it had one."""
        with self.db.transaction() as conn:
            if conn.scalar(select(CH.id).where(CH.new_version_id == new_version_id)):
                return None
            return _add_change(conn, source_id, old_version_id, new_version_id, change)

    def final_urls(self, source_id: str) -> dict[int, str | None]:
        """version id → the final URL (after redirects) of the check that produced it."""
        with self.db.transaction() as conn:
            rows = conn.execute(select(V.id, C.final_url)
                                .join(checks_table, C.id == V.check_id)
                                .where(V.source_id == source_id)).all()
            return {r[0]: r[1] for r in rows}


def _write_check(conn: Connection, check: NewCheck, *, snapshot: NewSnapshot | None,
                 version: NewVersion | None, change: NewChange | None,
                 previous_version_id: int | None, failed: bool) -> tuple[int, int | None, int | None]:
    """The rows of one fetch, inside the caller's transaction."""
    if snapshot is not None:
        _put_snapshot(conn, snapshot)
    sha = snapshot.sha256 if snapshot else None
    check_id = conn.execute(_CHECKS.insert(), _check_row(check, sha)).inserted_primary_key[0]
    version_id = change_id = None
    if version is not None:
        version_id = conn.execute(_VERSIONS.insert(), {
            "source_id": check.source_id, "snapshot_sha256": sha, "check_id": check_id,
            "document_url": version.document_url, "text": version.text,
            "text_sha256": version.text_sha256, "title": version.title,
            "extractor_version": version.extractor_version, "fetched_at": version.fetched_at,
            "kind": version.kind, "rules_fingerprint": version.rules_fingerprint,
        }).inserted_primary_key[0]
        if version.ledger is not None:
            write_version_ledger(conn, version_id, check.source_id, version.fetched_at,
                                 version.ledger, new_version=True)
        if change is not None:
            change_id = _add_change(conn, check.source_id, previous_version_id, version_id,
                                    change)
            if change.channels:
                conn.execute(_DELIVERIES.insert(), [
                    {"change_id": change_id, "channel": channel, "kind": "change",
                     "idempotency_key": f"change-{change_id}-{channel}"}
                    for channel in change.channels])
    conn.execute(_FAILED_AGAIN if failed else _SUCCEEDED, {"source": check.source_id})
    _keep_validators(conn, [check])
    return check_id, version_id, change_id


_CHECKS = checks_table
_VERSIONS = versions
_CHANGES = changes
_DELIVERIES = deliveries
_SOURCES = sources_table
_SNAPSHOTS = snapshots
# The failure streak after a check, built once (every fetch runs one of them).
_FAILED_AGAIN = (_SOURCES.update().where(_SOURCES.c.id == bindparam("source"))
                 .values(consecutive_failures=_SOURCES.c.consecutive_failures + 1))
_SUCCEEDED = (_SOURCES.update().where(_SOURCES.c.id == bindparam("source"))
              .values(consecutive_failures=0))


def _check_row(check: NewCheck, snapshot_sha256: str | None) -> dict[str, Any]:
    return {
        "source_id": check.source_id, "run_id": check.run_id, "url": check.url,
        "final_url": check.final_url, "started_at": check.started_at,
        "elapsed_ms": check.elapsed_ms, "status": check.status, "http_status": check.http_status,
        "error_kind": check.error_kind, "error_message": check.error_message,
        "fetcher": check.fetcher, "attempts": check.attempts, "etag": check.etag,
        "last_modified": check.last_modified, "headers": check.headers,
        "snapshot_sha256": snapshot_sha256, "warnings": list(check.warnings) or None,
    }


def _add_change(conn: Connection, source_id: str, old_version_id: int | None,
                new_version_id: int, change: NewChange) -> int:
    return conn.execute(_CHANGES.insert(), {
        "source_id": source_id, "old_version_id": old_version_id,
        "new_version_id": new_version_id, "severity": change.severity,
        "categories": list(change.categories), "signals": list(change.signals),
        "summary": change.summary, "diff": change.diff, "detected_at": change.detected_at,
    }).inserted_primary_key[0]


def _put_snapshot(conn: Connection, snap: NewSnapshot) -> None:
    """Content-addressed: the same bytes are stored once, whoever served them.

    One statement where the dialect has an upsert (SQLite, PostgreSQL): ``INSERT … ON CONFLICT
    DO NOTHING`` instead of a lookup and an insert. Elsewhere the existence check selects the
    key only (never the stored compressed bytes)."""
    row = {"sha256": snap.sha256, "content_type": snap.content_type, "size": len(snap.body),
           "compression": "zlib",
           "data": snap.compressed if snap.compressed is not None else compress(snap.body)}
    statement = _snapshot_upsert(conn.dialect.name)
    if statement is not None:
        conn.execute(statement, row)
        return
    if conn.execute(select(_SNAPSHOTS.c.sha256).where(_SNAPSHOTS.c.sha256 == snap.sha256)).first():
        return
    conn.execute(_SNAPSHOTS.insert(), row)


@functools.cache
def _snapshot_upsert(dialect: str) -> Any:
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        return None
    return dialect_insert(_SNAPSHOTS).on_conflict_do_nothing(index_elements=["sha256"])


def _keep_validators(conn: Connection, written: list[NewCheck]) -> None:
    """``check_validators`` after these checks: each successful fetch's ETag and Last-Modified
    become its URL's (the newest check of a URL wins, as the newest check id did).

    An upsert that leaves a row alone when its values did not change: on a day of 304s nearly
    every URL answers with the validators it already has, and no page of the table is written.
    """
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for c in written:
        if c.status in _VALIDATED:
            latest[(c.source_id, c.url)] = {"source_id": c.source_id, "url": c.url,
                                            "etag": c.etag, "last_modified": c.last_modified}
    if not latest:
        return
    statement = _validators_upsert(conn.dialect.name)
    if statement is not None:
        conn.execute(statement, list(latest.values()))
        return
    for key, row in latest.items():
        conn.execute(check_validators.delete().where(
            check_validators.c.source_id == key[0], check_validators.c.url == key[1]))
        conn.execute(check_validators.insert(), row)


@functools.cache
def _validators_upsert(dialect: str) -> Any:
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        return None
    new = dialect_insert(check_validators)
    kept = check_validators.c
    return new.on_conflict_do_update(
        index_elements=["source_id", "url"],
        set_={"etag": new.excluded.etag, "last_modified": new.excluded.last_modified},
        where=kept.etag.is_distinct_from(new.excluded.etag)
        | kept.last_modified.is_distinct_from(new.excluded.last_modified))


def severity_at_least(severity: str, minimum: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(minimum)

