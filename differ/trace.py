"""Trace each commitment of one version to its counterpart in the next, and say how it moved.

A counterpart governs the same category and the same object; renumbering, rewording and
relocation to another section do not break correspondence. Matching goes from the surest to the
loosest evidence:

1. the same words (normalised), wherever they now sit;
2. the most similar wording (content words, levels and quantities shared), one to one, best
   pairs first;
3. a commitment split in two, or two merged into one: an unmatched commitment whose words are
   mostly contained in an already-matched counterpart belongs to it.

Each pair is then judged with the shared materiality model (``differ.materiality.judge``): R when
nothing material moved, S or W by the direction (W when both directions are present), L when a
binding commitment survives only as a recommendation to others, X and A for the unmatched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from differ.commitments import Commitment, normalise
from differ.materiality import DIMENSIONS, judge

OUTCOMES: dict[str, str] = {
    "R": "retained",
    "S": "strengthened",
    "W": "weakened",
    "X": "removed",
    "L": "relocated",
    "A": "added",
}

MATCH_THRESHOLD = 0.45
"""Dice similarity of content words above which two commitments are counterparts."""
CONTAIN_THRESHOLD = 0.7
"""Share of a commitment's content words found in a counterpart for a split or merge."""

_WORD = re.compile(r"[a-z0-9][a-z0-9+%-]*")
_STOP = frozenset(
    "a an the of to in on at by for with from into as and or but nor so that which who this "
    "these those it its their our we they is are was were be been being has have had can also "
    "then such any each will would shall must may might could should not no do does did if when "
    "than other more most all some there here us about over under between within without".split()
)


def _content(text: str) -> frozenset[str]:
    words = _WORD.findall(text.lower().replace("’", "'"))
    return frozenset(_stem(w) for w in words if w not in _STOP and len(w) > 1)


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class TracedCommitment:
    """One row of the coders' form: a commitment, its counterpart, the outcome and why."""

    outcome: str
    dims: tuple[int, ...]
    old: Commitment | None
    new: Commitment | None
    because: str

    @property
    def material(self) -> bool:
        """Every outcome but R is a material change (L counts, reported separately)."""
        return self.outcome in ("S", "W", "X", "L", "A")

    @property
    def direction(self) -> str:
        """The direction word of the outcome: strengthened, weakened, removed, added, ..."""
        return OUTCOMES[self.outcome]

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "dims": list(self.dims),
            "old": self.old.to_json() if self.old else None,
            "new": self.new.to_json() if self.new else None,
            "because": self.because,
            "material": self.material,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TracedCommitment:
        return cls(
            outcome=str(d["outcome"]),
            dims=tuple(int(x) for x in d.get("dims", ())),
            old=Commitment.from_json(d["old"]) if d.get("old") else None,
            new=Commitment.from_json(d["new"]) if d.get("new") else None,
            because=str(d.get("because", "")),
        )


def _similarity(a: Commitment, b: Commitment, wa: frozenset[str], wb: frozenset[str]) -> float:
    if not wa or not wb:
        return 0.0
    dice = 2 * len(wa & wb) / (len(wa) + len(wb))
    if a.category == b.category:
        dice += 0.05
    if a.quantities and set(a.quantities) & set(b.quantities):
        dice += 0.05
    return dice


