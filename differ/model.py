"""Values the differ hands to the rest of framewatch: frozen, typed, JSON round-trippable.

The database stores ``DiffResult.to_json()``; web/ and notifier/ rebuild it with ``from_json`` so
they never depend on how the diff was computed, only on this shape (also the `framewatch diff --format json` output).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SEVERITIES: tuple[str, ...] = ("none", "low", "medium", "high")
"""Ordered from least to most alarming; compare with ``SEVERITIES.index``."""

CATEGORIES: tuple[str, ...] = (
    "alignment",
    "evaluations",
    "governance",
    "mitigations",
    "publication",
    "response",
    "scope",
    "thresholds",
)

SIGNALS: tuple[str, ...] = (
    "numeric",
    "weakened",
    "strengthened",
    "removed",
    "added",
    "reworded",
    "section_added",
    "section_removed",
    "heading_changed",
    "moved",
    "cosmetic",
    # The cycle's facts about how the text came to be (see differ.policy):
    "reverted",
    "document_replaced",
    "silent_reupload",
    "technical",
)
"""Canonical signal order (most telling first); results list signals in this order.

Every signal a stored change can carry is here: the differ's, read from the texts, and the ones
:func:`differ.policy.decide` adds from the cycle's facts (``removed`` also names a document
that is gone)."""

SEOUL: dict[str, tuple[str, ...]] = {
    "thresholds": ("II",),
    "evaluations": ("I",),
    "publication": ("VII", "VIII"),
    "mitigations": ("III",),
    "response": ("IV",),
    "governance": ("V", "VI"),
    "scope": ("I",),
    "alignment": (),
}
"""Seoul Frontier AI Safety Commitments paragraphs per category.

``scope`` also touches the Seoul preamble, which has no paragraph number; only "I" is listed.
"""

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")

HIGH_SIGNALS: frozenset[str] = frozenset(
    {"numeric", "weakened", "removed", "reworded", "section_removed", "added", "strengthened"}
)
"""Signals that make a categorized change ``high`` when the changed sentence is a commitment.

``added`` and ``strengthened`` are here because a new commitment or threshold, or a stronger one,
is as material as a removed or weaker one; the classifier still demands that the evidence be a
commitment (a binding sentence, a threshold definition) in a categorized place."""

DIRECTIONS: tuple[str, ...] = ("", "strengthened", "weakened", "added", "removed", "mixed")
"""Which way a change moved the commitments; "" when it moved none."""


def combine_directions(directions: list[str] | tuple[str, ...]) -> str:
    """One direction for several: the common one, else "mixed"; "" when none moved."""
    found = {d for d in directions if d}
    if not found:
        return ""
    if len(found) == 1:
        return found.pop()
    return "mixed"


def seoul_for(categories: Iterable[str]) -> tuple[str, ...]:
    """Seoul paragraphs touched by ``categories``, in the commitments' own order."""
    found = {p for c in categories for p in SEOUL.get(c, ())}
    return tuple(p for p in _ROMAN if p in found)


