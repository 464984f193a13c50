"""The outbox: send what is due, record every attempt, retry with backoff, never repeat a success.

How a delivery moves
--------------------
The cycle writes a ``Delivery`` row (status ``pending``) for each (change, channel) in the same
transaction as the change. After the cycle, :func:`deliver_pending`:

1. evaluates source health (:mod:`notifier.health`), which may enqueue maintainer notices;
2. folds the held changes of each digest channel into one ``digest`` row per channel and day
   (items become ``digested``);
3. for every due row: **claims** it — ``status = "sending"``, ``attempts + 1``,
   ``attempt_started_at = now`` — and commits; then sends; then records the result in a second
   commit: ``sent`` (with ``sent_at``), or back to ``pending`` with ``last_error`` and
   ``next_attempt_at`` (exponential backoff, or the server's Retry-After), or ``failed`` after
   ``max_attempts`` or a permanent error (a 4xx, an SMTP 5xx). Failed rows are listed by
   ``framewatch deliveries``.

Exactly once, and the window that remains
-----------------------------------------
A row that is ``sent`` is never selected again, so a successful delivery is never repeated by a
later run. The claim is a conditional update, so two processes cannot both send one row.

What no outbox can close is the moment between the receiver accepting a message and our commit
of ``sent``: if the process is killed there, the row stays ``sending``. The next run — which
holds the cycle lease, so it knows that process is gone — treats the row as interrupted at
once (any other caller after :data:`SENDING_LEASE`); it cannot know whether the message
arrived, and then:

- **webhook and email** (``resend_interrupted = true``) send it again with the *same*
  idempotency key: the ``Idempotency-Key`` header for webhooks, and a ``Message-ID`` derived
  from the key for email, so the receiver (or the mail system) can drop the duplicate.
  This is at-least-once delivery that a deduplicating receiver turns into exactly-once.
- **Slack** (``resend_interrupted = false``) has no idempotency key on incoming webhooks, so a
  resend could post twice. The row is marked ``failed`` ("interrupted while sending; not resent")
  and shows up in ``framewatch deliveries`` for a human to check: at-most-once for that one
  message. Set ``resend_interrupted = true`` on the channel to prefer a possible duplicate.

The window is one HTTP response or one SMTP ``DATA`` reply long; the claim commits before any
byte is sent, so a crash *before* sending is also seen as interrupted (and, for Slack, reported
rather than silently retried).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from notifier.alert import Content, Digest, build_alert, digest_item
from notifier.channels import Channel, SendError, channels_from_config
from notifier.config import NotifyConfig
from notifier.health import evaluate_health, notice_from_payload
from notifier.render import iso
from storage import outbox as store
from storage.db import Database
from storage.repo import Repository

log = logging.getLogger(__name__)

SENDING_LEASE = timedelta(minutes=15)
"""A ``sending`` row older than this was interrupted (far longer than any send's timeout)."""
MAX_BACKOFF = timedelta(hours=6)
MAX_RETRY_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery pass did, for the run summary (``str``) and ``--format json``."""

    sent: int = 0
    pending: int = 0
    failed: int = 0
    held: int = 0
    problems: tuple[str, ...] = ()
    health: tuple[str, ...] = ()

    def __str__(self) -> str:
        pending = f"{self.pending} pending"
        if self.problems:
            shown = "; ".join(self.problems[:3])
            pending += f" ({shown}{'; …' if len(self.problems) > 3 else ''})"
        parts = [f"{self.sent} sent", pending]
        if self.failed:
            parts.append(f"{self.failed} failed (see `framewatch deliveries`)")
        if self.held:
            parts.append(f"{self.held} held for the daily digest")
        text = "alerts: " + ", ".join(parts)
        if self.health:
            text += "\nsource health: " + "; ".join(self.health)
        return text

    def to_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "pending": self.pending, "failed": self.failed,
                "held": self.held, "problems": list(self.problems), "health": list(self.health)}


class ContentError(Exception):
    """The row's change (or payload) cannot be rendered; the delivery fails."""


def backoff(channel: Channel, attempts: int, retry_after: float | None) -> timedelta:
    # Capped in float seconds before it becomes a timedelta: retry_backoff * 2**attempts
    # overflows timedelta (and float) long before it is capped otherwise.
    seconds = channel.policy.retry_backoff * 2.0 ** min(max(0, attempts - 1), 64)
    cap = MAX_BACKOFF.total_seconds()
    delay = timedelta(seconds=min(seconds, cap) if math.isfinite(seconds) else cap)
    if retry_after is not None:
        delay = max(delay, min(timedelta(seconds=retry_after), MAX_RETRY_AFTER))
    return delay


def local_day(config: NotifyConfig, now: datetime) -> str:
    return now.astimezone(ZoneInfo(config.settings.timezone)).date().isoformat()


def build_content(config: NotifyConfig, db: Database, row: store.OutboxRow) -> Content:
    repo = Repository(db)
    base_url = config.settings.base_url
    if row.kind == "change":
        change = repo.get_change(row.change_id) if row.change_id is not None else None
        source = repo.get_source(change.source_id) if change else None
        if change is None or source is None:
            raise ContentError(f"change {row.change_id} no longer exists")
        version = repo.get_version(change.new_version_id, with_text=False)
        return build_alert(change, source, version, base_url)
    payload = row.payload or {}
    if row.kind == "digest":
        items = []
        for cid in payload.get("change_ids", []):
            change = repo.get_change(int(cid))
            source = repo.get_source(change.source_id) if change else None
            if change is not None and source is not None:
                items.append(digest_item(change, source, base_url))
        return Digest(channel=row.channel, day=str(payload.get("day", "")), items=tuple(items),
                      base_url=base_url)
    if row.kind == "health":
        try:
            return notice_from_payload(payload, base_url)
        except (KeyError, ValueError) as exc:
            raise ContentError(f"bad health payload: {exc}") from None
    raise ContentError(f"unknown delivery kind {row.kind!r}")


def make_digests(config: NotifyConfig, db: Database, channels: dict[str, Channel],
                 now: datetime) -> int:
    """Fold held changes into today's digest of each digest channel; returns how many changes
    still wait (today's digest already went out: they join tomorrow's)."""
    waiting = 0
    day = local_day(config, now)
    for name, ch in channels.items():
        if ch.routing.digest != "daily":
            continue
        rows = [r for r in store.pending_changes(db, name)
                if ch.routing.held_for_digest(r.severity or "none")]
        if not rows:
            continue
        key = f"digest-{name}-{day}"
        payload = {"day": day, "change_ids": [r.change_id for r in rows],
                   "item_delivery_ids": [r.id for r in rows]}
        if store.digest_exists(db, key) or store.create_digest(
                db, store.NewDelivery(name, "digest", key, payload),
                tuple(r.id for r in rows)) is None:
            waiting += len(rows)
        else:
            log.info("digest %s: %d change(s) for %s", name, len(rows), day)
    return waiting


def deliver_pending(config: NotifyConfig, db: Database, *, now: datetime | None = None,
                    channels: dict[str, Channel] | None = None,
                    senders_gone: bool = False) -> DeliveryReport:
    """Send every due delivery once (see the module docstring); never raises for a send.

    ``senders_gone``: the caller knows no other process is sending (it holds the cycle lease,
    under which every delivery runs), so a ``sending`` row is an interrupted send now, not
    only after :data:`SENDING_LEASE`."""
    now = now or datetime.now(UTC)
    if channels is None:
        channels = channels_from_config(config)
    health = evaluate_health(config, db, channels, now)
    held = make_digests(config, db, channels, now)
    sent = failed = 0
    problems: list[str] = []
    for row in store.due(db, now, now if senders_gone else now - SENDING_LEASE):
        ch = channels.get(row.channel)
        if ch is None:
            store.mark_failed(db, row.id, f"channel {row.channel!r} is not configured "
                                          "(no [notify.%s] table)" % row.channel)
            failed += 1
            continue
        if row.kind == "change" and row.status == "pending" \
                and ch.routing.held_for_digest(row.severity or "none"):
            continue  # waits for tomorrow's digest
        if row.status == "sending":
            if not ch.policy.resend_interrupted:
                message = (f"interrupted while sending (attempt {row.attempts} started "
                           f"{iso(row.attempt_started_at)}); not resent because {ch.kind} cannot "
                           "deduplicate — check whether it arrived")
                store.mark_failed(db, row.id, message)
                log.warning("delivery %d to %s: %s", row.id, row.channel, message)
                failed += 1
                continue
            log.warning("delivery %d to %s was interrupted mid-send; resending with the same "
                        "idempotency key", row.id, row.channel)
        if not store.claim(db, row, now):
            continue  # another process took it
        attempts = row.attempts + 1
        try:
            content = build_content(config, db, row)
            ch.send(content, row.idempotency_key)
        except ContentError as exc:
            store.mark_failed(db, row.id, str(exc))
            failed += 1
            continue
        except SendError as exc:
            if not exc.retryable or attempts >= ch.policy.max_attempts:
                message = f"{exc} (gave up after {attempts} attempt{'s' if attempts > 1 else ''})"
                store.mark_failed(db, row.id, message)
                log.error("delivery %d (%s %s): %s", row.id, row.kind, row.channel, message)
                failed += 1
            else:
                next_at = now + backoff(ch, attempts, exc.retry_after)
                store.mark_retry(db, row.id, str(exc), next_at)
                problems.append(f"{exc}, retry at {iso(next_at)}")
                log.warning("delivery %d (%s %s): %s; retry at %s", row.id, row.kind,
                            row.channel, exc, iso(next_at))
            continue
        except Exception as exc:  # a bug must not leave the row "sending" until the lease ends
            log.exception("delivery %d (%s %s): internal error", row.id, row.kind, row.channel)
            reason = f"internal error: {type(exc).__name__}"
            if attempts >= ch.policy.max_attempts:  # a bug is retried no more than a failure
                store.mark_failed(db, row.id, f"{reason} (gave up after {attempts} attempt"
                                              f"{'s' if attempts > 1 else ''})")
                failed += 1
                continue
            next_at = now + backoff(ch, attempts, None)
            store.mark_retry(db, row.id, reason, next_at)
            problems.append(f"{row.channel}: internal error, retry at {iso(next_at)}")
            continue
        items = tuple(int(i) for i in (row.payload or {}).get("item_delivery_ids", ())) \
            if row.kind == "digest" else ()
        store.mark_sent(db, row.id, now, also_sent=items)
        sent += 1
        log.info("delivered %s to %s",
                 f"change {row.change_id}" if row.change_id else row.idempotency_key, row.channel)
    pending = store.counts(db).get("pending", 0) - held
    return DeliveryReport(sent=sent, pending=max(0, pending), failed=failed, held=held,
                          problems=tuple(problems), health=health)