def _containment(part: frozenset[str], whole: frozenset[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def trace_commitments(old: list[Commitment], new: list[Commitment]) -> list[TracedCommitment]:
    """Every commitment of ``old`` traced into ``new``, then ``new``'s additions, in order.

    Old commitments come in their document order (each with its counterpart), followed by the
    added ones in theirs, so the output reads like the coders' form.
    """
    pair: dict[int, int] = {}  # old index -> new index
    taken: set[int] = set()

    # 1. Same words, wherever they sit now.
    by_text: dict[str, list[int]] = {}
    for j, c in enumerate(new):
        by_text.setdefault(normalise(c.text), []).append(j)
    for i, c in enumerate(old):
        for j in by_text.get(normalise(c.text), []):
            if j not in taken:
                pair[i] = j
                taken.add(j)
                break

    # 2. Most similar wording, best pairs first (inverted index keeps it near-linear).
    words_o = [_content(c.text) for c in old]
    words_n = [_content(c.text) for c in new]
    index: dict[str, list[int]] = {}
    for j, ws in enumerate(words_n):
        if j in taken:
            continue
        for w in ws:
            index.setdefault(w, []).append(j)
    scored: list[tuple[float, int, int]] = []
    for i, ws in enumerate(words_o):
        if i in pair:
            continue
        shared: dict[int, int] = {}
        for w in ws:
            for j in index.get(w, ()):
                shared[j] = shared.get(j, 0) + 1
        for j, k in shared.items():
            if 2 * k / (len(ws) + len(words_n[j])) + 0.1 < MATCH_THRESHOLD:
                continue
            s = _similarity(old[i], new[j], ws, words_n[j])
            if s >= MATCH_THRESHOLD:
                scored.append((s, i, j))
    for _s, i, j in sorted(scored, key=lambda t: (-t[0], t[1], t[2])):
        if i in pair or j in taken:
            continue
        pair[i] = j
        taken.add(j)

    # 3. Splits and merges: the rest of a commitment lives in a matched counterpart.
    merged_into: dict[int, int] = {}
    for i, ws in enumerate(words_o):
        if i in pair or len(ws) < 4:
            continue
        best = max(
            (( _containment(ws, words_n[j]), j) for j in taken), default=(0.0, -1)
        )
        if best[0] >= CONTAIN_THRESHOLD:
            merged_into[i] = best[1]
    split_from: dict[int, int] = {}
    matched_old = set(pair) | set(merged_into)
    for j, ws in enumerate(words_n):
        if j in taken or len(ws) < 4:
            continue
        best = max(((_containment(ws, words_o[i]), i) for i in matched_old), default=(0.0, -1))
        if best[0] >= CONTAIN_THRESHOLD:
            split_from[j] = best[1]

    out: list[TracedCommitment] = []
    for i, c in enumerate(old):
        if i in pair:
            out.append(_judge_pair(c, new[pair[i]]))
        elif i in merged_into:
            traced = _judge_pair(c, new[merged_into[i]])
            out.append(_note(traced, "merged with another commitment"))
        else:
            out.append(TracedCommitment("X", _dims_of(c), c, None, _removed_because(c)))
    for j, c in enumerate(new):
        if j in taken:
            continue
        if j in split_from:
            traced = _judge_pair(old[split_from[j]], c)
            out.append(_note(traced, "split from a longer commitment"))
        else:
            out.append(TracedCommitment("A", _added_dims(c), None, c, _added_because(c)))
    return out


def _note(t: TracedCommitment, note: str) -> TracedCommitment:
    return TracedCommitment(t.outcome, t.dims, t.old, t.new, f"{t.because} ({note})")


def _judge_pair(old: Commitment, new: Commitment) -> TracedCommitment:
    """R / S / W / L for a commitment and its counterpart."""
    if old.strength >= 2 and new.strength == 1:
        return TracedCommitment(
            "L", (4,), old, new,
            f"4 {DIMENSIONS[4]}: moved from a company commitment ('{old.strength_word}') to a "
            f"recommendation ('{new.strength_word}') in '{new.section}'",
        )
    j = judge(old.text, new.text, ((old.strength, old.strength_word), (new.strength, new.strength_word)))
    if not j.material:
        moved = " (relocated within the document)" if old.section != new.section else ""
        return TracedCommitment("R", (), old, new, f"retained: same obligation{moved}")
    outcome = "S" if j.direction == "strengthened" else "W"
    because = j.because + ("; MIX: both directions" if j.direction == "mixed" else "")
    return TracedCommitment(outcome, j.dims, old, new, because)


def _dims_of(c: Commitment) -> tuple[int, ...]:
    """The dimensions a whole commitment bears on, by its codebook code."""
    return {
        "EC1": (1,), "EC2": (2,), "EC3": (1,), "EC4": (3,), "EC5": (5,), "EC6": (6,),
        "G": (3,), "S": (1,), "M": (1,),
    }.get(c.codebook, (1,))


def _added_dims(c: Commitment) -> tuple[int, ...]:
    return _dims_of(c)


def _removed_because(c: Commitment) -> str:
    return (f"removed: no counterpart for the {c.category} commitment "
            f"('{c.strength_word}') '{_short(c.text)}'")


def _added_because(c: Commitment) -> str:
    return (f"added: new {c.category} commitment ('{c.strength_word}') '{_short(c.text)}'")


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