def order_signals(signals: set[str] | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Signals deduplicated, in canonical order (unknown ones last, sorted) for stable output."""
    known = [s for s in SIGNALS if s in signals]
    extra = sorted(set(signals) - set(SIGNALS))
    return tuple(known + extra)


def max_severity(levels: list[str] | tuple[str, ...]) -> str:
    """The most alarming of ``levels``; "none" for an empty list."""
    return max(levels, key=SEVERITIES.index, default="none")


@dataclass(frozen=True, slots=True)
class Hunk:
    """One contiguous changed region, expanded to whole sentences, with its classification.

    ``old``/``new`` hold the whole sentence(s) around the change so a reader of an alert can judge
    it without opening the document; ``removed``/``added`` hold just the words that changed.
    """

    section: str
    old: str
    new: str
    old_span: tuple[int, int] = (0, 0)
    new_span: tuple[int, int] = (0, 0)
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    severity: str = "none"
    because: tuple[str, ...] = ()
    summary: str = ""
    direction: str = ""

    @property
    def seoul(self) -> tuple[str, ...]:
        """Seoul paragraphs of this hunk's categories."""
        return seoul_for(self.categories)

    def to_json(self) -> dict[str, Any]:
        """The stored hunk shape plus the extra keys the web UI and alerts use."""
        return {
            "section": self.section,
            "old": self.old,
            "new": self.new,
            "categories": list(self.categories),
            "signals": list(self.signals),
            "severity": self.severity,
            "direction": self.direction,
            "because": list(self.because),
            "old_span": list(self.old_span),
            "new_span": list(self.new_span),
            "removed": list(self.removed),
            "added": list(self.added),
            "summary": self.summary,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Hunk:
        """Rebuild a hunk from ``to_json`` output; extra keys are optional for older rows."""
        return cls(
            section=str(d.get("section", "")),
            old=str(d.get("old", "")),
            new=str(d.get("new", "")),
            old_span=_span(d.get("old_span")),
            new_span=_span(d.get("new_span")),
            removed=tuple(d.get("removed", ())),
            added=tuple(d.get("added", ())),
            categories=tuple(d.get("categories", ())),
            signals=tuple(d.get("signals", ())),
            severity=str(d.get("severity", "none")),
            because=tuple(d.get("because", ())),
            summary=str(d.get("summary", "")),
            direction=str(d.get("direction", "") or ""),
        )


def _span(value: Any) -> tuple[int, int]:
    if not value:
        return (0, 0)
    a, b = value
    return (int(a), int(b))


@dataclass(frozen=True, slots=True)
class DiffResult:
    """A classified comparison of two versions; the change's severity is its worst hunk's."""

    severity: str = "none"
    categories: tuple[str, ...] = ()
    seoul: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    summary: str = "no change"
    hunks: tuple[Hunk, ...] = field(default_factory=tuple)
    direction: str = ""

    @classmethod
    def from_hunks(cls, hunks: tuple[Hunk, ...], *, whitespace_only: bool = False) -> DiffResult:
        """Aggregate hunks: union of categories and signals, highest severity, lead summary.

        ``whitespace_only`` marks texts that differ only in layout (no hunk survives
        normalisation); the result then says ``cosmetic`` so callers can tell it from "identical".
        """
        categories = tuple(sorted({c for h in hunks for c in h.categories}))
        signals = order_signals({s for h in hunks for s in h.signals})
        if whitespace_only and not hunks:
            signals = ("cosmetic",)
        severity = max_severity([h.severity for h in hunks])
        return cls(
            severity=severity,
            direction=combine_directions([h.direction for h in hunks if h.severity == severity]),
            categories=categories,
            seoul=seoul_for(categories),
            signals=signals,
            summary=_lead_summary(hunks, whitespace_only),
            hunks=hunks,
        )

    def to_json(self) -> dict[str, Any]:
        """Exactly the ``framewatch diff --format json`` object, plus ``summary``."""
        return {
            "severity": self.severity,
            "direction": self.direction,
            "categories": list(self.categories),
            "seoul": list(self.seoul),
            "signals": list(self.signals),
            "summary": self.summary,
            "hunks": [h.to_json() for h in self.hunks],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DiffResult:
        """Rebuild from ``to_json`` output (what the database stores)."""
        categories = tuple(d.get("categories", ()))
        return cls(
            severity=str(d.get("severity", "none")),
            categories=categories,
            seoul=tuple(d.get("seoul", seoul_for(categories))),
            signals=tuple(d.get("signals", ())),
            summary=str(d.get("summary", "")),
            hunks=tuple(Hunk.from_json(h) for h in d.get("hunks", ())),
            direction=str(d.get("direction", "") or ""),
        )


def _lead_summary(hunks: tuple[Hunk, ...], whitespace_only: bool) -> str:
    """One line for alert subjects: the worst hunk's summary and how many others there are."""
    if not hunks:
        return "layout or whitespace only" if whitespace_only else "no change"
    lead = max(hunks, key=lambda h: SEVERITIES.index(h.severity))
    others = len(hunks) - 1
    return lead.summary + (f" (+{others} more)" if others else "")
