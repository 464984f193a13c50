"""The schema as SQLAlchemy Core tables: the data model, nothing more.

A *snapshot* is what was fetched (raw bytes, content-addressed); a *version* is the extracted
text of a document at a point in time. Keeping the two apart lets `reextract` rebuild history
when the extractor improves, and lets two URLs that served the same bytes share one snapshot.

Core rather than ORM declarations: `framewatch run` reads and writes these tables through Core
statements only, because importing ``sqlalchemy.orm`` and building the mapped classes cost
about 70 ms of a 0.4 s no-change run of 100 sources. :mod:`storage.models` maps ORM classes
onto these same tables for the code that browses history (web UI, CLI reports).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


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


metadata = MetaData()


def _when(name: str, *, nullable: bool = False, default: Any = None) -> Column[Any]:
    return Column(name, UTCDateTime(), nullable=nullable, default=default)


sources = Table(
    "sources", metadata,
    Column("id", String(200), primary_key=True),
    Column("company", String(200), nullable=False),
    Column("title", String(500), nullable=False),
    Column("url", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("settings", JSON, nullable=False, default=dict),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("origin", String(20), nullable=False, default="config"),  # config | discovered
    Column("discovered_from", String(200), nullable=True),
    _when("created_at", default=utcnow),
    # Source health: counted per run so the maintainer hears once, not every cycle.
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("health", String(20), nullable=False, default="ok"),  # ok | failing
    _when("health_since", nullable=True),
)

snapshots = Table(
    "snapshots", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content_type", String(200), nullable=True),
    Column("size", Integer, nullable=False),
    Column("compression", String(10), nullable=False, default="zlib"),
    Column("data", LargeBinary, nullable=False),
    _when("created_at", default=utcnow),
)

#: One fetch attempt of one source, successful or not.
checks = Table(
    "checks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("run_id", String(40), nullable=True, index=True),
    Column("url", Text, nullable=False),
    Column("final_url", Text, nullable=True),
    _when("started_at", default=utcnow),
    Column("elapsed_ms", Integer, nullable=True),
    # ok (new version) | unchanged | not_modified | error
    Column("status", String(20), nullable=False),
    Column("http_status", Integer, nullable=True),
    Column("error_kind", String(40), nullable=True),
    Column("error_message", Text, nullable=True),
    Column("fetcher", String(20), nullable=False, default="http"),
    Column("attempts", Integer, nullable=False, default=1),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("headers", JSON, nullable=True),
    Column("snapshot_sha256", ForeignKey("snapshots.sha256"), nullable=True, index=True),
    Column("warnings", JSON, nullable=True),
    Index("ix_checks_source_started", "source_id", "started_at"),
)

#: The validators (ETag, Last-Modified) of the last successful fetch of each (source, URL):
#: what the next cycle sends as If-None-Match / If-Modified-Since. Every check write keeps it
#: current, in the check's transaction, so a cycle reads one row per URL instead of grouping the
#: whole check history, which grows by one row per source and run (a year of daily runs over
#: 1,000 sources made that query 0.6 s of every run).
check_validators = Table(
    "check_validators", metadata,
    Column("source_id", String(200), primary_key=True),
    Column("url", Text, primary_key=True),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
)

versions = Table(
    "versions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("snapshot_sha256", ForeignKey("snapshots.sha256"), nullable=True, index=True),
    Column("check_id", ForeignKey("checks.id"), nullable=True),
    Column("document_url", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("text_sha256", String(64), nullable=False, index=True),
    Column("title", Text, nullable=True),
    Column("extractor_version", String(40), nullable=False),
    # hash of the select/remove/ignore rules + extractor that made `text` (NULL: not recorded)
    Column("rules_fingerprint", String(32), nullable=True),
    _when("fetched_at", default=utcnow),
    # first | change | technical | archived | removed | reverted
    Column("kind", String(20), nullable=False),
    Index("ix_versions_source_fetched", "source_id", "fetched_at"),
)

changes = Table(
    "changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("old_version_id", ForeignKey("versions.id"), nullable=True),
    Column("new_version_id", ForeignKey("versions.id"), nullable=False, unique=True),
    Column("severity", String(10), nullable=False, index=True),
    Column("categories", JSON, nullable=False, default=list),
    Column("signals", JSON, nullable=False, default=list),
    Column("summary", Text, nullable=False, default=""),
    # differ.model.DiffResult.to_json()
    Column("diff", JSON, nullable=False, default=dict),
    Column("detected_at", UTCDateTime(), nullable=False, default=utcnow, index=True),
)

#: Outbox row: one per (change, channel), written in the Change's transaction.
deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("change_id", ForeignKey("changes.id"), nullable=True),
    Column("channel", String(50), nullable=False),
    Column("kind", String(20), nullable=False, default="change"),  # change | digest | health
    Column("status", String(20), nullable=False, default="pending", index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    _when("next_attempt_at", nullable=True),
    _when("attempt_started_at", nullable=True),
    _when("sent_at", nullable=True),
    _when("created_at", default=utcnow),
    Column("idempotency_key", String(100), nullable=False, unique=True),
    Column("payload", JSON, nullable=True),
    UniqueConstraint("change_id", "channel", name="uq_delivery_change_channel"),
)

#: A named lease so only one cycle runs at a time, across processes and hosts.
locks = Table(
    "locks", metadata,
    Column("name", String(100), primary_key=True),
    Column("owner", String(200), nullable=False),
    _when("acquired_at", default=utcnow),
    _when("expires_at"),
)

#: Marks a version whose commitments were derived, and by which model: derived data that
#: `framewatch commitments --rebuild` (and `reextract`) can always recompute from the text.
commitment_sets = Table(
    "commitment_sets", metadata,
    Column("version_id", ForeignKey("versions.id"), primary_key=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("model", String(40), nullable=False),
    Column("count", Integer, nullable=False, default=0),
    _when("computed_at", default=utcnow),
)

#: One commitment sentence of one version (the ledger's unit).
commitments = Table(
    "commitments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version_id", ForeignKey("versions.id"), nullable=False),
    # No index of its own: ix_commitments_source_key leads with it.
    Column("source_id", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("key", String(80), nullable=False),
    Column("text", Text, nullable=False),
    Column("section", Text, nullable=False, default=""),
    Column("category", String(40), nullable=False),
    Column("codebook", String(10), nullable=False),
    Column("seoul", String(60), nullable=False, default=""),  # "I,II": groupable in SQL
    Column("strength", Integer, nullable=False),
    Column("data", JSON, nullable=False),  # Commitment.to_json()
    Index("ix_commitments_version_position", "version_id", "position"),
    Index("ix_commitments_source_key", "source_id", "key"),
    # Covers the matrix's count per cell without reading the rows' JSON.
    Index("ix_commitments_version_cell", "version_id", "source_id", "seoul", "codebook",
          "strength"),
)

#: One traced commitment of one version pair: its outcome and whether it was disclosed.
commitment_changes = Table(
    "commitment_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(200), nullable=False),
    Column("old_version_id", ForeignKey("versions.id"), nullable=True),
    Column("new_version_id", ForeignKey("versions.id"), nullable=False, index=True),
    _when("detected_at"),
    Column("position", Integer, nullable=False),
    Column("outcome", String(2), nullable=False),
    Column("material", Boolean, nullable=False),
    Column("old_key", String(80), nullable=True),
    Column("new_key", String(80), nullable=True),
    Column("category", String(40), nullable=False),
    Column("codebook", String(10), nullable=False),
    Column("seoul", String(60), nullable=False, default=""),
    Column("disclosure", String(6), nullable=True),
    Column("data", JSON, nullable=False),  # traced JSON + announced_by
    Index("ix_commitment_changes_source_detected", "source_id", "detected_at"),
    # The matrix reads material changes only (a few per version among the retained ones):
    # this index is what keeps it fast on a long history.
    Index("ix_commitment_changes_material", "material", "source_id", "seoul", "codebook",
          "outcome", "detected_at", "new_version_id"),
)

# ---- the matrix's summary of the ledger, kept by storage.ledger in the ledger's own transaction ----

#: How many commitments the source's current version makes per (Seoul key, code), and the
#: strongest of them: the matrix's counts without reading any version's rows.
ledger_cells = Table(
    "ledger_cells", metadata,
    Column("source_id", String(200), primary_key=True),
    Column("seoul", String(60), primary_key=True),
    Column("codebook", String(10), primary_key=True),
    Column("version_id", Integer, nullable=False),  # the version counted
    Column("count", Integer, nullable=False),
    Column("strongest", Integer, nullable=False),
)

#: A source's newest material change per (Seoul key, code, outcome).
ledger_cell_moves = Table(
    "ledger_cell_moves", metadata,
    Column("source_id", String(200), primary_key=True),
    Column("seoul", String(60), primary_key=True),
    Column("codebook", String(10), primary_key=True),
    Column("outcome", String(2), primary_key=True),
    _when("last_at"),
    Column("last_version_id", Integer, nullable=False),
)

#: How many weakening changes (W, X, L) a source made per (Seoul key, code) and day: the
#: matrix's "weakenings in the last 12 months" sums a year of days.
ledger_cell_weakenings = Table(
    "ledger_cell_weakenings", metadata,
    Column("source_id", String(200), primary_key=True),
    Column("seoul", String(60), primary_key=True),
    Column("codebook", String(10), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("count", Integer, nullable=False),
    Index("ix_ledger_cell_weakenings_day", "day", "source_id"),
)

#: How many commitments of one version sit at each obligation strength: the company page's
#: "strength over versions" chart without counting any version's rows.
ledger_version_strengths = Table(
    "ledger_version_strengths", metadata,
    Column("version_id", Integer, primary_key=True),
    Column("source_id", String(200), nullable=False),
    Column("strength_1", Integer, nullable=False, default=0),
    Column("strength_2", Integer, nullable=False, default=0),
    Column("strength_3", Integer, nullable=False, default=0),
    Column("strength_4", Integer, nullable=False, default=0),
)
