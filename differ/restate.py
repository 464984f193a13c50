"""A commitment deleted in one place and restated in other words in another is one rewording.

The alignment pairs sentences only inside one changed run, so a commitment moved to another
section and reworded on the way comes out as a removed hunk there and an added hunk here, both
high. The coders trace a commitment to its counterpart wherever it now sits (relocation and
rewording do not break correspondence) and code it retained when no materiality dimension moved
(codebook 3 and 5). So a one-sided high hunk whose every binding sentence has such a counterpart
on the other side of the diff — and every other sentence of its passage likewise — is the same
commitment, moved: medium at most. A counterpart that
moved the modal, a quantity, the scope, an actor's say, the disclosure or a consequence keeps
both halves high — the shared materiality judgement decides, as it does for a traced commitment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from differ.align import Region
from differ.materiality import Judgement, judge
from differ.model import HIGH_SIGNALS, Hunk, combine_directions, order_signals
from differ.segment import Sentence

RESTATED_SIMILARITY = 0.6
"""Dice similarity of content words at or above which two sentences state one commitment."""
RESTATED_CONTAINMENT = 0.85
"""Share of the shorter sentence's content words found in the longer: the same commitment with
a clause cut off or added (a clause that moves a dimension still shows in the judgement)."""
CONTAINED_MIN_WORDS = 6
"""Fewer content words than this say too little for containment alone to pair them."""

PROSE_WORDS = 4
"""A shorter sentence without a binding word (a label, a list marker) says nothing to restate."""

_ONE_SIDED = {"old": frozenset({"removed", "section_removed"}), "new": frozenset({"added"})}
"""The high signals a one-sided hunk may carry and still be a half of a restatement: the
outcome alone (X or A), no quantity, modal or carve-out of its own."""


class _Pool:
    """The changed sentences of one side, looked up by the content words they share."""

    def __init__(self, sentences: list[Sentence]) -> None:
        from differ.trace import _content

        self.sentences = sentences
        self.words = [_content(s.text) for s in sentences]
        self.index: dict[str, list[int]] = defaultdict(list)
        for k, ws in enumerate(self.words):
            for w in ws:
                self.index[w].append(k)

    def closest(self, text: str) -> Sentence | None:
        """The sentence that restates ``text``, if one is close enough (the closest wins)."""
        from differ.trace import _content

        mine = _content(text)
        shared: dict[int, int] = defaultdict(int)
        for w in mine:
            for k in self.index.get(w, ()):
                shared[k] += 1
        best, best_score = None, 0.0
        for k, n in shared.items():
            theirs = self.words[k]
            dice = 2 * n / (len(mine) + len(theirs))
            small = min(len(mine), len(theirs))
            contained = n / small if small >= CONTAINED_MIN_WORDS else 0.0
            score = dice if dice >= RESTATED_SIMILARITY else (
                contained if contained >= RESTATED_CONTAINMENT else 0.0)
            if score > best_score:
                best, best_score = self.sentences[k], score
        return best


def _same_standing(old: Sentence, new: Sentence) -> bool:
    """Both in the company's own part, or both in a recommendations part: a commitment moved
    into recommendations for others no longer binds the company (the coders' L)."""
    from differ.commitments import is_recommendation_section

    return is_recommendation_section(" > ".join(old.section)) == is_recommendation_section(
        " > ".join(new.section))


def _judge(mine: Sentence, theirs: Sentence, side: str) -> Judgement:
    """The materiality of the move from the old wording to the new, ``mine`` on ``side``."""
    from differ.trace import _unglue

    old, new = (mine, theirs) if side == "old" else (theirs, mine)
    return judge(_unglue(old.text, new.text), _unglue(new.text, old.text))


def restated(
    regions: list[Region],
    hunks: list[Hunk],
    binds: Callable[[Sentence], bool],
    quantified: Callable[[Sentence], bool],
) -> list[Hunk]:
    """``hunks`` (one per region) with each half of a restatement below high.

    ``binds``: whether a sentence is a commitment (the classifier's reading);
    ``quantified``: whether it carries a quantity. A sentence that carries a quantity without
    binding keeps its hunk as it is: a removed section's numbers are weighed on their own.
    """
    built: dict[str, _Pool] = {}

    def pool(side: str) -> _Pool:
        # Built on first use: most diffs have no one-sided high hunk to look up.
        if side not in built:
            built[side] = _Pool([s for r in regions if r.kind == "change"
                                 for s in getattr(r, side) if not s.heading])
        return built[side]

    out = list(hunks)
    for k, (region, hunk) in enumerate(zip(regions, hunks, strict=True)):
        if hunk.severity != "high" or region.kind != "change" or (region.old and region.new):
            continue
        side = "old" if region.old else "new"
        high = set(hunk.signals) & HIGH_SIGNALS
        if not high or not high <= _ONE_SIDED[side]:
            continue
        body = [s for s in getattr(region, side) if not s.heading]
        binding = [s for s in body if binds(s)]
        if not binding or any(quantified(s) for s in body if s not in binding):
            continue
        # Every sentence of the passage, binding or not, must be restated: a sentence the
        # classifier does not read as binding ("the response plan may involve putting
        # deployment on hold") can still be what was dropped.
        said = binding + [s for s in body if s not in binding and len(s.words) >= PROSE_WORDS]
        other = pool("new" if side == "old" else "old")
        judged: list[tuple[Sentence, Sentence, Judgement]] = []
        for s in said:
            match = other.closest(s.text)
            if match is None or not _same_standing(*((s, match) if side == "old" else (match, s))):
                break
            judged.append((s, match, _judge(s, match, side)))
        else:
            moved = [(s, m, j) for s, m, j in judged if j.material]
            out[k] = (_reworded(hunk, side, moved) if moved
                      else _below_high(hunk, side, [(s, m) for s, m, _ in judged]))
    return out


def _quote(text: str, words: int = 10) -> str:
    parts = text.split()
    return "'" + " ".join(parts[:words]) + ("…" if len(parts) > words else "") + "'"


def _below_high(hunk: Hunk, side: str, pairs: list[tuple[Sentence, Sentence]]) -> Hunk:
    """``hunk`` as the half of a restatement: medium (low without a category), no direction."""
    mine, theirs = pairs[0]
    where = "added" if side == "old" else "removed"
    because = [b for b in hunk.because if not b.startswith("high because ")]
    because.append(
        f"medium: restates {_quote(theirs.text)}, {where} elsewhere in this diff, with no "
        f"materiality dimension moved (a relocated, reworded commitment)"
        + (f"; {len(pairs) - 1} more sentence(s) likewise" if len(pairs) > 1 else "")
    )
    label, place = _label_and_place(hunk)
    return replace(
        hunk,
        severity="medium" if hunk.categories else "low",
        signals=order_signals(_as_moved(hunk)),
        direction="",
        because=tuple(because),
        summary=f"{label} · moved: {_quote(mine.text)} restated{place}",
    )


def _reworded(hunk: Hunk, side: str, moved: list[tuple[Sentence, Sentence, Judgement]]) -> Hunk:
    """``hunk`` as the half of a restatement that moved a dimension: still high, but read as
    the coders read it, a counterpart strengthened or weakened (S or W), not an added or removed
    commitment, with the dimension and the words that moved."""
    mine, theirs, _ = moved[0]
    where = "added" if side == "old" else "removed"
    direction = combine_directions([j.direction for *_, j in moved])
    because = [b for b in hunk.because if not b.startswith("high because ")]
    because.append(f"reworded elsewhere: restates {_quote(theirs.text)}, {where} elsewhere in "
                   f"this diff")
    because.append("high because " + "; ".join(dict.fromkeys(j.because for *_, j in moved)))
    signals = _as_moved(hunk)
    # Both directions in one commitment are coded W (codebook 11.3).
    signals.add("strengthened" if direction == "strengthened" else "weakened")
    label, place = _label_and_place(hunk)
    return replace(
        hunk,
        signals=order_signals(signals),
        direction=direction,
        because=tuple(because),
        summary=f"{label} · reworded: {_quote(mine.text)} restated elsewhere{place}",
    )


def _as_moved(hunk: Hunk) -> set[str]:
    """The hunk's signals with its outcome (added, removed) read as a move and a rewording."""
    return (set(hunk.signals) - {"added", "removed"}) | {"moved", "reworded"}


def _label_and_place(hunk: Hunk) -> tuple[str, str]:
    """The summary's category label and " in <section>", as the classifier writes them."""
    label = ", ".join(c.capitalize() for c in hunk.categories) or "Uncategorized"
    return label, f" in {hunk.section.split(' > ')[-1]}" if hunk.section else ""
