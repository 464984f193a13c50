"""``compare``: the one call the cycle makes — diff two versions' texts and classify the change."""

from __future__ import annotations

from differ.align import align
from differ.classify import Classifier
from differ.model import DiffResult
from differ.segment import segment

_classifier: Classifier | None = None


def _get_classifier() -> Classifier:
    """One classifier per process: the lexicon is parsed and compiled once."""
    global _classifier
    if _classifier is None:
        _classifier = Classifier()
    return _classifier


def compare(old_text: str, new_text: str) -> DiffResult:
    """Diff ``old_text`` against ``new_text`` and classify every hunk; deterministic.

    Identical texts return at once with no hunks. Texts that differ only in layout (whitespace,
    page markers, line-break hyphens) return no hunks but the ``cosmetic`` signal, so callers can
    tell "nothing changed" from "nothing that matters changed".
    """
    if old_text == new_text:
        return DiffResult()
    classifier = _get_classifier()
    regions = align(segment(old_text), segment(new_text))
    hunks = tuple(classifier.classify(r) for r in regions)
    return DiffResult.from_hunks(hunks, whitespace_only=True)
