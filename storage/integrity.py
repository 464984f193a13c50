"""`framewatch db check`: is the stored history whole and true?

Checks what a crash, a bad restore or a hand edit could break, and what the write path promises
(storage.Repository.record_check writes check + snapshot + version + change + outbox together):

* every snapshot decompresses, and its bytes hash to its sha256 and have its recorded size;
* every version's snapshot exists (only ``removed`` versions have none), its check exists, and
  its text hashes to text_sha256;
* a source never has two consecutive versions with the same text (a duplicated version);
* every change links to existing versions of its own source, and every new version of kind
  change/reverted/removed has its change;
* every change delivery links to an existing change; statuses are known ones;
* SQLite: ``PRAGMA integrity_check`` and ``foreign_key_check``.

Snapshots are streamed in batches, so a multi-gigabyte database is checked in constant memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from storage.db import Database
from storage.models import Change, Check, Delivery, Snapshot, Version
from storage.repo import decompress

DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "digested")
VERSION_KINDS_WITH_CHANGE = ("change", "reverted", "removed")
MAX_PROBLEMS_PER_KIND = 50  # enough to act on; a broken restore would otherwise print millions


@dataclass(frozen=True)
class Problem:
    kind: str  # a stable slug: snapshot_hash, version_without_snapshot, …
    subject: str  # what is broken: "snapshot 3fa2…", "version 12"
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}: {self.detail}"


@dataclass(frozen=True)
class IntegrityReport:
    counts: dict[str, int]
    problems: tuple[Problem, ...] = ()
    truncated: dict[str, int] = field(default_factory=dict)  # kind → problems not listed

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "counts": self.counts,
                "problems": [{"kind": p.kind, "subject": p.subject, "detail": p.detail}
                             for p in self.problems],
                "not_listed": self.truncated}


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.per_kind: dict[str, int] = {}
        self.truncated: dict[str, int] = {}

    def add(self, kind: str, subject: str, detail: str) -> None:
        n = self.per_kind.get(kind, 0) + 1
        self.per_kind[kind] = n
        if n > MAX_PROBLEMS_PER_KIND:
            self.truncated[kind] = self.truncated.get(kind, 0) + 1
        else:
            self.problems.append(Problem(kind, subject, detail))


def check_database(db: Database, *, verify_hashes: bool = True) -> IntegrityReport:
    out = _Collector()
    counts: dict[str, int] = {}
    with db.session() as s:
        for name, model in (("snapshots", Snapshot), ("checks", Check), ("versions", Version),
                            ("changes", Change), ("deliveries", Delivery)):
            counts[name] = s.scalar(select(func.count()).select_from(model)) or 0
    if db.is_sqlite:
        _check_sqlite_file(db, out)
    if verify_hashes:
        _check_snapshots(db, out)
    _check_versions(db, out, verify_hashes)
    _check_changes(db, out)
    _check_deliveries(db, out)
    return IntegrityReport(counts, tuple(out.problems), dict(out.truncated))


def _check_sqlite_file(db: Database, out: _Collector) -> None:
    with db.engine.connect() as conn:
        for (message,) in conn.exec_driver_sql("PRAGMA integrity_check"):
            if message != "ok":
                out.add("sqlite_integrity", "database file", str(message))
        for row in conn.exec_driver_sql("PRAGMA foreign_key_check"):
            out.add("foreign_key", f"{row[0]} row {row[1]}", f"references missing {row[2]} row")


def _batched_snapshots(db: Database, batch: int = 200) -> Iterator[tuple[str, str, int, bytes]]:
    """Keyset pagination: constant memory and no long-lived cursor across backends."""
    last = ""
    while True:
        with db.session() as s:
            rows = s.execute(
                select(Snapshot.sha256, Snapshot.compression, Snapshot.size, Snapshot.data)
                .where(Snapshot.sha256 > last).order_by(Snapshot.sha256).limit(batch)
            ).all()
        if not rows:
            return
        for row in rows:
            yield row[0], row[1], row[2], row[3]
        last = rows[-1][0]


def _check_snapshots(db: Database, out: _Collector) -> None:
    for sha, compression, size, data in _batched_snapshots(db):
        subject = f"snapshot {sha[:16]}"
        try:
            body = decompress(data, compression)
        except Exception as exc:  # noqa: BLE001 - any failure to decompress is the finding
            out.add("snapshot_unreadable", subject, f"cannot decompress ({compression}): {exc}")
            continue
        actual = hashlib.sha256(body).hexdigest()
        if actual != sha:
            out.add("snapshot_hash", subject, f"stored bytes hash to {actual[:16]}…")
        elif len(body) != size:
            out.add("snapshot_size", subject, f"size {size} recorded, {len(body)} stored")


def _check_versions(db: Database, out: _Collector, verify_hashes: bool) -> None:
    with db.session() as s:
        missing_snapshot = s.execute(
            select(Version.id, Version.kind, Version.snapshot_sha256)
            .outerjoin(Snapshot, Snapshot.sha256 == Version.snapshot_sha256)
            .where(Snapshot.sha256.is_(None))
            .where((Version.snapshot_sha256.is_not(None)) | (Version.kind != "removed"))
            .order_by(Version.id)
        ).all()
        for vid, kind, sha in missing_snapshot:
            detail = (f"snapshot {sha[:16]}… does not exist" if sha
                      else f"a {kind} version must keep the raw bytes it was extracted from")
            out.add("version_without_snapshot", f"version {vid}", detail)
        missing_check = s.execute(
            select(Version.id, Version.check_id).outerjoin(Check, Check.id == Version.check_id)
            .where(Version.check_id.is_not(None), Check.id.is_(None)).order_by(Version.id)
        ).all()
        for vid, cid in missing_check:
            out.add("version_without_check", f"version {vid}", f"check {cid} does not exist")
        without_change = s.execute(
            select(Version.id, Version.kind)
            .outerjoin(Change, Change.new_version_id == Version.id)
            .where(Version.kind.in_(VERSION_KINDS_WITH_CHANGE), Change.id.is_(None))
            .order_by(Version.id)
        ).all()
        for vid, kind in without_change:
            out.add("version_without_change", f"version {vid}",
                    f"a {kind} version was recorded without its change")
    # Consecutive duplicates and text hashes: one pass per source, in id order.
    previous: dict[str, tuple[int, str, str]] = {}
    last_id = 0
    while True:
        with db.session() as s:
            cols = [Version.id, Version.source_id, Version.text_sha256, Version.document_url]
            if verify_hashes:
                cols.append(Version.text)
            rows = s.execute(select(*cols).where(Version.id > last_id)
                             .order_by(Version.id).limit(500)).all()
        if not rows:
            break
        for row in rows:
            vid, source_id, text_sha, doc_url = row[0], row[1], row[2], row[3]
            if verify_hashes:
                actual = hashlib.sha256(row[4].encode("utf-8")).hexdigest()
                if actual != text_sha:
                    out.add("version_text_hash", f"version {vid}",
                            f"text hashes to {actual[:16]}…, recorded {text_sha[:16]}…")
            prev = previous.get(source_id)
            if prev is not None and prev[1] == text_sha and prev[2] == doc_url:
                out.add("duplicate_version", f"version {vid}",
                        f"same text as the previous version {prev[0]} of {source_id}")
            previous[source_id] = (vid, text_sha, doc_url)
        last_id = rows[-1][0]


def _check_changes(db: Database, out: _Collector) -> None:
    old, new = aliased(Version), aliased(Version)
    with db.session() as s:
        rows = s.execute(
            select(Change.id, Change.source_id, Change.old_version_id, Change.new_version_id,
                   old.id, old.source_id, new.id, new.source_id)
            .outerjoin(old, old.id == Change.old_version_id)
            .outerjoin(new, new.id == Change.new_version_id)
            .where((new.id.is_(None)) | (new.source_id != Change.source_id)
                   | ((Change.old_version_id.is_not(None))
                      & ((old.id.is_(None)) | (old.source_id != Change.source_id))))
            .order_by(Change.id)
        ).all()
    for cid, source_id, old_id, new_id, old_found, old_src, new_found, new_src in rows:
        subject = f"change {cid}"
        if new_found is None:
            out.add("change_without_version", subject, f"new version {new_id} does not exist")
        elif new_src != source_id:
            out.add("change_version_source", subject, f"new version {new_id} is of {new_src}")
        if old_id is not None and old_found is None:
            out.add("change_without_version", subject, f"old version {old_id} does not exist")
        elif old_id is not None and old_src != source_id:
            out.add("change_version_source", subject, f"old version {old_id} is of {old_src}")


def _check_deliveries(db: Database, out: _Collector) -> None:
    with db.session() as s:
        rows = s.execute(
            select(Delivery.id, Delivery.change_id, Delivery.kind)
            .outerjoin(Change, Change.id == Delivery.change_id)
            .where(((Delivery.change_id.is_not(None)) & Change.id.is_(None))
                   | ((Delivery.kind == "change") & Delivery.change_id.is_(None)))
            .order_by(Delivery.id)
        ).all()
        for did, change_id, kind in rows:
            detail = (f"change {change_id} does not exist" if change_id is not None
                      else f"a {kind} delivery without a change")
            out.add("delivery_without_change", f"delivery {did}", detail)
        bad = s.execute(select(Delivery.id, Delivery.status)
                        .where(Delivery.status.not_in(DELIVERY_STATUSES)).order_by(Delivery.id)).all()
        for did, status in bad:
            out.add("delivery_status", f"delivery {did}", f"unknown status {status!r}")


def sqlite_quick_check(path: str) -> str:
    """`PRAGMA quick_check` of a SQLite file (used on backups before they replace anything)."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return "; ".join(str(r[0]) for r in conn.execute("PRAGMA quick_check"))
    finally:
        conn.close()

