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

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
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
LOOSE_THRESHOLD = 0.3
"""Weighted similarity (distinctive words) above which two commitments of one category govern
the same object: counterparts when nothing closer claims them."""
ELABORATES_THRESHOLD = 0.2
"""Weighted similarity above which a new sentence continues the addition before it."""
RESTATE_THRESHOLD = 0.75
"""Weighted similarity above which a commitment restates another of the same version."""
CUT_THRESHOLD = 0.85
"""Share of the shorter commitment's content words found in the longer: the same sentence,
one of them cut short or completed."""
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


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """A word without its inflection; remembered, as the same words recur in every version."""
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
    counted: bool = True
    """False for a row that is no commitment of its own: a restatement within one version, or
    a part of a counterpart already counted on the row of the commitment it traces."""

    @property
    def material(self) -> bool:
        """Every outcome but R is a material change (L counts, reported separately), once."""
        return self.counted and self.outcome in ("S", "W", "X", "L", "A")

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
            counted=bool(d.get("material", True)) or str(d["outcome"]) == "R",
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


class _Weights:
    """How much each content word says about a commitment's object: rare words across both
    versions' commitments ("distillation", "noncompliance") name the object, words every
    commitment uses ("model", "safeguards") name nothing."""

    def __init__(self, sets: list[frozenset[str]]) -> None:
        df: dict[str, int] = {}
        for ws in sets:
            for w in ws:
                df[w] = df.get(w, 0) + 1
        n = len(sets) + 1
        self.idf = {w: math.log(n / (k + 0.5)) for w, k in df.items()}
        self._masses: dict[int, tuple[frozenset[str], float]] = {}

    def mass(self, ws: frozenset[str]) -> float:
        return sum(map(self.idf.get, ws, repeat(0.0)))  # the same sum, in the same order

    def _mass_of(self, ws: frozenset[str]) -> float:
        """``mass`` of a commitment's word set, summed once per set object (a pass compares
        each commitment with many others; the same object sums in the same order)."""
        hit = self._masses.get(id(ws))
        if hit is not None and hit[0] is ws:
            return hit[1]
        m = self.mass(ws)
        self._masses[id(ws)] = (ws, m)
        return m

    def similarity(self, wa: frozenset[str], wb: frozenset[str]) -> float:
        """Weighted Dice: the share of both commitments' distinctive words they have in common."""
        total = self._mass_of(wa) + self._mass_of(wb)
        return 2 * self.mass(wa & wb) / total if total else 0.0


_OBJECT = re.compile(
    r"\b(?:ASL-?[0-9N]|CBRN(?:-[0-9])?|AI\s+R&D(?:-[0-9])?|ML\s+R&D|SL-?[0-9]|CCLs?|"
    r"(?:critical\s+)?capability\s+levels?|capability\s+thresholds?|"
    r"biolog|chemical|nuclear|radiolog|bioweapon|cyber|autonom|persuasi|manipulat|"
    r"self-replicat|self-improv|misalign|deceptive\s+alignment|sabotage|sandbag|"
    r"third[- ]part|external\s+(?:expert|evaluat|review|red)|independent|auditor|AISIs?|"
    r"AI\s+(?:Safety|Security)\s+Institute|government|responsible\s+scaling\s+officer|RSO|"
    r"board|long-?term\s+benefit\s+trust|LTBT|CEO|safety\s+advisory\s+group|SAG|council|"
    r"committee|red[- ]team|capabilit(?:y|ies)\s+reports?|safeguards?\s+reports?|"
    r"system\s+cards?|model\s+cards?|scorecard|safety\s+cases?|noncomplian|whistleblow|"
    r"non-disparagement|weights?|insider|exfiltrat|theft|effective\s+compute|elicitation|"
    r"fine-?tun|forecast|misuse|jailbreak|monitor|incident|pause|de-?deploy|access\s+controls?|"
    r"deployment\s+standard|security\s+standard|required\s+safeguards|policy\s+changes?|"
    r"change\s*log|update\s+process)",
    re.IGNORECASE,
)
"""The objects a commitment governs (the codebook's "same risk domain, same threshold, same
third-party relationship"): levels, risk domains, actors and the named instruments."""


