"""``compare``: the one call the cycle makes — diff two versions' texts and classify the change."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Literal

from differ.align import MOVE_MIN_WORDS, Region, align, diff_tokens, longest_chain
from differ.classify import Classifier, Standing
from differ.commitments import enumerations
from differ.model import DiffResult, Hunk, combine_directions, order_signals
from differ.restate import restated
from differ.segment import (
    Op,
    Sentence,
    common_ends,
    segment,
    segment_window,
    segment_windows,
    squash_text,
)

Window = tuple[list[Sentence], list[Sentence], bool, bool]
"""A window's old and new sentences, and whether text was skipped before it and after it."""
Whole = tuple[Callable[[], list[Sentence]], Callable[[], list[Sentence]]]
"""How to get both whole texts' sentences, built only when a lookup needs them."""

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

    Only the changed windows of the texts are segmented and aligned when that provably gives
    the whole-text result: one window per separately changed stretch (``segment_windows``,
    ``_windows_are_exact``), else one window from the first change to the last
    (``segment_window``, ``_window_is_exact``). The daily cycle diffs long documents that differ
    in a paragraph and a "Last updated" line, and segmenting both whole texts was most of its
    cost. Otherwise (paged texts, edits too large for the windows' context) the full path runs.
    """
    if old_text == new_text:
        return DiffResult()
    line_ops = line_diff(old_text, new_text)
    # Changes in one place: the one window from first to last change is the cheaper try.
    several = _stretches(line_ops) > 1
    result = _compare_windows(old_text, new_text, line_ops) if several else None
    if result is None:
        result = _compare_window(old_text, new_text)
    if result is None and not several:
        result = _compare_windows(old_text, new_text, line_ops)
    return _compare_full(old_text, new_text) if result is None else result


def _compare_window(old_text: str, new_text: str) -> DiffResult | None:
    """``compare`` over the one window from the first change to the last; None unless exact."""
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
    return None


WINDOWS_MARGINS = (8, 20)
"""Unchanged paragraphs kept around each changed stretch on the several-windows path, tried in
turn: the margin must hold a fence (``_windows_are_exact``) and open outside a list."""

UNIQUE_CELLS = 10_000
"""Largest span (old x new sentences) whose alignment is checked for uniqueness (~3 ms)."""


def _compare_windows(old_text: str, new_text: str, line_ops: list[Op]) -> DiffResult | None:
    """``compare`` over one window per changed stretch, each aligned on its own; None unless
    exact.

    A page edited in two far-apart places (one paragraph and a "Last updated" line) has one
    window spanning nearly all of it; cutting one window per changed stretch keeps the whole
    texts unsegmented. ``_windows_are_exact`` is the proof the result is the full path's. A
    wider margin is tried only where it can help: when no fence was found, or a window opened
    inside a list.
    """
    if "Σ" in old_text or "Σ" in new_text:
        return None  # its lowercasing depends on its neighbours (``_unique_keys``)
    unique = _unique_keys(old_text, new_text, line_ops)
    for margin in WINDOWS_MARGINS:
        windows = segment_windows(old_text, new_text, margin, line_ops)
        if windows is None:
            return None
        if len(windows) == 1 and not windows[0][2] and not windows[0][3]:
            return None  # one window of the whole texts: the full path, with nothing to prove
        proof = _windows_are_exact(windows, unique)
        if proof == "exact":
            result = _diff_windows(
                windows, (lambda: segment(old_text), lambda: segment(new_text)))
            if result is not None:
                return result
        elif proof == "unproved":
            return None
    return None


def _diff_windows(windows: list[Window], whole: Whole) -> DiffResult | None:
    """Align and classify exact windows, their hunks merged as one text's; None when a window
    opens inside a list (see ``_diff``). ``whole``: how to get both whole texts' sentences."""
    standing = Standing(*whole)
    classifier = _get_classifier()
    all_regions: list[Region] = []
    hunks: list[Hunk] = []
    places: list[Place] = []
    base_old = base_new = 0
    for old_s, new_s, cut_before, _ in windows:
        old_items, old_open = enumerations(old_s)
        new_items, new_open = enumerations(new_s)
        if cut_before and (old_open or new_open):
            return None
        lead_ins = old_items | new_items
        regions = align(old_s, new_s)
        all_regions.extend(regions)
        # A lead-in deleted or inserted over items that stand in both versions binds (or
        # unbinds) them; only a one-sided lead-in's items are looked up.
        # Of those, ``loose`` are the ones with an item that binds only through them ("1.
        # Quarterly audits").
        kept, loose = (_kept_lead_ins(regions, old_s, new_s, lead_ins, standing,
                                      classifier.bound_only_by_lead_in)
                       if lead_ins else (frozenset(), frozenset()))
        hunks.extend(classifier.classify(r, lead_ins, standing, kept, loose) for r in regions)
        # Sentence numbers run on across windows with a gap of one, so that hunks of two
        # windows are never adjacent, as the unchanged sentences between them see to in full.
        places.extend(
            (_shift(o, base_old), _shift(n, base_new))
            for o, n in _places(regions, old_s, new_s)
        )
        base_old += len(old_s) + 1
        base_new += len(new_s) + 1
    # A commitment removed in one window may be restated in another: judged over all regions.
    hunks = restated(all_regions, hunks, binds=classifier.binds, quantified=classifier.quantified)
    return DiffResult.from_hunks(merge_high_runs(hunks, places), whitespace_only=True)


def _kept_lead_ins(regions: list[Region], old_s: list[Sentence], new_s: list[Sentence],
                   lead_ins: Mapping[int, Sentence], standing: Standing,
                   loose_item: Callable[[Sentence], bool],
                   ) -> tuple[frozenset[int], frozenset[int]]:
    """The lead-ins (by ``id``) deleted or inserted whole, some item of which stands unchanged
    in both versions; and those of them one such item of which is a ``loose_item``."""
    one_sided = {id(s) for r in regions if not (r.old and r.new) for s in (*r.old, *r.new)}
    kept: set[int] = set()
    loose: set[int] = set()
    for side, ss in (("old", old_s), ("new", new_s)):
        for s in ss:
            lead = lead_ins.get(id(s))
            if (lead is not None and id(lead) in one_sided and id(s) not in one_sided
                    and standing.stands(s, side)):
                kept.add(id(lead))
                if id(lead) not in loose and loose_item(s):
                    loose.add(id(lead))
    return frozenset(kept), frozenset(loose)


def line_diff(old_text: str, new_text: str) -> list[Op]:
    """Where the texts' lines differ, cheaply: runs of identical lines grown from the lines
    that occur once in each text, kept in order (the longest run of them in both texts' order).

    Not a minimal diff, and it need not be: windows only need the lines they skip to be the
    same on both sides (``_windows_are_exact`` proves the rest). An exact line diff of a
    rewritten document takes about as long as comparing it.
    """
    lo, ln = old_text.split("\n"), new_text.split("\n")
    count_o, count_n = Counter(lo), Counter(ln)
    at_new = {line: j for j, line in enumerate(ln) if count_n[line] == 1}
    pairs = [(i, at_new[line]) for i, line in enumerate(lo)
             if count_o[line] == 1 and line in at_new]
    runs: list[tuple[int, int, int]] = []  # (old start, new start, length), in order
    for i, j in longest_chain(pairs):
        if runs and i < runs[-1][0] + runs[-1][2]:
            continue  # inside the run grown from an earlier anchor
        lo_i, lo_j = i, j
        floor_i = runs[-1][0] + runs[-1][2] if runs else 0
        floor_j = runs[-1][1] + runs[-1][2] if runs else 0
        while lo_i > floor_i and lo_j > floor_j and lo[lo_i - 1] == ln[lo_j - 1]:
            lo_i, lo_j = lo_i - 1, lo_j - 1
        hi_i, hi_j = i + 1, j + 1
        while hi_i < len(lo) and hi_j < len(ln) and lo[hi_i] == ln[hi_j]:
            hi_i, hi_j = hi_i + 1, hi_j + 1
        runs.append((lo_i, lo_j, hi_i - lo_i))
    ops: list[Op] = []
    i = j = 0
    for ri, rj, n in [*runs, (len(lo), len(ln), 0)]:
        if ri > i:
            ops.append((-1, i, ri, j, j))
        if rj > j:
            ops.append((1, ri, ri, j, rj))
        if n:
            ops.append((0, ri, ri + n, rj, rj + n))
        i, j = ri + n, rj + n
    return ops


def _stretches(line_ops: list[Op]) -> int:
    """How many separately changed stretches of lines there are: an upper bound on windows."""
    return sum(1 for k, op in enumerate(line_ops)
               if op[0] != 0 and (k == 0 or line_ops[k - 1][0] == 0))


def _shift(span: tuple[int, int] | None, by: int) -> tuple[int, int] | None:
    return None if span is None else (span[0] + by, span[1] + by)


def _windows_are_exact(
    windows: list[Window],
    unique: Callable[[Sentence], bool],
) -> Literal["exact", "no fence", "unproved"]:
    """Whether aligning each window on its own gives the regions of the whole texts: "exact",
    "no fence" (wider margins might hold one) or "unproved".

    Regions depend only on which sentences the key diff matches (its alignment): the diff is
    exact (``Diff_Timeout = 0``), so it returns a maximum alignment, and when only one maximum
    alignment exists it returns that one, in one canonical form (``diff_cleanupMerge`` puts a
    run's deletions before its insertions, and a slide of an edit would be a second maximum
    alignment). So it suffices that the whole texts and each window have one maximum alignment,
    the window's being the whole one's restriction. Proof, given the checks below:

    * *Fences.* Let c be the number of sentences the windows' own diffs leave unmatched:
      aligning each window so and the identical skipped text copy to copy leaves c, so no
      maximum alignment leaves more. Call a sentence unique when its key occurs once in the old
      and once in the new whole text (``_unique_keys``): it can match only its own copy, and
      left unmatched it leaves two sentences so; a maximum alignment therefore leaves fewer
      than ``need`` = c // 2 + 1 unique sentences unmatched. In an unchanged stretch Z (the same
      sentences on both sides) the sentences a maximum alignment matches to their copies form
      an interval of Z (between two such pairs the sentences are identical, and only the
      identity aligns them fully). So every maximum alignment matches to its copy (a) each of a
      run of ``need`` consecutive unique sentences of Z: were the interval to end inside the
      run, the run's next sentence and its copy could be matched too, as a pair crossing them
      would cross the interval's last pair, and leaving the whole run unmatched leaves
      ``need``; and (b) the ``need``-th of ``2 * need - 1`` unique sentences of Z, else ``need``
      of them on one side of it lie outside the interval. Such a sentence, a fence, is sought
      in each window's unchanged margin next to each cut (``_fence``).
    * *Between fences* the texts are either identical (the skipped text, with the windows'
      margins up to the fences: gaps are the same lines, segmented alike since the state
      handed over is the same, ``segment_windows``), whose one maximum alignment is the
      identity, or a window's span from fence to fence (or text edge), checked here to have
      exactly one maximum alignment (``_one_maximum_alignment``). Every maximum alignment
      passes through every fence, so the whole one is these pieces, and so is each window's.

    The moves ``align`` finds pair deleted and inserted sentences of equal key in order; each
    window finds the same pairs when every such key's deleted and inserted sentences lie in
    one window (the windows' own diffs being, once proved exact, the whole one's). Sentences
    between the windows are matched to their identical copies, so they never form a region,
    cosmetic or not.
    """
    cores = []
    unmatched = []  # per window, the sentences its own diff leaves unmatched on each side
    for old_s, new_s, _, _ in windows:
        a, b = [s.key for s in old_s], [s.key for s in new_s]
        cores.append(common_ends(a, b))
        ops = diff_tokens(a, b)
        gone = [old_s[i] for op, a0, a1, _, _ in ops if op == -1 for i in range(a0, a1)]
        came = [new_s[j] for op, _, _, b0, b1 in ops if op == 1 for j in range(b0, b1)]
        unmatched.append((gone, came))
    need = sum(len(gone) + len(came) for gone, came in unmatched) // 2 + 1
    moved: dict[tuple[str, str], set[int]] = {}  # (side, key) -> windows it is in
    for w, ((old_s, new_s, cut_before, cut_after), (cp, cs), (gone, came)) in enumerate(
        zip(windows, cores, unmatched, strict=True)
    ):
        lo = hi = 0
        if cut_before:
            back = _fence(old_s[:cp][::-1], need, unique)
            if back is None:
                return "no fence"
            lo = cp - back
        if cut_after:
            ahead = _fence(old_s[len(old_s) - cs:], need, unique)
            if ahead is None:
                return "no fence"
            hi = cs - ahead
        a = [s.key for s in old_s[lo:len(old_s) - hi]]
        b = [s.key for s in new_s[lo:len(new_s) - hi]]
        if not _one_maximum_alignment(a, b):
            return "unproved"
        for side, sents in (("old", gone), ("new", came)):
            for s in sents:
                if s.heading or len(s.words) >= MOVE_MIN_WORDS:
                    moved.setdefault((side, s.key), set()).add(w)
    apart = any(
        len(ws | moved[("new", key)]) > 1
        for (side, key), ws in moved.items() if side == "old" and ("new", key) in moved
    )
    return "unproved" if apart else "exact"


def _unique_keys(old_text: str, new_text: str, line_ops: list[Op]) -> Callable[[Sentence], bool]:
    """Whether a sentence's key belongs to no other sentence of either whole text.

    A key is its sentence's squash less a leading list number or trailing page number, so it
    is a substring of the whole text's squash at the sentence's place: a sentence starts and
    ends next to white space, sentence punctuation or a capital, with which no character
    composes under NFKC, and lowercasing is letter by letter (but for the Greek capital sigma,
    kept out by ``_compare_windows``). Two sentences sharing a key so make two occurrences.
    Heading keys are tested without their "#" (a heading and a sentence of its words count as
    two). The texts are squashed on first use, the lines they share once (``_squashed``)."""
    squashed: list[str] = []
    known: dict[str, bool] = {}

    def once(sq: str, key: str) -> bool:
        at = sq.find(key)
        return at >= 0 and sq.find(key, at + 1) < 0

    def unique(s: Sentence) -> bool:
        key = s.key.lstrip("#")
        if key not in known:
            if not squashed:
                squashed.extend(_squashed(old_text, new_text, line_ops))
            known[key] = once(squashed[0], key) and once(squashed[1], key)
        return known[key]

    return unique


def _squashed(old_text: str, new_text: str, line_ops: list[Op]) -> tuple[str, str]:
    """``squash_text`` of both texts, from pieces cut at line breaks (which squashing drops,
    and across which no character composes), each shared piece squashed once."""
    lo, ln = old_text.split("\n"), new_text.split("\n")
    old_parts: list[str] = []
    new_parts: list[str] = []
    for op, a0, a1, b0, b1 in line_ops:
        if op >= 0:
            piece = squash_text("\n".join(ln[b0:b1]))
            new_parts.append(piece)
            if op == 0:
                old_parts.append(piece)
        else:
            old_parts.append(squash_text("\n".join(lo[a0:a1])))
    return "".join(old_parts), "".join(new_parts)


def _fence(margin: list[Sentence], need: int, unique: Callable[[Sentence], bool]) -> int | None:
    """How many sentences of ``margin`` (unchanged, nearest the change first) lie before the
    nearest fence: a sentence every maximum alignment matches to its own copy; None if none.

    Either the first of ``need`` consecutive unique sentences, or the ``need``-th of
    ``2 * need - 1`` unique sentences (``_windows_are_exact``)."""
    run, seen = 0, []
    for k, s in enumerate(margin):
        if not unique(s):
            run = 0
            continue
        run += 1
        seen.append(k)
        if run == need:
            return k + 1 - need
        if len(seen) == 2 * need - 1:
            return seen[need - 1]
    return None


def _one_maximum_alignment(a: list[str], b: list[str]) -> bool:
    """Whether exactly one set of matched pairs is a longest common subsequence of a and b.

    Counted over suffixes: a maximum alignment of a[i:], b[j:] pairs a[i] with
    b[j], or leaves a[i] unmatched, or leaves b[j] unmatched (a[i] and b[j] matched elsewhere
    would cross), and inclusion-exclusion counts the ones leaving both unmatched once.
    """
    n, m = len(a), len(b)
    if n * m > UNIQUE_CELLS:
        return False
    length = [[0] * (m + 1) for _ in range(n + 1)]
    count = [[1] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(length[i + 1][j], length[i][j + 1])
            if a[i] == b[j]:
                best = max(best, length[i + 1][j + 1] + 1)
            length[i][j] = best
            c = 0
            if a[i] == b[j] and length[i + 1][j + 1] + 1 == best:
                c += count[i + 1][j + 1]
            if length[i + 1][j] == best:
                c += count[i + 1][j]
            if length[i][j + 1] == best:
                c += count[i][j + 1]
            if length[i + 1][j + 1] == best:
                c -= count[i + 1][j + 1]
            count[i][j] = c
    return count[0][0] == 1


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
    cp, cs = common_ends(a, b)
    middle = max(len(a), len(b)) - cp - cs
    return (not cut_before or middle < cp) and (not cut_after or middle < cs)


def _diff(old_s: list[Sentence], new_s: list[Sentence], *, cut_before: bool = False,
          whole: Whole | None = None) -> DiffResult | None:
    """Align and classify two sentence lists (whole texts or an exact window of them).

    ``whole``: for a window, how to get the whole texts' sentences, against which a sentence's
    words are looked up (``Standing``).

    None when the window opens inside a list: the commitment introducing it lies before the
    window, and the list's items bind as it does (``enumerations``).
    """
    return _diff_windows([(old_s, new_s, cut_before, False)],
                         whole or (lambda: old_s, lambda: new_s))


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
