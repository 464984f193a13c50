"""ORM classes mapped onto the Core tables of :mod:`storage.tables`, for the code that browses
history (the web UI's reads, integrity checks, CLI reports) and likes relationships.

The schema itself lives in :mod:`storage.tables`: `framewatch run` uses those tables through
Core only and never imports this module (nor ``sqlalchemy.orm``). The annotations below are for
readers and type checkers; the columns come from each ``__table__``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship

from storage import tables
from storage.tables import UTCDateTime, utcnow

__all__ = ["Base", "UTCDateTime", "utcnow", "Source", "Snapshot", "Check", "Version", "Change",
           "Delivery", "Lock", "CommitmentSet", "CommitmentRow", "CommitmentChangeRow",
           "LedgerCell", "LedgerCellMove", "LedgerCellWeakening", "LedgerVersionStrengths"]


class Base(DeclarativeBase):
    metadata = tables.metadata


class Source(Base):
    __table__ = tables.sources

    id: Mapped[str]
    company: Mapped[str]
    title: Mapped[str]
    url: Mapped[str]
    kind: Mapped[str]
    settings: Mapped[dict[str, Any]]
    enabled: Mapped[bool]
    origin: Mapped[str]
    discovered_from: Mapped[str | None]
    created_at: Mapped[datetime]
    # Source health: counted per run so the maintainer hears once, not every cycle.
    consecutive_failures: Mapped[int]
    health: Mapped[str]
    health_since: Mapped[datetime | None]

    versions: Mapped[list[Version]] = relationship(back_populates="source")


class Snapshot(Base):
    __table__ = tables.snapshots

    sha256: Mapped[str]
    content_type: Mapped[str | None]
    size: Mapped[int]
    compression: Mapped[str]
    data: Mapped[bytes]
    created_at: Mapped[datetime]


class Check(Base):
    """One fetch attempt of one source, successful or not."""

    __table__ = tables.checks

    id: Mapped[int]
    source_id: Mapped[str]
    run_id: Mapped[str | None]
    url: Mapped[str]
    final_url: Mapped[str | None]
    started_at: Mapped[datetime]
    elapsed_ms: Mapped[int | None]
    # ok (new version) | unchanged | not_modified | error
    status: Mapped[str]
    http_status: Mapped[int | None]
    error_kind: Mapped[str | None]
    error_message: Mapped[str | None]
    fetcher: Mapped[str]
    attempts: Mapped[int]
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]
    headers: Mapped[dict[str, Any] | None]
    snapshot_sha256: Mapped[str | None]
    warnings: Mapped[list[Any] | None]


class Version(Base):
    __table__ = tables.versions

    id: Mapped[int]
    source_id: Mapped[str]
    snapshot_sha256: Mapped[str | None]
    check_id: Mapped[int | None]
    document_url: Mapped[str]
    text: Mapped[str]
    text_sha256: Mapped[str]
    title: Mapped[str | None]
    extractor_version: Mapped[str]
    # hash of the select/remove/ignore rules + extractor that made `text` (NULL: not recorded)
    rules_fingerprint: Mapped[str | None]
    fetched_at: Mapped[datetime]
    # first | change | technical | archived | removed | reverted
    kind: Mapped[str]

    source: Mapped[Source] = relationship(back_populates="versions")


class Change(Base):
    __table__ = tables.changes

    id: Mapped[int]
    source_id: Mapped[str]
    old_version_id: Mapped[int | None]
    new_version_id: Mapped[int]
    severity: Mapped[str]
    categories: Mapped[list[Any]]
    signals: Mapped[list[Any]]
    summary: Mapped[str]
    diff: Mapped[dict[str, Any]]
    detected_at: Mapped[datetime]

    old_version: Mapped[Version | None] = relationship(
        foreign_keys=[tables.changes.c.old_version_id])
    new_version: Mapped[Version] = relationship(
        foreign_keys=[tables.changes.c.new_version_id])


class Delivery(Base):
    """Outbox row: one per (change, channel), written in the Change's transaction."""

    __table__ = tables.deliveries

    id: Mapped[int]
    change_id: Mapped[int | None]
    channel: Mapped[str]
    kind: Mapped[str]
    status: Mapped[str]
    attempts: Mapped[int]
    last_error: Mapped[str | None]
    next_attempt_at: Mapped[datetime | None]
    attempt_started_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    idempotency_key: Mapped[str]
    payload: Mapped[dict[str, Any] | None]


