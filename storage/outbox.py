"""The outbox's reads and writes on the ``deliveries`` table, as plain values.

It lives in storage/ so that SQLAlchemy stays in one package; notifier/ calls it. Every state change of a delivery is one short
transaction, and the ones that race (claiming a row, creating a digest, flipping a source's
health) are conditional updates or unique inserts, so two processes running deliveries at once
cannot both send the same row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.tables import changes, deliveries, sources

D, S = deliveries.c, sources.c


@dataclass(frozen=True)
class OutboxRow:
    id: int
    change_id: int | None
    channel: str
    kind: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    attempt_started_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    idempotency_key: str
    payload: dict[str, Any] | None
    severity: str | None = None  # the change's, for change rows


@dataclass(frozen=True)
class NewDelivery:
    channel: str
    kind: str
    idempotency_key: str
    payload: dict[str, Any]


def _row(d: Any, severity: str | None) -> OutboxRow:
    return OutboxRow(id=d.id, change_id=d.change_id, channel=d.channel, kind=d.kind,
                     status=d.status, attempts=d.attempts, last_error=d.last_error,
                     next_attempt_at=d.next_attempt_at, attempt_started_at=d.attempt_started_at,
                     sent_at=d.sent_at, created_at=d.created_at,
                     idempotency_key=d.idempotency_key,
                     payload=dict(d.payload) if d.payload else None, severity=severity)


def _query() -> Any:
    return (select(deliveries, changes.c.severity.label("change_severity"))
            .outerjoin(changes, changes.c.id == D.change_id)
            .order_by(D.id))


def due(db: Database, now: datetime, interrupted_before: datetime) -> list[OutboxRow]:
    """Pending rows whose retry time has come, and ``sending`` rows whose attempt started
    before ``interrupted_before`` (their process died mid-send)."""
    with db.transaction() as conn:
        q = _query().where(or_(
            and_(D.status == "pending",
                 or_(D.next_attempt_at.is_(None), D.next_attempt_at <= now)),
            and_(D.status == "sending", D.attempt_started_at < interrupted_before),
        ))
        return [_row(r, r.change_severity) for r in conn.execute(q)]


def pending_changes(db: Database, channel: str) -> list[OutboxRow]:
    """Pending change rows of one channel (the digest candidates)."""
    with db.transaction() as conn:
        q = _query().where(D.status == "pending", D.kind == "change", D.channel == channel)
        return [_row(r, r.change_severity) for r in conn.execute(q)]


def listing(db: Database, statuses: tuple[str, ...] | None = None,
            limit: int | None = None) -> list[OutboxRow]:
    with db.transaction() as conn:
        q = _query()
        if statuses:
            q = q.where(D.status.in_(statuses))
        if limit:
            q = q.limit(limit)
        return [_row(r, r.change_severity) for r in conn.execute(q)]


def counts(db: Database) -> dict[str, int]:
    with db.transaction() as conn:
        rows = conn.execute(select(D.status, func.count()).group_by(D.status))
        return {status: n for status, n in rows}


def claim(db: Database, row: OutboxRow, now: datetime) -> bool:
    """Record the attempt BEFORE sending: status ``sending``, attempts + 1, attempt_started_at.

    Conditional on the row being unchanged since it was read, so of two racing processes only
    one wins; the loser skips the row."""
    with db.transaction() as conn:
        result = conn.execute(
            update(deliveries)
            .where(D.id == row.id, D.status == row.status, D.attempts == row.attempts)
            .values(status="sending", attempts=row.attempts + 1, attempt_started_at=now))
        return bool(result.rowcount == 1)


def mark_sent(db: Database, delivery_id: int, now: datetime,
              also_sent: tuple[int, ...] = ()) -> None:
    """The result AFTER sending. ``also_sent``: digest items delivered by this digest."""
    with db.transaction() as conn:
        conn.execute(update(deliveries).where(D.id == delivery_id)
                     .values(status="sent", sent_at=now, last_error=None, next_attempt_at=None))
        if also_sent:
            conn.execute(update(deliveries).where(D.id.in_(also_sent), D.status == "digested")
                         .values(sent_at=now))


def mark_retry(db: Database, delivery_id: int, error: str, next_at: datetime) -> None:
    with db.transaction() as conn:
        conn.execute(update(deliveries).where(D.id == delivery_id)
                     .values(status="pending", last_error=error[:2000], next_attempt_at=next_at))


def mark_failed(db: Database, delivery_id: int, error: str) -> None:
    with db.transaction() as conn:
        conn.execute(update(deliveries).where(D.id == delivery_id)
                     .values(status="failed", last_error=error[:2000], next_attempt_at=None))


def create_digest(db: Database, new: NewDelivery, item_ids: tuple[int, ...]) -> int | None:
    """One digest row and its items marked ``digested``, in one transaction.

    Returns None when this channel's digest for the day already exists (its unique
    idempotency key), so a day never gets two digests."""
    try:
        with db.transaction() as conn:
            digest_id = conn.execute(deliveries.insert(), {
                "change_id": None, "channel": new.channel, "kind": new.kind,
                "status": "pending", "idempotency_key": new.idempotency_key,
                "payload": new.payload}).inserted_primary_key[0]
            conn.execute(update(deliveries).where(D.id.in_(item_ids), D.status == "pending")
                         .values(status="digested", last_error=None,
                                 payload={"digest_delivery_id": digest_id}))
            return int(digest_id)
    except IntegrityError:
        return None


def digest_exists(db: Database, key: str) -> bool:
    with db.transaction() as conn:
        return conn.scalar(select(D.id).where(D.idempotency_key == key)) is not None


def set_health(db: Database, source_id: str, expected: str, health: str,
               since: datetime | None, notice: NewDelivery | None) -> bool:
    """Flip a source's health from ``expected`` and enqueue its notice, in one transaction.

    Conditional on the current health, so the notice is enqueued once per transition, however
    many runs or processes see the same state."""
    try:
        with db.transaction() as conn:
            result = conn.execute(update(sources).where(S.id == source_id, S.health == expected)
                                  .values(health=health, health_since=since))
            if result.rowcount != 1:
                return False
            if notice is not None:
                conn.execute(deliveries.insert(), {
                    "change_id": None, "channel": notice.channel, "kind": notice.kind,
                    "status": "pending", "idempotency_key": notice.idempotency_key,
                    "payload": notice.payload})
            return True
    except IntegrityError:
        return False


def source_health_since(db: Database, source_id: str) -> datetime | None:
    with db.transaction() as conn:
        return conn.scalar(select(S.health_since).where(S.id == source_id))