def _objects(text: str) -> frozenset[str]:
    return frozenset(re.sub(r"[\s-]+", " ", m.group(0).lower()).rstrip("s")
                     for m in _OBJECT.finditer(text))


def _same_object(a: Commitment, b: Commitment) -> bool:
    """The codebook's counterpart test, first half: the same category (its code or its primary
    lexicon category). The object itself is judged by the weighted similarity."""
    return a.codebook == b.codebook or a.category == b.category


def _restatements(items: list[Commitment], words: list[frozenset[str]],
                  weights: _Weights) -> dict[int, int]:
    """Commitments that restate an earlier one of the same version (an executive summary
    repeating the body): index -> index of the first statement. One commitment, stated twice."""
    out: dict[int, int] = {}
    index: dict[str, list[int]] = {}
    for j, ws in enumerate(words):
        seen: set[int] = set()
        for w in ws:
            for i in index.get(w, ()):
                seen.add(i)
        best = max(((weights.similarity(words[i], ws), i) for i in seen
                    if i not in out and _same_object(items[i], items[j])), default=(0.0, -1))
        if best[0] >= RESTATE_THRESHOLD:
            out[j] = best[1]
        for w in ws:
            index.setdefault(w, []).append(j)
    return out


def _best_pairs(scored: list[tuple[float, int, int]], pair: dict[int, int],
                taken: set[int]) -> None:
    """One to one, best pairs first."""
    for _s, i, j in sorted(scored, key=lambda t: (-t[0], t[1], t[2])):
        if i in pair or j in taken:
            continue
        pair[i] = j
        taken.add(j)