class Lock(Base):
    """A named lease so only one cycle runs at a time, across processes and hosts."""

    __table__ = tables.locks

    name: Mapped[str]
    owner: Mapped[str]
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class CommitmentSet(Base):
    """Marks a version whose commitments were derived, and by which model: derived data that
    `framewatch commitments --rebuild` (and `reextract`) can always recompute from the text."""

    __table__ = tables.commitment_sets

    version_id: Mapped[int]
    source_id: Mapped[str]
    model: Mapped[str]
    count: Mapped[int]
    computed_at: Mapped[datetime]


class CommitmentRow(Base):
    """One commitment sentence of one version (the ledger's unit)."""

    __table__ = tables.commitments

    id: Mapped[int]
    version_id: Mapped[int]
    # No index of its own: ix_commitments_source_key leads with it.
    source_id: Mapped[str]
    position: Mapped[int]
    key: Mapped[str]
    text: Mapped[str]
    section: Mapped[str]
    category: Mapped[str]
    codebook: Mapped[str]
    seoul: Mapped[str]
    strength: Mapped[int]
    data: Mapped[dict[str, Any]]


class CommitmentChangeRow(Base):
    """One traced commitment of one version pair: its outcome and whether it was disclosed."""

    __table__ = tables.commitment_changes

    id: Mapped[int]
    source_id: Mapped[str]
    old_version_id: Mapped[int | None]
    new_version_id: Mapped[int]
    detected_at: Mapped[datetime]
    position: Mapped[int]
    outcome: Mapped[str]
    material: Mapped[bool]
    old_key: Mapped[str | None]
    new_key: Mapped[str | None]
    category: Mapped[str]
    codebook: Mapped[str]
    seoul: Mapped[str]
    disclosure: Mapped[str | None]
    data: Mapped[dict[str, Any]]



# ---- the matrix's summary of the ledger, kept by storage.ledger in the ledger's own transaction ----

class LedgerCell(Base):
    """How many commitments the source's current version makes per (Seoul key, code), and the
    strongest of them: the matrix's counts without reading any version's rows."""

    __table__ = tables.ledger_cells

    source_id: Mapped[str]
    seoul: Mapped[str]
    codebook: Mapped[str]
    version_id: Mapped[int]
    count: Mapped[int]
    strongest: Mapped[int]


class LedgerCellMove(Base):
    """A source's newest material change per (Seoul key, code, outcome)."""

    __table__ = tables.ledger_cell_moves

    source_id: Mapped[str]
    seoul: Mapped[str]
    codebook: Mapped[str]
    outcome: Mapped[str]
    last_at: Mapped[datetime]
    last_version_id: Mapped[int]


class LedgerCellWeakening(Base):
    """How many weakening changes (W, X, L) a source made per (Seoul key, code) and day: the
    matrix's "weakenings in the last 12 months" sums a year of days."""

    __table__ = tables.ledger_cell_weakenings

    source_id: Mapped[str]
    seoul: Mapped[str]
    codebook: Mapped[str]
    day: Mapped[date]
    count: Mapped[int]


class LedgerVersionStrengths(Base):
    """How many commitments of one version sit at each obligation strength: the company page's
    "strength over versions" chart without counting any version's rows."""

    __table__ = tables.ledger_version_strengths

    version_id: Mapped[int]
    source_id: Mapped[str]
    strength_1: Mapped[int]
    strength_2: Mapped[int]
    strength_3: Mapped[int]
    strength_4: Mapped[int]
