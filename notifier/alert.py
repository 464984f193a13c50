"""The alert model: one set of values, rendered three ways (Slack, email, webhook).

Everything here is plain data built from storage records; renderers never look anything up,
so a Slack message, an email and a webhook body of the same change always agree. Crawled text is
carried raw (and capped in size) — escaping is the renderer's job, per output format.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.records import ChangeInfo, SourceInfo, VersionInfo
from storage.repo import SEVERITY_ORDER

MAX_HUNK_TEXT = 1_500
"""Characters of one hunk side kept for rendering; a longer side is cut with an ellipsis."""
MAX_TOKENS = 400
"""Word tokens per side fed to the word diff (difflib is quadratic in the worst case; with
autojunk the worst hostile input costs < 1 ms a hunk here)."""
MAX_MODEL_HUNKS = 40
"""Hunks carried in the model; renderers show fewer (``max_hunks``) and count the rest."""


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


_TOKEN = re.compile(r"\s+|[^\s]+")


def word_ops(old: str, new: str) -> tuple[WordOp, ...]:
    """Word-level diff of two short texts: runs of unchanged, removed and added words."""
    all_a, all_b = _TOKEN.findall(old), _TOKEN.findall(new)
    a, b = all_a[:MAX_TOKENS], all_b[:MAX_TOKENS]
    ops: list[WordOp] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if ops and ops[-1].op == op:
            ops[-1] = WordOp(op, ops[-1].text + text)
        else:
            ops.append(WordOp(op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=True)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("=", "".join(a[i1:i2]))
            continue
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if removed.strip():
            push("-", removed.strip())
            if added.strip():
                push("=", " ")  # display separation between the struck and the new words
        if added.strip():
            # Whitespace around a change stays plain, so "~old~ *new*" formats cleanly.
            lead = added[: len(added) - len(added.lstrip())]
            push("=", lead)
            push("+", added.strip())
            push("=", added[len(lead) + len(added.strip()):])
        elif added:
            push("=", added)
        elif removed != removed.rstrip():
            push("=", " ")  # a deleted word keeps its separation from the next one
    # Past the token cap, the rest of each side is shown whole, struck and emphasised.
    rest_a, rest_b = "".join(all_a[MAX_TOKENS:]).strip(), "".join(all_b[MAX_TOKENS:]).strip()
    if rest_a or rest_b:
        push("=", " ")
        push("-", rest_a)
        push("=", " " if rest_a and rest_b else "")
        push("+", rest_b)
    return tuple(o for o in ops if o.text)


def _rank(hunk: dict[str, Any], position: int) -> tuple[int, int]:
    sev = str(hunk.get("severity", "none"))
    level = SEVERITY_ORDER.index(sev) if sev in SEVERITY_ORDER else 0
    return (-level, position)


def alert_hunks(diff: dict[str, Any]) -> tuple[tuple[AlertHunk, ...], int]:
    """The most severe hunks first (document order within a severity), and the total count."""
    raw = [h for h in diff.get("hunks") or () if isinstance(h, dict)]
    ranked = sorted(enumerate(raw), key=lambda p: _rank(p[1], p[0]))[:MAX_MODEL_HUNKS]
    out = []
    for _, h in ranked:
        old, new = cap(str(h.get("old", "")), MAX_HUNK_TEXT), cap(str(h.get("new", "")), MAX_HUNK_TEXT)
        out.append(AlertHunk(
            section=cap(str(h.get("section", "")), 300), old=old, new=new, ops=word_ops(old, new),
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