def trace_commitments(old: list[Commitment], new: list[Commitment], *,
                      old_text: str | None = None,
                      new_text: str | None = None) -> list[TracedCommitment]:
    """Every commitment of ``old`` traced into ``new``, then ``new``'s additions, in order.

    ``old_text`` / ``new_text``, the versions' texts when the caller has them: a commitment
    whose words stand unchanged in the other version's text was neither removed nor added,
    even where that version's wording was not read as a commitment (a modal glued to the next
    word by a lost space, "mustensure").

    Old commitments come in their document order (each with its counterpart), followed by the
    added ones in theirs, so the output reads like the coders' form. One row per commitment of
    either version; a row that is not a commitment of its own (a restatement, a part of a
    split counterpart) is kept for the history but not counted (``counted`` False).
    """
    words_o = [_content(c.text) for c in old]
    words_n = [_content(c.text) for c in new]
    still_new = normalise(new_text) if new_text is not None else None
    still_old = normalise(old_text) if old_text is not None else None
    weights = _Weights(words_o + words_n)
    obj_o = [_objects(c.text) for c in old]
    obj_n = [_objects(c.text) for c in new]
    again_o = _restatements(old, words_o, weights)
    again_n = _restatements(new, words_n, weights)
    pair: dict[int, int] = {}  # old index -> new index
    taken: set[int] = set(again_n)  # a restatement is never a counterpart of its own

    # 1. Same words, wherever they sit now.
    by_text: dict[str, list[int]] = {}
    for j, c in enumerate(new):
        by_text.setdefault(normalise(c.text), []).append(j)
    for i, c in enumerate(old):
        if i in again_o:
            continue
        for j in by_text.get(normalise(c.text), []):
            if j not in taken:
                pair[i] = j
                taken.add(j)
                break

    # 2. Most similar wording, best pairs first (inverted index keeps it near-linear); then,
    # among what is left, the same category and the same distinctive words (a rewrite).
    index: dict[str, list[int]] = {}
    for j, ws in enumerate(words_n):
        if j in again_n:
            continue
        for w in ws:
            index.setdefault(w, []).append(j)
    close: list[tuple[float, int, int]] = []
    loose: list[tuple[float, int, int]] = []
    best_new: dict[int, tuple[float, int]] = {}  # old -> its closest new of the same category
    best_old: dict[int, tuple[float, int]] = {}  # new -> its closest old of the same category
    for i, ws in enumerate(words_o):
        if i in again_o:
            continue
        shared: dict[int, int] = {}
        for w in ws:
            for j in index.get(w, ()):
                shared[j] = shared.get(j, 0) + 1
        for j in shared:
            s = _similarity(old[i], new[j], ws, words_n[j])
            if i not in pair and j not in taken and s >= MATCH_THRESHOLD:
                close.append((s, i, j))
            if not _same_object(old[i], new[j]):
                continue
            w = weights.similarity(ws, words_n[j])
            if w < LOOSE_THRESHOLD:
                continue
            if i not in pair and j not in taken:
                loose.append((w, i, j))
            if w > best_new.get(i, (0.0, -1))[0]:
                best_new[i] = (w, j)
            if w > best_old.get(j, (0.0, -1))[0]:
                best_old[j] = (w, i)
    _best_pairs(close, pair, taken)
    # A sentence cut short by a page break (or completed in the next version) is contained in
    # its counterpart: most of the shorter one's words are in the longer one.
    cut: list[tuple[float, int, int]] = []
    for i, ws in enumerate(words_o):
        if i in pair or i in again_o:
            continue
        for j, wn in enumerate(words_n):
            if j in taken or min(len(ws), len(wn)) < 4:
                continue
            c = max(_containment(ws, wn), _containment(wn, ws))
            if c >= CUT_THRESHOLD:
                cut.append((c, i, j))
    _best_pairs(cut, pair, taken)
    _best_pairs(loose, pair, taken)

    # 3. Splits and merges: the rest of a commitment lives in a matched counterpart.
    merged_into: dict[int, int] = {}
    for i, ws in enumerate(words_o):
        if i in pair or i in again_o:
            continue
        best = max(((_containment(ws, words_n[j]), j) for j in taken if j not in again_n),
                   default=(0.0, -1)) if len(ws) >= 4 else (0.0, -1)
        if best[0] >= CONTAIN_THRESHOLD:
            merged_into[i] = best[1]
        elif i in best_new:
            merged_into[i] = best_new[i][1]  # its object is governed by that new passage
    split_from: dict[int, int] = {}
    loosely: set[int] = set()  # part of a counterpart by its object, not by its words
    matched_old = set(pair) | set(merged_into)
    for j, ws in enumerate(words_n):
        if j in taken:
            continue
        best = max(((_containment(ws, words_o[i]), i) for i in matched_old),
                   default=(0.0, -1)) if len(ws) >= 4 else (0.0, -1)
        if best[0] >= CONTAIN_THRESHOLD:
            split_from[j] = best[1]
        elif j in best_old and best_old[j][1] in matched_old:
            split_from[j] = best_old[j][1]  # more of the counterpart of a traced commitment
            loosely.add(j)
        else:
            # The same category and the same object (a level, a risk domain, an actor, a named
            # instrument) in the older version: a counterpart passage, not an addition.
            mine = obj_n[j]
            cands = [(weights.similarity(ws, words_o[i]), i) for i in range(len(old))
                     if i not in again_o and mine & obj_o[i] and _same_object(old[i], new[j])]
            if not cands:
                continue
            i = max(cands)[1]
            if i in matched_old:
                split_from[j] = i
                loosely.add(j)
            else:
                pair[i] = j
                taken.add(j)
                matched_old.add(i)

    out: list[TracedCommitment] = []
    rows_o: dict[int, TracedCommitment] = {}
    for i, c in enumerate(old):
        if i in again_o:
            continue
        if i in pair:
            traced = _judge_pair(c, new[pair[i]])
        elif i in merged_into and not (still_new is not None
                                       and normalise(c.text) in still_new):
            # (The same words standing in the newer text are surer evidence than a merge.)
            traced = _note(_judge_pair(c, new[merged_into[i]]), "merged with another commitment")
        else:
            traced = (_still_there(c, older=False) if still_new is not None
                      and normalise(c.text) in still_new else
                      TracedCommitment("X", _dims_of(c), c, None, _LEAD_IN_BECAUSE,
                                       counted=False) if _lead_in(c) else
                      TracedCommitment("X", _dims_of(c), c, None, _removed_because(c)))
        rows_o[i] = traced
    rows_n: dict[int, TracedCommitment] = {}
    last_added: int | None = None
    for j, c in enumerate(new):
        if j in taken or j in again_n:
            continue
        if j in split_from and not (j in loosely and rows_o[split_from[j]].outcome == "R"):
            # (A commitment kept as it was has its counterpart already: a further sentence
            # on its object is an addition, not more of that counterpart.)
            first = rows_o[split_from[j]]
            rows_n[j] = TracedCommitment(
                "R" if first.outcome in "XA" else first.outcome, first.dims, old[split_from[j]], c,
                f"part of the counterpart of a traced commitment, counted there "
                f"({first.outcome})", counted=False)
        elif (last_added is not None and new[last_added].section == c.section
              and (obj_n[last_added] & obj_n[j]
                   or (_same_object(new[last_added], c)
                       and weights.similarity(words_n[last_added], words_n[j])
                       >= ELABORATES_THRESHOLD))):
            # The next sentence of a new passage about the same object elaborates the
            # addition just made: one new commitment, counted once.
            rows_n[j] = TracedCommitment("A", _added_dims(c), None, c,
                                         "elaborates the addition before it, counted there",
                                         counted=False)
        else:
            if still_old is not None and normalise(c.text) in still_old:
                rows_n[j] = _still_there(c, older=True)
                continue
            if _lead_in(c):
                rows_n[j] = TracedCommitment("A", _added_dims(c), None, c, _LEAD_IN_BECAUSE,
                                             counted=False)
                continue
            rows_n[j] = TracedCommitment("A", _added_dims(c), None, c, _added_because(c))
            last_added = j
    for i, c in enumerate(old):
        if i in again_o:
            first = rows_o[again_o[i]]
            out.append(TracedCommitment(first.outcome, first.dims, c, first.new,
                                        "restates a commitment of the same version, counted "
                                        "there", counted=False))
        else:
            out.append(rows_o[i])
    for j, c in enumerate(new):
        if j in again_n:
            first_j = again_n[j]
            first = rows_n.get(first_j) or next(
                (t for t in rows_o.values() if t.new is new[first_j]), None)
            out.append(TracedCommitment(first.outcome if first else "A",
                                        first.dims if first else _added_dims(c),
                                        first.old if first else None, c,
                                        "restates a commitment of the same version, counted "
                                        "there", counted=False))
        elif j in rows_n:
            out.append(rows_n[j])
    return out


