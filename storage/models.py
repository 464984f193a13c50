"""SQLAlchemy models: the data model, nothing more.

A *snapshot* is what was fetched (raw bytes, content-addressed); a *version* is the extracted
text of a document at a point in time. Keeping the two apart lets `reextract` rebuild history
when the extractor improves, and lets two URLs that served the same bytes share one snapshot.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    company: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str] = mapped_column(String(20), default="config")  # config | discovered
    discovered_from: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Source health: counted per run so the maintainer hears once, not every cycle.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    health: Mapped[str] = mapped_column(String(20), default="ok")  # ok | failing
    health_since: Mapped[datetime | None] = mapped_column(nullable=True)

    versions: Mapped[list[Version]] = relationship(back_populates="source")


class Snapshot(Base):
    __tablename__ = "snapshots"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str | None] = mapped_column(String(200), nullable=True)
    size: Mapped[int] = mapped_column(Integer)
    compression: Mapped[str] = mapped_column(String(10), default="zlib")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Check(Base):
    """One fetch attempt of one source, successful or not."""

    __tablename__ = "checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    run_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # ok (new version) | unchanged | not_modified | error
    status: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    fetcher: Mapped[str] = mapped_column(String(20), default="http")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(Text, nullable=True)
    headers: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    snapshot_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("snapshots.sha256"), nullable=True, index=True
    )
    warnings: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (Index("ix_checks_source_started", "source_id", "started_at"),)


class Version(Base):
    __tablename__ = "versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    snapshot_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("snapshots.sha256"), nullable=True, index=True
    )
    check_id: Mapped[int | None] = mapped_column(ForeignKey("checks.id"), nullable=True)
    document_url: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    extractor_version: Mapped[str] = mapped_column(String(40))
    # hash of the select/remove/ignore rules + extractor that made `text` (NULL: not recorded)
    rules_fingerprint: Mapped[str | None] = mapped_column(String(32), nullable=True)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    # first | change | technical | archived | removed | reverted
    kind: Mapped[str] = mapped_column(String(20))

    source: Mapped[Source] = relationship(back_populates="versions")

    __table_args__ = (Index("ix_versions_source_fetched", "source_id", "fetched_at"),)


class Change(Base):
    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    old_version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"), nullable=True)
    new_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), unique=True)
    severity: Mapped[str] = mapped_column(String(10), index=True)
    categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    signals: Mapped[list[Any]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    diff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # differ.model.DiffResult.to_json()
    detected_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    old_version: Mapped[Version | None] = relationship(foreign_keys=[old_version_id])
    new_version: Mapped[Version] = relationship(foreign_keys=[new_version_id])


class Delivery(Base):
    """Outbox row: one per (change, channel), written in the Change's transaction."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id"), nullable=True)
    channel: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20), default="change")  # change | digest | health
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(nullable=True)
    attempt_started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (UniqueConstraint("change_id", "channel", name="uq_delivery_change_channel"),)


class Lock(Base):
    """A named lease so only one cycle runs at a time, across processes and hosts."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class CommitmentSet(Base):
    """Marks a version whose commitments were derived, and by which model: derived data that
    `framewatch commitments --rebuild` (and `reextract`) can always recompute from the text."""

    __tablename__ = "commitment_sets"

    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    model: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommitmentRow(Base):
    """One commitment sentence of one version (the ledger's unit)."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    # No index of its own: ix_commitments_source_key leads with it.
    source_id: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))
    codebook: Mapped[str] = mapped_column(String(10))
    seoul: Mapped[str] = mapped_column(String(60), default="")  # "I,II": groupable in SQL
    strength: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # Commitment.to_json()

    __table_args__ = (Index("ix_commitments_version_position", "version_id", "position"),
                      Index("ix_commitments_source_key", "source_id", "key"),
                      # Covers the matrix's count per cell without reading the rows' JSON.
                      Index("ix_commitments_version_cell", "version_id", "source_id", "seoul",
                            "codebook", "strength"))


class CommitmentChangeRow(Base):
    """One traced commitment of one version pair: its outcome and whether it was disclosed."""

    __tablename__ = "commitment_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(String(200))
    old_version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"), nullable=True)
    new_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    detected_at: Mapped[datetime] = mapped_column()
    position: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(2))
    material: Mapped[bool] = mapped_column(Boolean)
    old_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    new_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    category: Mapped[str] = mapped_column(String(40))
    codebook: Mapped[str] = mapped_column(String(10))
    seoul: Mapped[str] = mapped_column(String(60), default="")
    disclosure: Mapped[str | None] = mapped_column(String(6), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # traced JSON + announced_by

    __table_args__ = (Index("ix_commitment_changes_source_detected", "source_id", "detected_at"),
                      # The matrix reads material changes only (a few per version among the
                      # retained ones): this index is what keeps it fast on a long history.
                      Index("ix_commitment_changes_material", "material", "source_id",
                            "seoul", "codebook", "outcome", "detected_at", "new_version_id"))


# ---- the matrix's summary of the ledger, kept by storage.ledger in the ledger's own transaction ----

class LedgerCell(Base):
    """How many commitments the source's current version makes per (Seoul key, code), and the
    strongest of them: the matrix's counts without reading any version's rows."""

    __tablename__ = "ledger_cells"

    source_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    seoul: Mapped[str] = mapped_column(String(60), primary_key=True)
    codebook: Mapped[str] = mapped_column(String(10), primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer)  # the version counted
    count: Mapped[int] = mapped_column(Integer)
    strongest: Mapped[int] = mapped_column(Integer)


class LedgerCellMove(Base):
    """A source's newest material change per (Seoul key, code, outcome)."""

    __tablename__ = "ledger_cell_moves"

    source_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    seoul: Mapped[str] = mapped_column(String(60), primary_key=True)
    codebook: Mapped[str] = mapped_column(String(10), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(2), primary_key=True)
    last_at: Mapped[datetime] = mapped_column()
    last_version_id: Mapped[int] = mapped_column(Integer)


class LedgerCellWeakening(Base):
    """How many weakening changes (W, X, L) a source made per (Seoul key, code) and day: the
    matrix's "weakenings in the last 12 months" sums a year of days."""

    __tablename__ = "ledger_cell_weakenings"

    source_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    seoul: Mapped[str] = mapped_column(String(60), primary_key=True)
    codebook: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_ledger_cell_weakenings_day", "day", "source_id"),)


class LedgerVersionStrengths(Base):
    """How many commitments of one version sit at each obligation strength: the company page's
    "strength over versions" chart without counting any version's rows."""

    __tablename__ = "ledger_version_strengths"

    version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200))
    strength_1: Mapped[int] = mapped_column(Integer, default=0)
    strength_2: Mapped[int] = mapped_column(Integer, default=0)
    strength_3: Mapped[int] = mapped_column(Integer, default=0)
    strength_4: Mapped[int] = mapped_column(Integer, default=0)
