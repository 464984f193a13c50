"""Align two sentence lists into changed regions: sentences first, then words inside changes.

Measured: an exact (no-timeout) diff-match-patch diff is fast on sentence
tokens (0.24 s for the hardest pair) but takes minutes on whole-document words. So:

1. diff sentence keys (each sentence mapped to one character, like dmp's line mode), exactly;
2. sentences deleted in one place and inserted unchanged in another are a *move*, not two edits;
3. inside each changed run, pair similar sentences as anchors so that word-level diffs only ever
   run on small pieces; pieces with no counterpart are whole-paragraph deletions/insertions;
4. word-level diff (words mapped to characters), semantic cleanup, and regions = contiguous
   changes expanded to whole sentences.

Every diff here runs with ``Diff_Timeout = 0``: a timeout-truncated diff is silently wrong.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Literal

from diff_match_patch import diff_match_patch

from differ.segment import Sentence, squash

WORD_LIMIT = 260
"""Largest piece (old + new words) handed to the exact word diff; bigger runs get anchored first.

Word diff cost grows with (words x edit distance); at 260 words the worst case stays near 50 ms.
"""

ANCHOR_SIMILARITY = 0.5
"""Dice similarity of word sets above which two sentences are "the same sentence, edited"."""

MOVE_MIN_WORDS = 4
"""Shorter sentences (dates, "Version 1.0") recur by coincidence and are reported as moves only
when each text says them once.

