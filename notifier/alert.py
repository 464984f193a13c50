"""The alert model: one set of values, rendered three ways (Slack, email, webhook).

Everything here is plain data built from storage records; renderers never look anything up,
so a Slack message, an email and a webhook body of the same change always agree. Crawled text is
carried raw (and capped in size) — escaping is the renderer's job, per output format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from differ.model import SEVERITIES
from storage.records import ChangeInfo, SourceInfo, VersionInfo

MAX_HUNK_TEXT = 1_500
"""Characters of one hunk side kept for rendering; a longer side is cut with an ellipsis."""
MAX_MODEL_HUNKS = 40
"""Hunks carried in the model; renderers show fewer (``max_hunks``) and count the rest."""
MAX_ALERT_DIFF_WORDS = 4_000
"""Words word-diffed for one alert, over all its hunks; the hunks past it carry whole old and
new sides (each hunk is bounded by the differ, this bounds the alert)."""


@dataclass(frozen=True)
class WordOp:
    """A run of words: ``=`` unchanged, ``-`` removed (struck), ``+`` added (emphasised)."""

    op: str
    text: str


@dataclass(frozen=True)
class AlertHunk:
    section: str
    old: str
    new: str
    ops: tuple[WordOp, ...]
    categories: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    severity: str = "none"


@dataclass(frozen=True)
class Alert:
    """One change, as every channel tells it."""

    change_id: int
    source_id: str
    company: str
    source_title: str
    document_title: str
    document_url: str
    severity: str
    categories: tuple[str, ...]
    seoul: tuple[str, ...]
    signals: tuple[str, ...]
    summary: str
    hunks: tuple[AlertHunk, ...]
    total_hunks: int
    detected_at: datetime
    fetched_at: datetime | None
    permalink: str
    diff: dict[str, Any]

    @property
    def more_hunks(self) -> int:
        return self.total_hunks - len(self.hunks)


@dataclass(frozen=True)
class DigestItem:
    change_id: int
    source_id: str
    company: str
    source_title: str
    severity: str
    categories: tuple[str, ...]
    summary: str
    detected_at: datetime
    permalink: str


@dataclass(frozen=True)
class Digest:
    """The changes a channel batched for one day (``digest = "daily"``)."""

    channel: str
    day: str  # ISO date in the configured time zone
    items: tuple[DigestItem, ...]
    base_url: str


@dataclass(frozen=True)
class HealthNotice:
    """A source started failing (``failing``) or works again (``recovered``); maintainer only."""

    event: str
    source_id: str
    company: str
    source_title: str
    url: str
    consecutive_failures: int
    error_kind: str | None
    error_message: str | None
    since: datetime
    permalink: str


Content = Alert | Digest | HealthNotice


def cap(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


_OP_MARK = {-1: "-", 0: "=", 1: "+"}


def word_ops(old: str, new: str, limit: int = MAX_HUNK_TEXT, *,
             whole: bool = False) -> tuple[WordOp, ...]:
    """The differ's word diff of a hunk (:func:`differ.align.changed_words`: the words the
    terminal and the web page mark), or its two sides whole when ``whole``, as runs separated
    by plain spaces, each side cut after ``limit`` characters with an ellipsis."""
    from differ.align import changed_words  # only an alert's rendering needs the differ

    ops: list[WordOp] = []
    used = {"-": 0, "+": 0}
    runs = [(-1, old), (1, new)] if whole else changed_words(old, new)
    for op, text in runs:
        if not text:
            continue
        mark = _OP_MARK[op]
        sides = ("-", "+") if mark == "=" else (mark,)
        room = min(limit - used[side] for side in sides)
        if room <= 0:
            continue
        if len(text) > room:
            text = text[:room].rstrip() + "…"
        for side in sides:
            used[side] += len(text) + 1
        if ops:
            ops.append(WordOp("=", " "))
        ops.append(WordOp(mark, text))
    merged: list[WordOp] = []
    for o in ops:
        if merged and merged[-1].op == o.op == "=":
            merged[-1] = WordOp("=", merged[-1].text + o.text)
        else:
            merged.append(o)
    return tuple(merged)


def _rank(hunk: dict[str, Any], position: int) -> tuple[int, int]:
    sev = str(hunk.get("severity", "none"))
    level = SEVERITIES.index(sev) if sev in SEVERITIES else 0
    return (-level, position)


def alert_hunks(diff: dict[str, Any]) -> tuple[tuple[AlertHunk, ...], int]:
    """The most severe hunks first (document order within a severity), and the total count."""
    raw = [h for h in diff.get("hunks") or () if isinstance(h, dict)]
    ranked = sorted(enumerate(raw), key=lambda p: _rank(p[1], p[0]))[:MAX_MODEL_HUNKS]
    out = []
    budget = MAX_ALERT_DIFF_WORDS
    for _, h in ranked:
        full_old, full_new = str(h.get("old", "")), str(h.get("new", ""))
        words = len(full_old.split()) + len(full_new.split())
        whole = words > budget
        budget -= 0 if whole else words
        old, new = cap(full_old, MAX_HUNK_TEXT), cap(full_new, MAX_HUNK_TEXT)
        out.append(AlertHunk(
            section=cap(str(h.get("section", "")), 300), old=old, new=new,
            ops=word_ops(full_old, full_new, whole=whole),
            categories=tuple(str(c) for c in h.get("categories") or ()),
            signals=tuple(str(s) for s in h.get("signals") or ()),
            severity=str(h.get("severity", "none"))))
    return tuple(out), len(raw)


def permalink(base_url: str, change_id: int) -> str:
    return f"{base_url.rstrip('/')}/changes/{change_id}"


def source_link(base_url: str, source_id: str) -> str:
    return f"{base_url.rstrip('/')}/sources/{source_id}"


def build_alert(change: ChangeInfo, source: SourceInfo, version: VersionInfo | None,
                base_url: str) -> Alert:
    """The alert for ``change`` (with its diff loaded) of ``source``; ``version`` is the new one."""
    diff = dict(change.diff or {})
    hunks, total = alert_hunks(diff)
    seoul = tuple(str(s) for s in diff.get("seoul") or ())
    return Alert(
        change_id=change.id, source_id=source.id, company=source.company,
        source_title=source.title,
        document_title=cap((version.title if version and version.title else source.title), 300),
        document_url=version.document_url if version else source.url,
        severity=change.severity, categories=tuple(change.categories), seoul=seoul,
        signals=tuple(change.signals), summary=cap(change.summary or "", 500), hunks=hunks,
        total_hunks=total, detected_at=change.detected_at,
        fetched_at=version.fetched_at if version else None,
        permalink=permalink(base_url, change.id), diff=diff,
    )


def digest_item(change: ChangeInfo, source: SourceInfo, base_url: str) -> DigestItem:
    return DigestItem(change_id=change.id, source_id=source.id, company=source.company,
                      source_title=source.title, severity=change.severity,
                      categories=tuple(change.categories), summary=cap(change.summary or "", 300),
                      detected_at=change.detected_at, permalink=permalink(base_url, change.id))