_LEAD_IN = re.compile(
    r"(?:^the\s+following\b[^:]*|\bthe\s+following(?:\s+[\w-]+){0,5}|"
    r"\b(?:may|might|should|must|will|can|could|shall|to|on|by|includes?|including|are|is))"
    r"\s*[:.]\s*$",
    re.IGNORECASE,
)
"""A sentence that ends by announcing a list: "... the following (few words):", "... we
may:", "... based on:". ("... defined as follows:" closes a sentence that binds on its own.)"""
_LEAD_IN_BECAUSE = ("introduces a list whose items are commitments of their own, traced on "
                    "their rows: a lead-in added or removed is not counted")


def _lead_in(c: Commitment) -> bool:
    """Whether a commitment only announces a list ("we commit to the following:", "we make
    the following procedural commitments."): its obligations are the list's items, each
    traced on its own, so the lead-in's own removal or addition moves nothing. A sentence that
    carries its list ("the following groups are in scope: hacktivists, ...") or its own
    obligation ("we restrict models from providing assistance:") is no lead-in."""
    return announces_list(c.text)


def announces_list(text: str) -> bool:
    """Whether ``text`` ends by announcing a list ("... we commit to the following:")."""
    return bool(_LEAD_IN.search(text.strip()))


_ONLY_ANNOUNCES = re.compile(
    r"\b(?:the\s+following(?:\s+[\w-]+){0,3}(?:\s+(?:in\s+order\s+)?to\s+(?!(?:the|a|an|our|"
    r"its|their|all|any|each|every|these|those|this|that)\b)[a-z]+[^.:;\d]{0,100}?)?|"
    r"(?:includes?|including))\s*[:.]\s*$", re.IGNORECASE)