Headings are exempt: a relocated section moves with its heading.
"""

CHUNK_SENTENCES = 8
"""A whole-paragraph insertion or deletion is split into hunks of at most this many sentences."""

Kind = Literal["change", "moved", "cosmetic"]


@dataclass(slots=True)
class Change:
    """One contiguous word change: what went, what came, and which sentences it sits in.

    ``old_sids``/``new_sids`` give, per removed/added word, the index of its sentence within the
    region, so the classifier can tell a wholly deleted sentence from an edited one. ``before``
    and ``after`` are the unchanged neighbouring words, so "commit" → "aim" is read as
    "commit to" → "aim to". ``at_start``: the change begins a sentence (where list numbers live).
    """

    removed: list[str]
    added: list[str]
    old_sids: list[int] = field(default_factory=list)
    new_sids: list[int] = field(default_factory=list)
    before: str = ""
    after: str = ""
    at_start: bool = False


@dataclass(slots=True)
class Region:
    """A changed region before classification: the sentences on each side and the word changes."""

    old: list[Sentence]
    new: list[Sentence]
    kind: Kind = "change"
    changes: list[Change] = field(default_factory=list)


def _dmp() -> diff_match_patch:
    d = diff_match_patch()
    d.Diff_Timeout = 0  # exact: never a truncated diff
    return d


class _Encoder:
    """Maps tokens to single characters (dmp's line-mode trick), skipping surrogates."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}

    def encode(self, tokens: list[str]) -> str:
        out = []
        for t in tokens:
            c = self.codes.get(t)
            if c is None:
                n = len(self.codes) + 0x100
                if n >= 0xD800:
                    n += 0x800
                c = self.codes[t] = chr(n)
            out.append(c)
        return "".join(out)


def diff_tokens(a: list[str], b: list[str]) -> list[tuple[int, int, int, int, int]]:
    """Exact diff of two token lists as (op, a_start, a_end, b_start, b_end); op in -1, 0, 1."""
    if a == b:
        return [(0, 0, len(a), 0, len(b))] if a else []
    enc = _Encoder()
    sa, sb = enc.encode(a), enc.encode(b)
    d = _dmp()
    diffs = d.diff_main(sa, sb, False)
    out = []
    i = j = 0
    for op, txt in diffs:
        n = len(txt)
        if op == 0:
            out.append((0, i, i + n, j, j + n))
            i, j = i + n, j + n
        elif op == -1:
            out.append((-1, i, i + n, j, j))
            i += n
        else:
            out.append((1, i, i, j, j + n))
            j += n
    return out


def word_key(word: str) -> str:
    """Words compare by letters and digits only, so "e.g." and "e.g.," are the same word."""
    return squash(word) or word


def word_ops(old: str, new: str) -> list[tuple[int, str]]:
    """Word-level diff of two short texts as (op, text) runs, semantic cleanup applied.

    Used to mark changed words when rendering a hunk; whitespace between words is normalised.
    """
    ow, nw = old.split(), new.split()
    enc = _Encoder()
    keys_a = [word_key(w) for w in ow]
    keys_b = [word_key(w) for w in nw]
    sa, sb = enc.encode(keys_a), enc.encode(keys_b)
    d = _dmp()
    diffs = d.diff_main(sa, sb, False)
    d.diff_cleanupSemantic(diffs)
    out: list[tuple[int, str]] = []
    i = j = 0
    for op, txt in diffs:
        n = len(txt)
        if op == 0:
            out.append((0, " ".join(nw[j : j + n])))
            i, j = i + n, j + n
        elif op == -1:
            out.append((-1, " ".join(ow[i : i + n])))
            i += n
        else:
            out.append((1, " ".join(nw[j : j + n])))
            j += n
    return out


MAX_WORD_DIFF = 1_000
"""Words (old and new together) above which a hunk is shown as whole old and new sides instead
of a word diff: the word diff is exact (no timeout) and quadratic in the worst case, ~0.1 s at
this size, and a side that long reads better whole anyway."""


def changed_words(old: str, new: str) -> list[tuple[int, str]]:
    """The word diff every renderer shows (terminal, web page, Slack, e-mail), so all of them
    mark the same words: (op, text) runs, op -1 removed, 0 unchanged, 1 added, words separated
    by single spaces. One side empty, or both together over :data:`MAX_WORD_DIFF` words: each
    side whole."""
    if old and new and len(old.split()) + len(new.split()) <= MAX_WORD_DIFF:
        return word_ops(old, new)
    return [(op, text) for op, text in ((-1, old), (1, new)) if text]


def _touched(
    words: list[tuple[str, int]], a: int, b: int, other_at_start: bool, other_at_end: bool
) -> set[int]:
    """Sentences on one side touched by a change covering words [a, b) of that side.

    For an empty range (the change is a pure insertion on the other side), the sentence at the
    insertion point counts as touched unless the other side's words are whole sentences.
    """
    if b > a:
        return {words[k][1] for k in range(a, b)}
    if not words or (other_at_start and other_at_end):
        return set()
    if a > 0 and not other_at_start:
        return {words[a - 1][1]}
    return {words[min(a, len(words) - 1)][1]}


def word_regions(old: list[Sentence], new: list[Sentence]) -> list[Region]:
    """Exact word diff of two small sentence lists, grouped into sentence-expanded regions."""
    ow = [(w, si) for si, s in enumerate(old) for w in s.words]
    nw = [(w, si) for si, s in enumerate(new) for w in s.words]
    # Words a text layer ran together ("willshare", "RSOmay") are read as the words they are,
    # so a join is never a changed word and a glued modal still counts as that modal.
    ow, nw = split_joins(ow, nw), split_joins(nw, ow)
    o_start = _boundaries(ow, start=True)
    o_end = _boundaries(ow, start=False)
    n_start = _boundaries(nw, start=True)
    n_end = _boundaries(nw, start=False)
    enc = _Encoder()
    sa = enc.encode([word_key(w) for w, _ in ow])
    sb = enc.encode([word_key(w) for w, _ in nw])
    d = _dmp()
    diffs = d.diff_main(sa, sb, False)
    d.diff_cleanupSemantic(diffs)

    changes: list[tuple[int, int, int, int]] = []  # (a0, a1, b0, b1) per contiguous change
    i = j = 0
    for op, txt in diffs:
        n = len(txt)
        if op == 0:
            i, j = i + n, j + n
            continue
        if op == -1:
            a0, a1, b0, b1 = i, i + n, j, j
            i += n
        else:
            a0, a1, b0, b1 = i, i, j, j + n
            j += n
        if changes and changes[-1][1] == a0 and changes[-1][3] == b0:
            p = changes[-1]
            changes[-1] = (p[0], a1, p[2], b1)
        else:
            changes.append((a0, a1, b0, b1))

    regions: list[tuple[set[int], set[int], list[tuple[int, int, int, int]]]] = []
    for a0, a1, b0, b1 in changes:
        olds = _touched(ow, a0, a1, b0 in n_start, b1 in n_end)
        news = _touched(nw, b0, b1, a0 in o_start, a1 in o_end)
        if regions and (regions[-1][0] & olds or regions[-1][1] & news):
            regions[-1][0].update(olds)
            regions[-1][1].update(news)
            regions[-1][2].append((a0, a1, b0, b1))
        else:
            regions.append((set(olds), set(news), [(a0, a1, b0, b1)]))

    out: list[Region] = []
    for olds, news, chs in regions:
        oi = list(range(min(olds), max(olds) + 1)) if olds else []
        ni = list(range(min(news), max(news) + 1)) if news else []
        o0 = oi[0] if oi else 0
        n0 = ni[0] if ni else 0
        found = []
        for a0, a1, b0, b1 in chs:
            found.append(
                Change(
                    removed=[w for w, _ in ow[a0:a1]],
                    added=[w for w, _ in nw[b0:b1]],
                    old_sids=[ow[k][1] - o0 for k in range(a0, a1)],
                    new_sids=[nw[k][1] - n0 for k in range(b0, b1)],
                    before=ow[a0 - 1][0] if a0 > 0 else "",
                    after=ow[a1][0] if a1 < len(ow) else "",
                    at_start=(a0 in o_start or a0 == a1) and (b0 in n_start or b0 == b1),
                )
            )
        out.append(Region(old=[old[k] for k in oi], new=[new[k] for k in ni], changes=found))
    return out


_GLUE_WORDS = ("will", "may", "must", "shall", "might", "could", "should", "would", "cannot",
               "not", "never", "only")
"""Words whose meaning must survive a lost space even when the other version does not have
them ("RSOmay" against "RSO will"): the obligation words."""


def split_joins(words: list[tuple[str, int]], other: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """``words`` with each token that runs two or three words together split into them.

    A token splits when it is the concatenation of consecutive words of the other version
    ("ahighly" against "a highly"), or an obligation word glued to a word of the other version
    ("willshare", "RSOmay"; both parts at least three letters). Anything else stays whole:
    "willing" and "mayor" are words.
    """
    keys = [word_key(w) for w, _ in other]
    known = set(keys)
    if all(word_key(w) in known or len(word_key(w)) < 4 for w, _ in words):
        return words  # the common case: every word also stands in the other version
    joins: dict[str, list[str]] = {}
    for k in range(len(keys)):
        for m in (2, 3):
            if k + m <= len(keys):
                joins.setdefault("".join(keys[k:k + m]), keys[k:k + m])
    out: list[tuple[str, int]] = []
    for w, si in words:
        key = word_key(w)
        parts = None if key in known or len(key) < 4 else joins.get(key) or _glued_word(key, known)
        pieces = _cut(w, parts) if parts else None
        out.extend((p, si) for p in pieces) if pieces else out.append((w, si))
    return out


def _glued_word(key: str, known: set[str]) -> list[str] | None:
    for g in _GLUE_WORDS:
        rest_after, rest_before = key[len(g):], key[: -len(g)]
        if key.startswith(g) and len(rest_after) >= 3 and rest_after in known:
            return [g, rest_after]
        if key.endswith(g) and len(rest_before) >= 3 and rest_before in known:
            return [rest_before, g]
    return None


def _cut(word: str, parts: list[str]) -> list[str] | None:
    """``word`` cut where its letters and digits spell each of ``parts`` in turn (punctuation
    stays with the piece it follows); None when the letters do not line up."""
    pieces: list[str] = []
    cur = ""
    idx = 0
    need = len(parts[0])
    for ch in word:
        cur += ch
        if squash(ch):
            need -= len(squash(ch))
            if need == 0 and idx < len(parts) - 1:
                pieces.append(cur)
                cur = ""
                idx += 1
                need = len(parts[idx])
            elif need < 0:
                return None
    pieces.append(cur)
    if len(pieces) != len(parts) or [word_key(p) for p in pieces] != parts:
        return None
    return pieces


def _boundaries(words: list[tuple[str, int]], *, start: bool) -> set[int]:
    """Word positions where a sentence starts (or, with start=False, just ended)."""
    out = {0} if start else {len(words)}
    for k in range(1, len(words)):
        if words[k][1] != words[k - 1][1]:
            out.add(k)
    return out


def one_sided(old: list[Sentence], new: list[Sentence]) -> list[Region]:
    """Whole sentences deleted (``new`` empty) or inserted (``old`` empty), in paragraph chunks.

    A heading stays with the paragraph under it, so a removed section reads as one hunk.
    """
    side = old or new
    chunks: list[list[Sentence]] = []
    for s in side:
        if (
            chunks
            and len(chunks[-1]) < CHUNK_SENTENCES
            and (chunks[-1][-1].para == s.para or chunks[-1][-1].heading)
            and not s.heading
        ):
            chunks[-1].append(s)
        else:
            chunks.append([s])
    regions = []
    for c in chunks:
        words = [w for s in c for w in s.words]
        sids = [k for k, s in enumerate(c) for _ in s.words]
        if old:
            ch = Change(removed=words, added=[], old_sids=sids, at_start=True)
            regions.append(Region(old=c, new=[], changes=[ch]))
        else:
            ch = Change(removed=[], added=words, new_sids=sids, at_start=True)
            regions.append(Region(old=[], new=c, changes=[ch]))
    return regions


def _word_set(s: Sentence) -> set[str]:
    return {word_key(w) for w in s.words if len(w) > 2}


def anchors(old: list[Sentence], new: list[Sentence]) -> list[tuple[int, int]]:
    """Monotonic pairs (i, j) of similar sentences: the skeleton of an edited passage.

    Each old sentence proposes its most similar new sentence (Dice >= ANCHOR_SIMILARITY, found
    through an inverted index so cost stays near-linear); the longest increasing chain of those
    proposals is kept, so anchors never cross.
    """
    new_sets = [_word_set(s) for s in new]
    index: dict[str, list[int]] = defaultdict(list)
    for j, ws in enumerate(new_sets):
        for w in ws:
            index[w].append(j)
    limit = max(20, len(new) // 4)  # words in a quarter of all sentences do not discriminate
    proposals: list[tuple[int, int]] = []
    for i, s in enumerate(old):
        ws = _word_set(s)
        if not ws:
            continue
        shared: dict[int, int] = defaultdict(int)
        for w in ws:
            hits = index.get(w, ())
            if len(hits) <= limit:
                for j in hits:
                    shared[j] += 1
        best, best_sim = -1, ANCHOR_SIMILARITY
        for j, n in shared.items():
            sim = 2 * n / (len(ws) + len(new_sets[j]))
            if sim > best_sim or (sim == best_sim and best >= 0 and j < best):
                best, best_sim = j, sim
        if best >= 0:
            proposals.append((i, best))
    return longest_chain(proposals)


def longest_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence with strictly increasing j (pairs already increase in i)."""
    import bisect

    tails: list[int] = []
    tail_idx: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        back[k] = tail_idx[pos - 1] if pos else -1
    out = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        out.append(pairs[k])
        k = back[k]
    return out[::-1]


UNRELATED_SIMILARITY = 0.2
"""Dice similarity of content words below which two replaced passages share no subject."""
UNRELATED_MIN_WORDS = 12


def _unrelated(old: list[Sentence], new: list[Sentence]) -> bool:
    """Whether the old and new passages of a changed run are about different things."""
    if sum(len(s.words) for s in old) < UNRELATED_MIN_WORDS or sum(
        len(s.words) for s in new
    ) < UNRELATED_MIN_WORDS:
        return False
    a = set().union(*(_word_set(s) for s in old))
    b = set().union(*(_word_set(s) for s in new))
    if not a or not b:
        return False
    return 2 * len(a & b) / (len(a) + len(b)) < UNRELATED_SIMILARITY


CONTAINED = 0.5
"""Share of a sentence's words found in one sentence of the other side above which it is part
of that sentence (split off or merged in), not a sentence of its own."""


def _apart(old: list[Sentence], new: list[Sentence], pairs: list[tuple[int, int]]) -> bool:
    """Whether a small run splits at its anchors: some stretch between two anchored pairs holds
    sentences on both sides, every such stretch is unrelated (as a passage, or sentence by
    sentence), and no unanchored sentence is a piece of a sentence opposite.

    A word diff over the whole run would otherwise pair each deleted paragraph with whatever
    new paragraph sits beside it, and show an edit between sentences that share no subject.
    """
    old_sets = [_word_set(s) for s in old]
    new_sets = [_word_set(s) for s in new]
    paired_old = {i for i, _ in pairs}
    paired_new = {j for _, j in pairs}

    def piece(ws: set[str], others: list[set[str]]) -> bool:
        return bool(ws) and any(len(ws & o) >= CONTAINED * len(ws) for o in others)

    if any(piece(ws, new_sets) for i, ws in enumerate(old_sets) if i not in paired_old):
        return False
    if any(piece(ws, old_sets) for j, ws in enumerate(new_sets) if j not in paired_new):
        return False
    facing = False  # a stretch with sentences on both sides, which a word diff would pair
    pi = pj = 0
    for i, j in [*pairs, (len(old), len(new))]:
        if i > pi and j > pj:
            if not _unrelated(old[pi:i], new[pj:j]) and any(
                    2 * len(a & b) >= UNRELATED_SIMILARITY * (len(a) + len(b))
                    for a in old_sets[pi:i] for b in new_sets[pj:j]):
                return False
            facing = True
        pi, pj = i + 1, j + 1
    return facing


def align_run(old: list[Sentence], new: list[Sentence]) -> list[Region]:
    """Regions for one changed run of sentences, keeping every word diff small."""
    if not old or not new:
        return one_sided(old, new) if (old or new) else []
    size = sum(len(s.words) for s in old) + sum(len(s.words) for s in new)
    if _unrelated(old, new):
        # A passage deleted and an unrelated one inserted in its place: shown side by side, one
        # paragraph would read as a rewrite of the other. They are a removal and an addition.
        return one_sided(old, []) + one_sided([], new)
    small = size <= WORD_LIMIT
    if small:
        pairs = anchors(old, new) if len(old) > 1 or len(new) > 1 else []
        if not pairs or not _apart(old, new, pairs):
            return word_regions(old, new)
    else:
        pairs = anchors(old, new)
        if not pairs:
            return one_sided(old, []) + one_sided([], new)
    regions: list[Region] = []
    pi = pj = 0
    for i, j in [*pairs, (len(old), len(new))]:
        if small:  # _apart found the stretches between anchors unrelated
            regions.extend(one_sided(old[pi:i], []) + one_sided([], new[pj:j]))
        elif i > pi or j > pj:
            regions.extend(align_run(old[pi:i], new[pj:j]))
        if i < len(old):
            regions.extend(word_regions([old[i]], [new[j]]))
        pi, pj = i + 1, j + 1
    return regions


def align(old: list[Sentence], new: list[Sentence]) -> list[Region]:
    """All regions between two segmented texts, in document order."""
    ops = diff_tokens([s.key for s in old], [s.key for s in new])
    regions: list[Region] = []

    # Moves: a sentence deleted here and inserted unchanged there.
    deleted = [i for op, a0, a1, _, _ in ops if op == -1 for i in range(a0, a1)]
    inserted = [j for op, _, _, b0, b1 in ops if op == 1 for j in range(b0, b1)]
    free: dict[str, list[int]] = defaultdict(list)
    for j in inserted:
        free[new[j].key].append(j)
    short: set[str] | None = None  # keys of short sentences said once on each side
    moved: list[tuple[int, int]] = []
    for i in deleted:
        js = free.get(old[i].key)
        if not js:
            continue
        if not old[i].heading and len(old[i].words) < MOVE_MIN_WORDS:
            if short is None:
                short = _once_each(old, new)
            if old[i].key not in short or new[js[0]].heading:
                continue
        moved.append((i, js.pop(0)))
    moved_old = {i for i, _ in moved}
    moved_new = {j for _, j in moved}
    blocks: list[list[tuple[int, int]]] = []
    for i, j in moved:
        if blocks and blocks[-1][-1] == (i - 1, j - 1):
            blocks[-1].append((i, j))
        else:
            blocks.append([(i, j)])
    move_regions = {
        b[0][0]: Region(
            old=[old[i] for i, _ in b],
            new=[new[j] for _, j in b],
            kind="moved",
        )
        for b in blocks
    }

    k = 0
    while k < len(ops):
        op, a0, a1, b0, b1 = ops[k]
        if op == 0:
            regions.extend(_cosmetic_regions(old[a0:a1], new[b0:b1]))
            k += 1
            continue
        run_a0, run_b0 = a0, b0
        run_a1, run_b1 = a1, b1
        while k + 1 < len(ops) and ops[k + 1][0] != 0:
            k += 1
            run_a1, run_b1 = max(run_a1, ops[k][2]), max(run_b1, ops[k][4])
        k += 1
        olds = [old[i] for i in range(run_a0, run_a1) if i not in moved_old]
        news = [new[j] for j in range(run_b0, run_b1) if j not in moved_new]
        for i in range(run_a0, run_a1):
            if i in move_regions:
                regions.append(move_regions[i])
        regions.extend(align_run(olds, news))
    return regions


def _once_each(old: list[Sentence], new: list[Sentence]) -> set[str]:
    """Keys of short sentences that occur exactly once in each text: the same sentence moved,
    not a date or "Version 1.0" that recurs by coincidence."""
    def once(side: list[Sentence]) -> set[str]:
        counts = Counter(s.key for s in side if not s.heading and len(s.words) < MOVE_MIN_WORDS
                         and not s.key.isdigit())  # a list number "6." is renumbering
        return {k for k, n in counts.items() if n == 1}

    return once(old) & once(new)


def _cosmetic_regions(old: list[Sentence], new: list[Sentence]) -> list[Region]:
    """Equal-key sentences whose visible text differs (case, punctuation, list numbering)."""
    out: list[Region] = []
    last = -2
    for k, (a, b) in enumerate(zip(old, new, strict=True)):
        if a.visible == b.visible:
            continue
        if out and last == k - 1:
            out[-1].old.append(a)
            out[-1].new.append(b)
        else:
            out.append(Region(old=[a], new=[b], kind="cosmetic"))
        n = len(out[-1].old) - 1
        out[-1].changes.append(
            Change(
                removed=a.words,
                added=b.words,
                old_sids=[n] * len(a.words),
                new_sids=[n] * len(b.words),
                at_start=True,
            )
        )
        last = k
    return out
