"""Plain values that leave storage/: nothing above this package touches SQLAlchemy rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from differ.policy import Decision
    from storage.ledger import VersionLedger

#: The database when neither --db, $FRAMEWATCH_DB nor [settings] database names one.
DEFAULT_DATABASE_URL = "sqlite:///framewatch.db"


MAX_LEDGER_TEXT = 400_000
"""Texts longer than this are not read for commitments (crawler.ledger_work.MAX_TEXT says why), so
a version that long is never pending."""


def iso(dt: datetime | None) -> str | None:
    """A stored time as the ISO text every output uses: UTC, ``Z`` suffix (None stays None)."""
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z") if dt else None


@dataclass(frozen=True)
class SourceInfo:
    id: str
    company: str
    title: str
    url: str
    kind: str
    enabled: bool
    origin: str
    settings: dict[str, Any] = field(default_factory=dict)
    consecutive_failures: int = 0
    health: str = "ok"
    discovered_from: str | None = None

    @property
    def changelog(self) -> str | None:
        """Id of the source that is the provider's own account of this document's revisions."""
        value = self.settings.get("changelog")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class CheckInfo:
    id: int
    source_id: str
    url: str
    final_url: str | None
    started_at: datetime
    status: str
    http_status: int | None
    error_kind: str | None
    error_message: str | None
    fetcher: str
    elapsed_ms: int | None
    etag: str | None
    last_modified: str | None
    snapshot_sha256: str | None
    attempts: int = 1
    headers: dict[str, Any] | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class VersionInfo:
    id: int
    source_id: str
    snapshot_sha256: str | None
    document_url: str
    text_sha256: str
    extractor_version: str
    fetched_at: datetime
    kind: str
    title: str | None = None
    text: str | None = None  # loaded on demand: texts are large
    rules_fingerprint: str | None = None  # the extraction rules that made the text


@dataclass(frozen=True)
class ChangeInfo:
    id: int
    source_id: str
    old_version_id: int | None
    new_version_id: int
    severity: str
    categories: tuple[str, ...]
    signals: tuple[str, ...]
    summary: str
    detected_at: datetime
    diff: dict[str, Any] | None = None


@dataclass(frozen=True)
class NewCheck:
    """What the cycle learned from one fetch attempt, to be written as a Check row."""

    source_id: str
    url: str
    started_at: datetime
    status: str
    final_url: str | None = None
    http_status: int | None = None
    error_kind: str | None = None
    error_message: str | None = None
    fetcher: str = "http"
    elapsed_ms: int | None = None
    attempts: int = 1
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] | None = None
    warnings: tuple[str, ...] = ()
    run_id: str | None = None


@dataclass(frozen=True)
class NewSnapshot:
    sha256: str
    content_type: str | None
    body: bytes
    #: ``compress(body)`` when already made (an extraction worker compresses a new document's
    #: body, so the run's own process does not); None: the write compresses it
    compressed: bytes | None = None


def compress(body: bytes) -> bytes:
    """A snapshot's stored bytes. Level 1: on 30–80 KB policy pages 0.25 ms instead of level
    6's 1.1 ms (a cold cycle compresses 1,000 of them) for ~22 % instead of ~17 % of the size.
    Snapshots are written only with new versions, so the extra bytes are few; any level
    decompresses the same way."""
    import zlib

    return zlib.compress(body, 1)


@dataclass(frozen=True)
class NewVersion:
    document_url: str
    text: str
    text_sha256: str
    extractor_version: str
    kind: str
    fetched_at: datetime
    title: str | None = None
    rules_fingerprint: str | None = None
    ledger: VersionLedger | None = None  # its commitments, written in the same transaction


@dataclass(frozen=True)
class NewChange:
    severity: str
    categories: tuple[str, ...]
    signals: tuple[str, ...]
    summary: str
    diff: dict[str, Any]
    detected_at: datetime
    channels: tuple[str, ...] = ()  # outbox rows to create in the same transaction

    @classmethod
    def decided(cls, decision: Decision, detected_at: datetime) -> NewChange:
        """The change to store for the severity policy's decision (differ.policy)."""
        return cls(severity=decision.severity, categories=decision.categories,
                   signals=decision.signals, summary=decision.summary, diff=decision.diff,
                   detected_at=detected_at)


Router = Callable[[SourceInfo, NewChange], tuple[str, ...]]
"""Which notification channels a new change goes to: the cycle calls it, the notifier builds
it (an outbox row per channel is written in the change's own transaction)."""
