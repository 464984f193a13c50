"""The one severity policy: what a change is worth, from the diff and the cycle's facts.

The differ judges two texts; only the cycle knows how the new text came to be (the same URL
served new bytes, the link now points at another document, an older text came back, the stored
bytes were only re-extracted, the document disappeared). Those facts change what the change is
worth, so they are inputs here and nowhere else decides a severity: the crawler states the facts
and stores the :class:`Decision`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from differ.model import SEVERITIES, DiffResult

# What the policy raises or lowers a change to.
SWAP_SEVERITY = "medium"  # a re-upload or replaced document under the same label
REVERT_SEVERITY = "low"  # A → B → A: recorded, alerted only as a revert
REMOVED_SEVERITY = "high"  # the document itself is gone
TECHNICAL_SEVERITY = "none"  # a re-extraction of stored bytes: never alerted


@dataclass(frozen=True, slots=True)
class Facts:
    """What the cycle knows about a new text beyond the texts themselves."""

    reupload: bool = False  # the same URL now serves different bytes
    replaced: tuple[str, str] | None = None  # (old URL, new URL): the link now points elsewhere
    reverted: int | None = None  # id of the earlier version whose text came back
    technical: str | None = None  # why stored bytes were re-extracted (never a company's edit)
    removed: str | None = None  # what says the document is gone ("URL answers HTTP 404")
    lead: str = ""  # a kind's own account, put first in the summary (an index's new links)

    @property
    def news_without_text(self) -> bool:
        """A swapped or re-uploaded document is news even when its text did not change."""
        return self.reupload or self.replaced is not None


NO_FACTS = Facts()
"""A change the cycle knows nothing more about than its texts."""


@dataclass(frozen=True, slots=True)
class Decision:
    """A change as it is stored: severity, categories, signals, summary, and the diff JSON."""

    severity: str
    categories: tuple[str, ...]
    signals: tuple[str, ...]
    summary: str
    diff: dict[str, Any] = field(default_factory=dict)


EMPTY_DIFF: Mapping[str, Any] = {"severity": "none", "categories": [], "seoul": [],
                                 "signals": [], "summary": "", "hunks": []}
"""The diff of a change whose text did not change (a re-upload with the same words)."""


def decide(diff: DiffResult | Mapping[str, Any] | None, facts: Facts = NO_FACTS) -> Decision:
    """The change's severity, signals and summary: the differ's, adjusted by ``facts``.

    ``diff`` is a :class:`DiffResult` or its stored JSON (which may carry extra keys, e.g. the
    traced commitments; they are kept). None means the text did not change.
    """
    base: dict[str, Any] = dict(diff.to_json() if isinstance(diff, DiffResult)
                                else (diff if diff is not None else EMPTY_DIFF))
    if facts.removed is not None:
        return _removed(facts.removed)
    if facts.technical is not None:
        return _technical(base, facts.technical)
    severity = str(base.get("severity", "none"))
    signals = list(base.get("signals", ()))
    leads = []
    if facts.replaced is not None:
        signals.append("document_replaced")
        leads.append(f"Document replaced: {facts.replaced[0]} → {facts.replaced[1]}")
    if facts.reupload:
        signals.append("silent_reupload")
    if facts.lead:
        leads.append(facts.lead)
    own = str(base.get("summary", "") or "")
    summary = "; ".join([*leads, own] if own else leads)
    if facts.news_without_text and SEVERITIES.index(severity) < SEVERITIES.index(SWAP_SEVERITY):
        severity = SWAP_SEVERITY
    if facts.reverted is not None:
        severity = REVERT_SEVERITY
        signals = ["reverted", *(s for s in signals if s != "reverted")]
        summary = f"Reverted to the text of version {facts.reverted}" + (
            f"; {summary}" if summary else "")
        base["reverted_to"] = facts.reverted
    signals = list(dict.fromkeys(signals))
    base.update(severity=severity, signals=signals, summary=summary)
    return Decision(severity, tuple(base.get("categories", ())), tuple(signals), summary, base)


def _removed(why: str) -> Decision:
    summary = f"Document removed: {why}"
    diff = {"severity": REMOVED_SEVERITY, "categories": [], "seoul": [], "signals": ["removed"],
            "summary": summary, "hunks": []}
    return Decision(REMOVED_SEVERITY, (), ("removed",), summary, diff)


def _technical(base: dict[str, Any], why: str) -> Decision:
    summary = f"Technical: re-extracted with {why}"
    if base.get("summary"):
        summary += f" ({base['summary']})"
    base.update(severity=TECHNICAL_SEVERITY, signals=["technical"], summary=summary,
                technical=True)
    return Decision(TECHNICAL_SEVERITY, tuple(base.get("categories", ())), ("technical",),
                    summary, base)
