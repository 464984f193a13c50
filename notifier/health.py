"""Source health: the maintainer hears once when a source starts failing, once when it recovers.

A source is *failing* after ``settings.health_failures`` consecutive failed checks (default 3),
or at once when its last check found that the ``select`` selectors matched nothing (the page
layout changed: every later run would silently record nothing). It *recovers* when a check
succeeds again (``consecutive_failures`` back to 0). Each transition flips ``Source.health`` and
enqueues its notice in one conditional transaction (:func:`storage.outbox.set_health`), so the
notice is sent once per transition — never once per run — and only to the ``[notify.maintainer]``
channel, never to subscribers. Without a maintainer channel the state is still tracked (visible
in ``framewatch sources list --format json``) and a warning is logged.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from notifier.alert import HealthNotice, cap, source_link
from notifier.channels import MAINTAINER, Channel
from notifier.config import NotifyConfig
from notifier.render import iso
from storage import outbox as store
from storage.db import Database
from storage.repo import Repository

log = logging.getLogger(__name__)


def health_key(event: str, source_id: str, at: datetime) -> str:
    key = f"health-{event}-{source_id}-{at.strftime('%Y%m%dT%H%M%S%f')}"
    if len(key) > 100:
        key = f"health-{event}-" + hashlib.sha256(key.encode()).hexdigest()[:40]
    return key


def evaluate_health(config: NotifyConfig, db: Database, channels: dict[str, Channel],
                    now: datetime) -> tuple[str, ...]:
    """Flip sources' health where their checks say so; returns one line per transition."""
    repo = Repository(db)
    threshold = config.settings.health_failures
    sources = repo.list_sources(enabled_only=True)
    # Only a source that failed (or is marked failing) can change health; when none did, the
    # last check of every source (1,000 rows with their headers) need not be read at all.
    at_risk = any(s.consecutive_failures > 0 or s.health != "ok" for s in sources)
    last = repo.last_checks() if at_risk else {}
    maintainer = channels.get(MAINTAINER)
    events: list[str] = []
    for src in sources:
        check = last.get(src.id)
        select_empty = (check is not None and check.error_kind == "select_empty"
                        and src.consecutive_failures > 0)
        if src.health == "ok" and (src.consecutive_failures >= threshold or select_empty):
            event, expected, new = "failing", "ok", "failing"
        elif src.health == "failing" and src.consecutive_failures == 0:
            event, expected, new = "recovered", "failing", "ok"
        else:
            continue
        payload: dict[str, Any] = {
            "event": event, "source_id": src.id, "company": src.company, "title": src.title,
            "url": src.url, "consecutive_failures": src.consecutive_failures,
            "error_kind": check.error_kind if check and event == "failing" else None,
            "error_message": cap(check.error_message or "", 1000)
            if check and event == "failing" else None,
            "since": iso(now),
        }
        notice = (store.NewDelivery(MAINTAINER, "health", health_key(event, src.id, now), payload)
                  if maintainer is not None else None)
        if store.set_health(db, src.id, expected, new, now, notice):
            line = (f"source {src.id} {event}"
                    + (f" ({payload['error_kind']}, {src.consecutive_failures} failure(s))"
                       if event == "failing" else ""))
            events.append(line)
            if maintainer is None:
                log.warning("%s — add a [notify.maintainer] channel to be told", line)
            else:
                log.info("%s — maintainer notified", line)
    return tuple(events)


def notice_from_payload(payload: dict[str, Any], base_url: str) -> HealthNotice:
    since = datetime.fromisoformat(str(payload["since"]).replace("Z", "+00:00"))
    return HealthNotice(
        event=str(payload["event"]), source_id=str(payload["source_id"]),
        company=str(payload.get("company", "")), source_title=str(payload.get("title", "")),
        url=str(payload.get("url", "")),
        consecutive_failures=int(payload.get("consecutive_failures") or 0),
        error_kind=payload.get("error_kind"), error_message=payload.get("error_message"),
        since=since, permalink=source_link(base_url, str(payload["source_id"])))
