"""``compare``: the one call the cycle makes — diff two versions' texts and classify the change."""

from __future__ import annotations

from collections.abc import Callable

from differ.align import Region, align
from differ.classify import Classifier, Standing
from differ.commitments import enumerations
from differ.model import DiffResult, Hunk, combine_directions, order_signals
from differ.restate import restated
from differ.segment import Sentence, segment, segment_window

WINDOW_MARGINS = (3, 12)
"""Unchanged paragraphs kept around the changed window, tried in turn before the full path.

The first suits a one-paragraph edit; the second, longer edits whose changed run of sentences
is not shorter than three paragraphs of context (``_window_is_exact``).
"""

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
    tell "nothing changed" from "nothing that matters changed". High-severity hunks that follow
    each other in the document within one section become one hunk (see ``merge_high_runs``).

    Only the changed window of the texts is segmented and aligned when that provably gives the
    whole-text result (``segment_window``, ``_window_is_exact``): the daily cycle diffs long
    documents that differ in a paragraph, and segmenting both whole texts was most of its cost.
    Otherwise (paged texts, edits too large for the window's context) the full path runs.
    """
    if old_text == new_text:
        return DiffResult()
    for margin in WINDOW_MARGINS:
        window = segment_window(old_text, new_text, margin)
        if window is None:
            break
        old_s, new_s, cut_before, cut_after = window
        if _window_is_exact(old_s, new_s, cut_before=cut_before, cut_after=cut_after):
            result = _diff(old_s, new_s, cut_before=cut_before,
                           whole=(lambda: segment(old_text), lambda: segment(new_text)))
            if result is not None:
                return result
    return _compare_full(old_text, new_text)


def _compare_full(old_text: str, new_text: str) -> DiffResult:
    """``compare`` over whole-text segmentations: the reference the windowed path must equal."""
    if old_text == new_text:
        return DiffResult()
    result = _diff(segment(old_text), segment(new_text))
    assert result is not None  # a whole text has no lead-in before it
    return result


def _window_is_exact(
    old: list[Sentence], new: list[Sentence], *, cut_before: bool, cut_after: bool
) -> bool:
    """Whether aligning only the window's sentences gives the regions of the whole texts.

    The whole texts' sentence keys are P + old + S and P + new + S (P, S: the skipped prefix
    and suffix, identical on both sides, so they only ever produce equal, non-cosmetic runs).
    diff-match-patch strips the common prefix and suffix before diffing, so the two diffs have
    the same middle; they can differ only where the skipped text could join in: when the
    window's common prefix runs off the end of one side (it would continue into S), or when
    ``diff_cleanupMerge`` slides an edit across a whole bordering equality (possible only for
    an edit at least as long as that equality). Both are ruled out by requiring the changed
    middle to be shorter than the unchanged sentences kept on each skipped side.
    """
    a, b = [s.key for s in old], [s.key for s in new]
    if a == b:
        return True
    n = min(len(a), len(b))
    cp = 0
    while cp < n and a[cp] == b[cp]:
        cp += 1
    cs = 0
    while cs < n - cp and a[-1 - cs] == b[-1 - cs]:
        cs += 1
    middle = max(len(a), len(b)) - cp - cs
    return (not cut_before or middle < cp) and (not cut_after or middle < cs)


def _diff(old_s: list[Sentence], new_s: list[Sentence], *, cut_before: bool = False,
          whole: tuple[Callable[[], list[Sentence]], Callable[[], list[Sentence]]] | None = None,
          ) -> DiffResult | None:
    """Align and classify two sentence lists (whole texts or an exact window of them).

    ``whole``: for a window, how to get the whole texts' sentences, against which a sentence's
    words are looked up (``Standing``).

    None when the window opens inside a list: the commitment introducing it lies before the
    window, and the list's items bind as it does (``enumerations``).
    """
    old_items, old_open = enumerations(old_s)
    new_items, new_open = enumerations(new_s)
    if cut_before and (old_open or new_open):
        return None
    lead_ins = old_items | new_items
    classifier = _get_classifier()
    regions = align(old_s, new_s)
    standing = Standing(*whole) if whole else Standing(lambda: old_s, lambda: new_s)
    hunks = restated(regions, [classifier.classify(r, lead_ins, standing) for r in regions],
                     binds=classifier.binds, quantified=classifier.quantified)
    places = _places(regions, old_s, new_s)
    return DiffResult.from_hunks(merge_high_runs(hunks, places), whitespace_only=True)


Place = tuple[tuple[int, int] | None, tuple[int, int] | None]
"""(first, last) sentence index of a region on the old side and on the new side (None: empty)."""


def _places(regions: list[Region], old: list[Sentence], new: list[Sentence]) -> list[Place]:
    o_idx = {id(s): i for i, s in enumerate(old)}
    n_idx = {id(s): i for i, s in enumerate(new)}

    def span(side: list[Sentence], idx: dict[int, int]) -> tuple[int, int] | None:
        return (idx[id(side[0])], idx[id(side[-1])]) if side else None

    return [(span(r.old, o_idx), span(r.new, n_idx)) for r in regions]


def _follows(prev: tuple[int, int] | None, nxt: tuple[int, int] | None) -> bool:
    """``nxt`` starts right after ``prev`` ends, or one of them is empty on this side."""
    return prev is None or nxt is None or nxt[0] == prev[1] + 1


def merge_high_runs(hunks: list[Hunk], places: list[Place]) -> tuple[Hunk, ...]:
    """One hunk for each run of high hunks that are adjacent in the document and one section.

    A section rewritten wholesale otherwise raises dozens of high alerts, one per paragraph or
    sentence; a reader needs one, holding the full old and new text. Hunks are adjacent when no
    unchanged sentence separates them on either side. Nothing else is merged.
    """
    out: list[Hunk] = []
    run: list[Hunk] = []
    last: Place = (None, None)
    for hunk, place in zip(hunks, places, strict=True):
        if (
            run
            and hunk.severity == "high"
            and hunk.section == run[-1].section
            and _follows(last[0], place[0])
            and _follows(last[1], place[1])
        ):
            run.append(hunk)
        else:
            if run:
                out.append(_merge(run))
            run = [hunk] if hunk.severity == "high" else []
            if hunk.severity != "high":
                out.append(hunk)
        last = (place[0] or last[0], place[1] or last[1]) if run else (None, None)
    if run:
        out.append(_merge(run))
    return tuple(out)


def _merge(run: list[Hunk]) -> Hunk:
    if len(run) == 1:
        return run[0]
    olds = [h for h in run if h.old]
    news = [h for h in run if h.new]
    because: list[str] = []
    for h in run:
        because.extend(b for b in h.because if b not in because)
    because.append(f"merged: {len(run)} adjacent high-severity changes in this section")
    return Hunk(
        section=run[0].section,
        old=" ".join(h.old for h in olds),
        new=" ".join(h.new for h in news),
        old_span=(olds[0].old_span[0], olds[-1].old_span[1]) if olds else (0, 0),
        new_span=(news[0].new_span[0], news[-1].new_span[1]) if news else (0, 0),
        removed=tuple(w for h in run for w in h.removed),
        added=tuple(w for h in run for w in h.added),
        categories=tuple(sorted({c for h in run for c in h.categories})),
        signals=order_signals({s for h in run for s in h.signals}),
        severity="high",
        because=tuple(because),
        summary=f"{run[0].summary} (+{len(run) - 1} adjacent changes in this section)",
        direction=combine_directions([h.direction for h in run]),
    )