"""The end of a list's announcement: "... the following (few words):", optionally with the
purpose the items serve ("the following governance measures to promote accountability.")."""
ANNOUNCEMENT_WORDS = 30
"""A longer sentence ending "the following:" carries more than the announcement (a text layer
may have glued a commitment before it)."""


def only_announces_list(text: str) -> bool:
    """Whether ``text`` is no more than the announcement of a list: "To facilitate X, we commit
    to the following:", "our deployment commitments include:", "we commit to the following
    measures to promote accountability." (a purpose, no object of its own). "The SAG will make this
    determination based on:" binds the SAG to decide, whatever the list says; so does a long
    sentence that only ends with "the following criteria:"."""
    return bool(_ONLY_ANNOUNCES.search(text.strip())) and len(text.split()) <= ANNOUNCEMENT_WORDS


def _still_there(c: Commitment, *, older: bool) -> TracedCommitment:
    """A commitment whose words stand unchanged in the other version's text: retained."""
    where = "older" if older else "newer"
    return TracedCommitment("R", (), None if older else c, c if older else None,
                            f"retained: the same words stand in the {where} version, though "
                            "not read there as a commitment")


def _note(t: TracedCommitment, note: str) -> TracedCommitment:
    return TracedCommitment(t.outcome, t.dims, t.old, t.new, f"{t.because} ({note})", t.counted)


_TOKEN = re.compile(r"\S+")
_LETTERS = re.compile(r"[^\w&+-]+")


def _unglue(text: str, other: str) -> str:
    """``text`` with each word that the other wording writes as two words split the same way
    ("externalexperts" → "external experts", "TheASL-3" → "The ASL-3"), so the materiality
    judgement compares words, not a text layer's lost spaces."""
    words = [_LETTERS.sub("", w) for w in other.split()]
    joins: dict[str, int] = {}  # "externalexperts" -> len("external")
    for w1, w2 in zip(words, words[1:], strict=False):
        if w1 and w2:
            joins.setdefault((w1 + w2).lower(), len(w1))
    if not joins:
        return text

    def split(m: re.Match[str]) -> str:
        token = m.group(0)
        core = _LETTERS.sub("", token)
        cut = joins.get(core.lower())
        if cut is None or core.lower() in {w.lower() for w in words}:
            return token
        start = token.find(core[:1])
        return token[: start + cut] + " " + token[start + cut:]

    return _TOKEN.sub(split, text)


def _judge_pair(old: Commitment, new: Commitment) -> TracedCommitment:
    """R / S / W / L for a commitment and its counterpart."""
    if old.strength >= 2 and new.strength == 1:
        return TracedCommitment(
            "L", (4,), old, new,
            f"4 {DIMENSIONS[4]}: moved from a company commitment ('{old.strength_word}') to a "
            f"recommendation ('{new.strength_word}') in '{new.section}'",
        )
    moved = " (relocated within the document)" if old.section != new.section else ""
    if normalise(old.text) == normalise(new.text):
        # The same letters and digits: only spacing, punctuation or a lost space between two
        # words (a PDF text layer's joins) differ. Nothing a reader relies on moved.
        return TracedCommitment("R", (), old, new, f"retained: same words{moved}")
    a, b = _unglue(old.text, new.text), _unglue(new.text, old.text)
    j = judge(a, b, ((old.strength, old.strength_word), (new.strength, new.strength_word)))
    if not j.material:
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
