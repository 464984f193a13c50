"""Turn an aligned region into a classified Hunk: categories, signals, severity, and why.

Two principles keep alerts trustworthy:

* A change is judged by its *substantive* word changes only. Case, punctuation, whitespace,
  hyphenation, words run together by a PDF text layer, list/footnote renumbering and small typo
  fixes are cosmetic, and a hunk made only of those is severity ``none`` whatever words sit next
  to it ("we may publish" next to a fixed typo is not a publication change).
* Categories come from the reviewed lexicon (``lexicon.toml``), matched on the sentences around
  the change and on the section path, and every flag records the rule id and the words that
  fired it in ``because``, so a reader can audit any alert.
* ``high`` needs the *evidence* itself to touch a commitment: the sentence that carries the
  high signal (the changed number, the modal shift, the deleted or reworded binding sentence)
  must match a category term. A category known only from the surrounding sentences or from the
  section path makes the hunk ``medium`` — unless the evidence is a binding sentence (removed,
  reworded, weakened) inside a categorized section. Section, table, footnote, list and version
  numbers are not quantities; acknowledgements and references are not commitments.
* Background, rationale or description reworded (neither side binds, no list item of a
  commitment, no materiality dimension moved) is ``low`` whatever its category.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace

from differ.align import Change, Region, split_joins
from differ.disclosure import CLASS_WORDS, in_changelog
from differ.lexicon import Lexicon, category_unions, load_lexicon
from differ.materiality import (
    CARVE_OUT,
    ILLUSTRATIVE,
    Judgement,
    judge,
    label_renamed,
    modal_strength,
)
from differ.model import HIGH_SIGNALS, Hunk, combine_directions, order_signals
from differ.segment import Sentence, ascii_dropper, keep_only, normalize_chars, squash

BINDING_SIGNALS = frozenset({"weakened", "removed", "reworded", "added", "strengthened"})
"""High signals whose evidence is itself an obligation (a modal or a binding sentence)."""


_ENUM_LEAD = re.compile(r"^\s*(?:[●•▪◦○■□➢►–*-]\s*)?(?:\(?\d{1,2}(?:\.\d{1,2})*[.)]?\s+|\(?[a-z][.)]\s+)?")
_ENUM_TOKEN = re.compile(r"^\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-z]|[ivx]{1,5})[.)]?$")
_FOOTNOTE = re.compile(r"^(.*(?:[a-z]{2}|[a-z]{2}[.,;:\"”’')\]]+|\w[.,;:\"”’')\]]+))\d{1,2}(\W*)$")
"""A footnote marker glued to a word or its punctuation: "risks1", "Compute4).", "3).2"."""
_GLUED_NOTE = re.compile(r"(?<=[a-z][a-z])\d{1,2}(?=[a-z][a-z])|(?<=[a-z][.,;:\"”’')])\d{1,2}(?=[A-Z][a-z])")
"""A footnote marker inside a token whose spaces a PDF text layer lost: "capable8model",
"risks5beyond", "harm.4That" (a digit run between two lowercase words is never a quantity)."""
_TIMES = re.compile(r"(?<=\d)\s?×")
"""A multiplier written with the sign, "4×": the same quantity as "4x"."""
_DIGIT = re.compile(r"\d")

_STRUCTURAL_BEFORE = frozenset(
    "section sections sec table tables figure figures fig appendix annex chapter part page pages "
    "pp p footnote footnotes note version versions v step item".split()
)
"""Words after which a number names a place in the document, not a quantity ("Table 2")."""
_OUTLINE_NUMBER = re.compile(r"^\(?\d{1,2}(?:\.\d{1,2}){2,}(?:\.?[a-z])?[.:,;)]?$|^\d{1,2}\.\d{1,2}\.?[a-z][.:,;)]?$")
"""A multi-level outline number: "2.1.2", "2.2.1.a:", "3.2a" — always a section or table number."""
_LIST_MARKER = re.compile(r"^(?:\(\d{1,2}\)|\d{1,2}\)|\([a-z]\)|[a-z]\))[.,;:]?$")
"""An in-sentence list marker: "(1)", "2)", "(a)"."""
_VERSION = re.compile(r"^v\d+(?:\.\d+)*[.,;:)]?$", re.IGNORECASE)
_URL = re.compile(r"://|^\(?www\.|^\(?[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|gov|edu|io|ai|uk)/", re.IGNORECASE)
"""A web address: its digits are a citation ("metr.org/blog/2023-09-26-rsp"), not a quantity."""
_GLUED_OUTLINE = re.compile(r"^\(?\d{1,2}(?:\.\d{1,2}){1,3}(?=[a-z])")
"""An outline number run into the next word by a lost space ("7.1.4and7.2.2,we"): a
cross-reference, not a quantity."""
_TWO_LEVEL = re.compile(r"^\d{1,2}\.\d{1,2}$")
_TITLE_WORD = re.compile(r"^[A-Z][\w&’'-]+$")
_STRUCTURAL_GLUED = re.compile(r"(?:sections?|appendix|annex|table|figure|footnote)$")
_DASH = frozenset({"-", "–", "—", "|"})
_NON_NORMATIVE = re.compile(
    r"\b(?:acknowledge?ments?|references|bibliography|works\s+cited|endnotes|contributors|"
    r"about\s+the\s+authors|glossary)\b",
    re.IGNORECASE,
)
"""Sections that thank people or list sources: edits there change no commitment."""
_TOC_HEADING = re.compile(r"^#*\s*(?:table\s+of\s+)?contents\s*:?$", re.IGNORECASE)
"""An unnumbered "Contents" heading: the table of contents repeats headings (diffed where they
stand) and page numbers. A numbered "3.3. Contents" is a real section (a report's contents)."""


UNRELATED_SIMILARITY = 0.1
"""Dice similarity of content words below which the two sides of a region are different
sentences set side by side, not one sentence reworded."""


def unrelated(old: list[Sentence], new: list[Sentence]) -> bool:
    """Whether the two sides share (almost) no content word: a deletion next to an insertion."""
    from differ.trace import _content

    a = _content(" ".join(s.text for s in old if not s.heading))
    b = _content(" ".join(s.text for s in new if not s.heading))
    return bool(a and b) and 2 * len(a & b) / (len(a) + len(b)) < UNRELATED_SIMILARITY


def _non_normative(section: str) -> bool:
    """Acknowledgements, references, a glossary or the table of contents: no commitment there."""
    return bool(_NON_NORMATIVE.search(section)) or any(
        _TOC_HEADING.match(part.strip()) for part in section.split(" > ")
    )
_FORECAST_CLAUSE = re.compile(
    r"(?:\b(?:believes?|expects?|hopes?|thinks?|anticipates?|predicts?|guess|risk|chance|"
    r"likely|possible|likelihood)\b[^.;:]*?\bthat|\b(?:believes?|expects?|hopes?|thinks?|"
    r"anticipates?|predicts?))(?:\s+[^\s.;:,()]+){0,5}\s+$"
    r"|\b(?:where|whether)\s+(?:it|this|that|they)\s+$",
    re.IGNORECASE,
)
"""Text just before a "will" that makes it a forecast or a condition, not an obligation:
"we believe X will", "the risk that they will", "our guess ... is that ASL-4 will", "where it
will". At most five words may separate the cue from "will", with no clause break between (a
"when ..., we will" after a comma binds)."""
_RUN_IN_LABEL = re.compile(r"^(?:\(?\d{1,2}[.)]\s+)?[A-Z][\w’'&/-]*(?:\s+[\w’'&/-]+){0,3}:$")
"""A list item's run-in label: "Supply chain:", "3. Workforce:" (at most four words + colon)."""
_LIST_NUMBER = re.compile(r"^\(?\d{1,2}[.)]$")
"""A list number that opens a sentence ("3.", "(2)", "4)"); a bare "12" may be a quantity."""
_TOC = re.compile(r"\.{4,}")
"""Dot leaders: a table-of-contents line, which repeats headings that are diffed on their own."""
FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for with from into onto as and or but nor so that which who whom "
    "whose this these those it its their our we they is are was were be been being has have had "
    "can also then such any each additionally furthermore moreover likewise similarly however "
    "nevertheless nonetheless thus therefore hence accordingly".split()
)
"""Words whose change alone rewords no commitment ("can be determined" → "are determined"),
among them the connectives that tie a sentence to the one before ("also" → "additionally",
"thus" → "therefore"): they bind nothing themselves."""


def _strip_marks(tokens: list[str], at_start: bool) -> list[str]:
    """Tokens without a leading list number and without footnote digits glued to words."""
    out = list(tokens)
    if at_start and out and _ENUM_TOKEN.match(out[0]):
        out = out[1:]
    return [_unmark(t) for t in out]


def _numbers_alone(ch: Change) -> bool:
    """Only list numbers, each a sentence of its own ("3." "4." that a PDF text layer left on
    their own lines): renumbering or re-bulleting, no word of the document."""
    if not ch.at_start or not (ch.removed or ch.added):
        return False
    for tokens, sids in ((ch.removed, ch.old_sids), (ch.added, ch.new_sids)):
        if len(set(sids)) != len(tokens) or not all(_LIST_NUMBER.match(t) for t in tokens):
            return False
    return True


def _unmark(token: str) -> str:
    """``token`` without footnote digits glued to it or inside it, and "×" after a number read
    as "x": what a reader weighs, not how the PDF rendered it."""
    return _TIMES.sub("x", _GLUED_NOTE.sub("", _FOOTNOTE.sub(r"\1\2", token)))


def _edit_distance(a: str, b: str, cap: int = 3) -> int:
    """Levenshtein distance, giving up (returning ``cap``) once it is clearly large."""
    if abs(len(a) - len(b)) >= cap:
        return cap
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) >= cap:
            return cap
        prev = cur
    return min(prev[-1], cap)


PASSAGE_WORDS = 12


def _is_passage(ch: Change) -> bool:
    """A pure insertion or deletion of more than a phrase."""
    return (not ch.removed and len(ch.added) > PASSAGE_WORDS) or (
        not ch.added and len(ch.removed) > PASSAGE_WORDS)


_NOT_FIRM = re.compile(r"[^\w+%<>=$≥≤×~]+|_", re.UNICODE)
_DROP_NOT_FIRM = ascii_dropper("abcdefghijklmnopqrstuvwxyz0123456789+%<>=$~")


def _firm_squash(text: str) -> str:
    """``squash`` keeping the symbols that change a quantity or a level ("2+", "<1%")."""
    return keep_only(normalize_chars(text).lower(), _DROP_NOT_FIRM, _NOT_FIRM)


def _before(text: str, q: str, lo: int, hi: int, most: int = 4) -> list[int]:
    """Where ``q`` lies wholly inside ``text[lo:hi]``, the nearest ``hi`` first."""
    out: list[int] = []
    at = text.rfind(q, lo, hi)
    while at >= 0 and len(out) < most:
        out.append(at)
        at = text.rfind(q, lo, at + len(q) - 1)
    return out


def _after(text: str, q: str, lo: int, hi: int, most: int = 4) -> list[int]:
    """Where ``q`` starts in ``text[lo:hi]``, the nearest ``lo`` first."""
    out: list[int] = []
    at = text.find(q, lo, hi)
    while at >= 0 and len(out) < most:
        out.append(at)
        at = text.find(q, at + 1, hi)
    return out


STANDING_MIN_WORDS = 8
"""Below high, a sentence this short found in the other version may be a phrase of another
sentence there ("Red-teaming." in a list and in prose): only longer ones count as standing."""


def _all_long(sentences: list[Sentence]) -> bool:
    return bool(sentences) and all(len(s.text.split()) >= STANDING_MIN_WORDS for s in sentences)


_MAY_INCLUDE = re.compile(
    r"\b(?:may|might|could|can)\s+(?:also\s+)?(?:include|involve|comprise|cover|entail)\b",
    re.IGNORECASE)
"""A weak word that introduces what a list may hold, not how firmly the author commits."""

def _dimension_moved(old: list[Sentence], new: list[Sentence]) -> bool:
    """Whether the region's two wordings, read whole, move a materiality dimension."""
    return judge(" ".join(s.text for s in old), " ".join(s.text for s in new)).material


NEAR_COPY = 0.9
"""Dice similarity of content words at or above which two wordings are one sentence edited."""


def _near_copy(a: list[Sentence], b: list[Sentence]) -> bool:
    from differ.trace import _content

    x = _content(" ".join(s.text for s in a))
    y = _content(" ".join(s.text for s in b))
    return bool(x and y) and 2 * len(x & y) / (len(x) + len(y)) >= NEAR_COPY


class Standing:
    """Both versions' sentences as one run of squashed words each: does a sentence still stand?

    A sentence stands in the other version when its squash (letters, digits and the symbols
    that carry a quantity or a level, "+", "%", "<" ..., so spacing, hyphenation and line breaks
    do not count but "Level 2" → "Level 2+" does) is found there whole, or in at most
    ``PIECES`` pieces of at least ``PIECE`` characters, in order: a text layer that cut it at a
    page break or a table. Each sentence of the other version those pieces fall in must stand
    back in this version the same way, or a dropped "not" or condition would pass ("we will not
    deploy X" → "we will deploy X" is two pieces of the old sentence).
    """

    PIECES = 4
    PIECE = 24

    def __init__(self, old: Callable[[], list[Sentence]], new: Callable[[], list[Sentence]]
                 ) -> None:
        # Each version's whole sentence list, built on first use: a diff of a changed window
        # must judge against the whole texts, as the full diff does, yet most diffs rate no
        # hunk high and never need them.
        self._sides = {"old": old, "new": new}
        self._lists: dict[str, list[Sentence]] = {}
        self._built: dict[str, tuple[str, list[int], list[str]]] = {}
        self._starts: dict[str, dict[int, int]] = {}

    def _sentences(self, side: str) -> list[Sentence]:
        if side not in self._lists:
            self._lists[side] = self._sides[side]()
        return self._lists[side]

    @property
    def _runs(self) -> dict[str, tuple[str, list[int], list[str]]]:
        if not self._built:
            self._built = {k: self._run(self._sentences(k)) for k in self._sides}
        return self._built

    @staticmethod
    def _run(side: list[Sentence]) -> tuple[str, list[int], list[str]]:
        squashes = [_firm_squash(s.text) for s in side]
        starts, at = [], 0
        for q in squashes:
            starts.append(at)
            at += len(q)
        return "".join(squashes), starts, squashes

    def stands(self, sentence: Sentence, side: str) -> bool:
        """Whether ``sentence`` of version ``side`` ("old"/"new") stands in the other one."""
        other = "new" if side == "old" else "old"
        q = _firm_squash(sentence.text)
        pieces = self._pieces(q, other)
        if pieces is None:
            return False
        text, starts, squashes = self._runs[other]
        touched = {
            k for a, b in pieces
            for k in range(bisect_right(starts, a) - 1, bisect_right(starts, b - 1))
        }
        return all(self._pieces(squashes[k], side) is not None for k in touched)

    REPEAT_MIN = PIECE
    """Fewest squashed characters in a block doubled next to itself to call it a repeat: a
    running footer ("12 Acme Compliance Framework") is as short as a piece of a sentence."""
    REPEAT_REACH = 6000
    """How far back (squashed characters) the first copy of a doubled block may start."""

    def repeated(self, sentences: list[Sentence], side: str) -> bool:
        """Whether ``sentences`` (consecutive, of version ``side``) lie in the second copy of a
        block that version holds twice in a row, and the other version holds their words.

        A PDF text layer that doubles a block at a page break repeats it verbatim right after
        itself, however it cuts the block into sentences ("... no other competitor will" ends
        the first copy, "Anthropic in the lead." opens the second); its short pieces and
        fragments are the repeat, not new text. A phrase found elsewhere in the document, not
        next to a copy of everything between, is not a repeat.
        """
        if not sentences:
            return False
        text, starts, squashes = self._runs[side]
        at = self._at[side]
        k0, k1 = at.get(sentences[0].start), at.get(sentences[-1].start)
        if k0 is None or k1 is None or k1 < k0:
            return False
        pos, end = starts[k0], starts[k1] + len(squashes[k1])
        q = text[pos:end]
        other = "new" if side == "old" else "old"
        if not q or q not in self._runs[other][0]:
            return False
        # the other copy before these sentences, or after them (the aligner may take either
        # copy for the one inserted)
        floor, ceiling = max(0, pos - self.REPEAT_REACH), end + self.REPEAT_REACH
        pairs = [(idx, pos) for idx in _before(text, q, floor, pos)]
        pairs += [(pos, idx) for idx in _after(text, q, end, ceiling)]
        for first, second in pairs:
            period = second - first
            if period < self.REPEAT_MIN:
                continue
            left = first
            while left > 0 and text[left - 1] == text[left - 1 + period]:
                left -= 1
            right = first + len(q)
            while right + period < len(text) and text[right] == text[right + period]:
                right += 1
            if right - left >= period:
                return True
        return False

    def continues_paragraph(self, sentence: Sentence, side: str) -> bool:
        """Whether ``sentence`` of version ``side`` follows another sentence of its paragraph
        that says something: not the first words after a list item's marker ("1." on a line of
        its own opens the item with the text after it)."""
        at = self._at[side].get(sentence.start)
        if not at:
            return False
        before = self._sentences(side)[at - 1]
        return before.para == sentence.para and _says_something(before)

    @property
    def _at(self) -> dict[str, dict[int, int]]:
        if not self._starts:
            self._starts = {k: {s.start: i for i, s in enumerate(self._sentences(k))}
                            for k in self._sides}
        return self._starts

    def _pieces(self, q: str, side: str) -> list[tuple[int, int]] | None:
        """Where ``q`` lies in ``side``'s run: one span, or in-order pieces; None if nowhere."""
        text = self._runs[side][0]
        if not q:
            return []
        at = text.find(q)
        if at >= 0:
            return [(at, at + len(q))]
        pieces: list[tuple[int, int]] = []
        i = pos = 0
        while i < len(q):
            if len(q) - i < self.PIECE or len(pieces) == self.PIECES:
                return None
            if text.find(q[i:i + self.PIECE], pos) < 0:
                return None
            lo, hi = self.PIECE, len(q) - i  # the longest prefix found after ``pos``
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if text.find(q[i:i + mid], pos) >= 0:
                    lo = mid
                else:
                    hi = mid - 1
            at = text.find(q[i:i + lo], pos)
            pieces.append((at, at + lo))
            pos, i = at + lo, i + lo
        return pieces


class Classifier:
    """Classifies regions with one lexicon; stateless apart from it."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lex = lexicon or load_lexicon()
        self._category_unions = category_unions(self.lex)

    # -- word-level judgements ---------------------------------------------------------------

    def is_numeric(self, token: str) -> bool:
        """A number, multiplier ("4x"), percentage, level ("ASL-3") or number word."""
        return bool(_DIGIT.search(token)) or squash(token) in self.lex.numeric_words

    def is_modal_word(self, token: str) -> bool:
        """Whether ``token`` is (part of) an obligation or hedge phrase on its own."""
        return any(p.search(token) for p in (*self.lex.strong, *self.lex.hedge))

    def is_cosmetic(self, ch: Change) -> bool:
        """A change that alters no word a reader would weigh (see module docstring)."""
        if _numbers_alone(ch):
            return True
        rem = _strip_marks(ch.removed, ch.at_start)
        add = _strip_marks(ch.added, ch.at_start)
        joined_o, joined_n = squash(" ".join(rem)), squash(" ".join(add))
        if joined_o == joined_n:
            return True
        if (
            rem and add and len(rem) != len(add) and max(len(rem), len(add)) <= 3
            and min(len(joined_o), len(joined_n)) >= 7
            and _edit_distance(joined_o, joined_n) <= 2
            and not any(self.is_numeric(t) or self.is_modal_word(t)
                        or squash(t) in ("not", "no", "never") for t in (*rem, *add))
        ):
            # A typo fixed in words a text layer glued together, or split apart: "ovreallrisk"
            # → "overall risk" is the typo rule's two letters, over a lost space.
            return True
        if len(rem) == len(add) and rem:
            for a, b in zip(rem, add, strict=True):
                sa, sb = squash(a), squash(b)
                if sa == sb:
                    continue
                if (
                    len(sa) < 5
                    or len(sb) < 5
                    or self.is_numeric(a)
                    or self.is_numeric(b)
                    or self.is_modal_word(a)
                    or self.is_modal_word(b)
                    or sa in ("not", "no", "never")
                    or sb in ("not", "no", "never")
                    or _edit_distance(sa, sb) > (1 if min(len(sa), len(sb)) < 7 else 2)
                ):
                    return False
            return True
        return False

    def is_commitment(self, text: str) -> bool:
        """A sentence that binds (will / must / shall / commit / not ...).

        The binding word must bind on the commitment reader's terms too: "we released our RSP,
        a public commitment not to ...", "so will the need for ...", "It will take time" hold
        a modal but recount, predict or describe (codebook: background, rationale and
        description are not commitments)."""
        from differ.commitments import asserts_nothing

        return self.binding_word(text) is not None and not asserts_nothing(text)

    def binds(self, s: Sentence) -> bool:
        """Whether ``s`` is a commitment, by the lexicon's binding words or the commitment
        reader's (the descriptive present of a policy, a threshold's definition)."""
        from differ.commitments import commits

        return not s.heading and (self.is_commitment(s.text) or commits(s))

    def bound_only_by_lead_in(self, item: Sentence) -> bool:
        """Whether a list item says something ("Quarterly audits of model access") yet binds by
        no words of its own: what commits to it is the sentence introducing its list."""
        return _says_something(item) and not self.binds(item)

    def quantified(self, s: Sentence) -> bool:
        """Whether ``s`` carries a quantity (not a section, list, footnote or version number)."""
        return bool(self._numbers(s.words))

    def binding_word(self, text: str) -> str | None:
        """The first phrase that makes ``text`` bind, or None.

        A binding word capitalised after the sentence's first word is part of a defined term or
        a table header ("ASL-3 Required Safeguards", "Initial Commitments"), and a table of
        contents binds nothing.
        """
        if _TOC.search(text):
            return None
        body = _ENUM_LEAD.sub("", text, count=1)
        for p in self.lex.commitment:
            for m in p.finditer(body):
                word = m.group(0)
                if word[:1].isupper() and body[: m.start()].strip(" \"“'‘(●•○▪-–"):
                    continue
                if word.lower() == "will" and (
                    _forecast_will(body[: m.start()])
                    or _needs_not_author(body[: m.start()], body[m.end():])
                ):
                    continue
                if _in_relative_clause(body[: m.start()]) and not (
                        word.lower() in ("must", "shall")
                        and re.search(r"\b(?:that|which)\s+$", body[: m.start()])):
                    # "the mitigations that may be applied" describes them; "safeguards, which
                    # must be achieved before the threshold is reached" still requires them.
                    continue
                if word.lower() == "committed" and not _PRESENT_COMMITTED.search(body[: m.start()]):
                    continue  # "our previous RSP committed to ...": a past commitment recounted
                return word
        return None

    def modal_shift(
        self,
        changes: list[Change],
        old: list[Sentence] | None = None,
        new: list[Sentence] | None = None,
    ) -> tuple[int, list[str], list[str]]:
        """Net change in obligation strength over ``changes``, with the phrases that moved.

        Counts strong and hedge phrases in each change with one unchanged word of context on
        either side; returns (delta, phrases gone, phrases come). delta < 0 means weaker. A hedge
        that only ever sits in a relative clause of its sentence ("a technology that may ...")
        describes something and is not counted (the sentences come from ``old`` and ``new``).
        """
        old_c: Counter[str] = Counter()
        new_c: Counter[str] = Counter()
        score = 0
        for ch in changes:
            in_kept_sentence = old is not None and bool(ch.old_sids) and len(ch.removed) < sum(
                len(old[i].words) for i in set(ch.old_sids)
            )
            old_s = old[ch.old_sids[0]].text if old and ch.old_sids else ""
            new_s = new[ch.new_sids[0]].text if new and ch.new_sids else ""
            if (in_kept_sentence or not _is_passage(ch)) and self._drops_soft_obligation(ch, old_s):
                # "..., but should be extended further by monitoring for X" deleted from a kept
                # sentence: the hedge went with the duty it softened — weaker, not stronger.
                old_t = " ".join([ch.before, *ch.removed, ch.after])
                gone_h = [m.group(0).lower() for p in self.lex.hedge for m in p.finditer(old_t)]
                for w in gone_h:
                    old_c[w] += 1
                score -= len(gone_h)
                continue
            if _is_passage(ch):
                # A whole passage inserted or deleted is `added` / `removed`, not a shift of
                # obligation: its "may" replaced nothing. A short insertion ("where possible")
                # inside a kept sentence still counts.
                continue
            old_t = " ".join([ch.before, *ch.removed, ch.after])
            new_t = " ".join([ch.before, *ch.added, ch.after])
            old_s, new_s = old_s or old_t, new_s or new_t
            for sign, pats in ((1, self.lex.strong), (-1, self.lex.hedge)):
                for p in pats:
                    for m in p.finditer(old_t):
                        if sign < 0 and _only_describes(old_s, m.group(0)):
                            continue
                        old_c[m.group(0).lower()] += 1
                        score -= sign
                    for m in p.finditer(new_t):
                        if sign < 0 and _only_describes(new_s, m.group(0)):
                            continue
                        new_c[m.group(0).lower()] += 1
                        score += sign
        gone = sorted((old_c - new_c).elements())
        come = sorted((new_c - old_c).elements())
        return score, gone, come

    def _present_tense_swap(
        self,
        changes: list[Change],
        old: list[Sentence],
        new: list[Sentence],
        gone: list[str],
        come: list[str],
    ) -> bool:
        """Whether the only modal movement is a strong word dropped or added with the sentence
        left in the present tense ("we will evaluate" → "we evaluate"): in a policy the
        descriptive present binds as firmly as "will" (codebook 11.1), so no force moved."""
        moved = gone if not come else come if not gone else []
        if not moved or not all(
            any(p.fullmatch(w) for p in self.lex.strong) for w in moved
        ):
            return False
        o_ids = {i for ch in changes for i in ch.old_sids}
        n_ids = {i for ch in changes for i in ch.new_sids}
        # A pure deletion ("will" dropped) has no sentence on the side it left: then the
        # region's sentences on that side are the ones to read.
        texts_o = [old[i].text for i in sorted(o_ids)] or [s.text for s in old if not s.heading]
        texts_n = [new[i].text for i in sorted(n_ids)] or [s.text for s in new if not s.heading]
        if not texts_o or not texts_n or len(texts_o) > 3 or len(texts_n) > 3:
            return False
        return all(
            modal_strength(t)[0] == 4 and bool(_AUTHOR_PRESENT.search(t))
            for t in (*texts_o, *texts_n)
        )

    def _drops_soft_obligation(self, ch: Change, sentence: str = "") -> bool:
        """Whether ``ch`` deletes a hedged duty with its clause ("should be extended further by
        monitoring ...") and puts no modal in its place.

        Dropping a lone hedge ("where possible", "may") strengthens; dropping the hedge together
        with at least three other content words and adding no modal removes what it softened.
        """
        removed = " ".join(ch.removed)
        if not any(
            (m := p.search(removed)) and not _only_describes(sentence, m.group(0))
            for p in self.lex.hedge
        ):
            return False
        added = " ".join(ch.added)
        if any(p.search(added) for p in (*self.lex.strong, *self.lex.hedge)):
            return False
        words = [squash(t) for t in ch.removed]
        content = [w for w in words if w and w not in FUNCTION_WORDS and not self.is_modal_word(w)]
        return len(content) >= 3 + len([w for w in ch.added if squash(w)])

    def _other_words_changed(self, ch: Change) -> bool:
        """Whether ``ch`` changes words other than numbers and modal/hedge phrases."""

        def rest(tokens: list[str]) -> str:
            text = " ".join(t for t in _strip_marks(tokens, ch.at_start) if not self.is_numeric(t))
            for p in (*self.lex.strong, *self.lex.hedge):
                text = p.sub(" ", text)
            return squash(text)

        return rest(ch.removed) != rest(ch.added)

    # -- categories -------------------------------------------------------------------------

    def text_categories(self, texts: list[str]) -> set[str]:
        """Categories whose rules match ``texts`` themselves (no section path)."""
        return {cat for cat, union in self._category_unions if any(union.search(t) for t in texts)}

    def categories(self, texts: list[str], sections: list[str]) -> tuple[set[str], list[str]]:
        """Categories whose rules match the texts or the section paths, and why."""
        cats: set[str] = set()
        because: list[str] = []
        # A category whose union matches none of them has no rule that matches: its rules
        # are not tried (one search per category instead of one per pattern of each rule).
        pool = [*texts, *sections]
        live = {cat for cat, union in self._category_unions if any(union.search(t) for t in pool)}
        for rule in self.lex.rules:
            if rule.category not in live:
                continue
            hit = None
            for where, pool in (("text", texts), ("section", sections)):
                for t in pool:
                    for p in rule.patterns:
                        m = p.search(t)
                        if m:
                            hit = (where, m.group(0))
                            break
                    if hit:
                        break
                if hit:
                    break
            if hit:
                cats.add(rule.category)
                because.append(f"{rule.category}: {rule.id} matched '{hit[1]}' in {hit[0]}")
        return cats, because

    def _defines_threshold(self, lead_in: Sentence) -> bool:
        """Whether a commitment introducing a list names a threshold or capability level: its
        items are then the threshold's definition or criteria."""
        return "thresholds" in self.text_categories([lead_in.text])

    # -- the hunk ---------------------------------------------------------------------------

    def classify(self, region: Region, lead_ins: Mapping[int, Sentence] | None = None,
                 standing: Standing | None = None, kept: frozenset[int] = frozenset(),
                 loose: frozenset[int] = frozenset()) -> Hunk:
        """Classify one region into a Hunk (the severity rules in the module docstring).

        ``lead_ins``: for list items (by ``id``) that a commitment introduces, that commitment
        (``differ.commitments.enumerations``). Where that commitment names a threshold, its
        items are the threshold's definition or criteria: they bind as it does, modal or not.
        ``standing``: both versions' sentences; a would-be high hunk every sentence of which
        still stands word for word in the other version (``Standing``) is cosmetic.
        ``kept``: the lead-ins (by ``id``), each deleted or inserted, some item of which
        stands unchanged in both versions. ``loose``: those of them some item of which, standing,
        binds by no words of its own ("1. Quarterly audits"): only the lead-in commits to it.
        """
        hunk = self._classify(region, lead_ins, standing, kept, loose)
        if standing is not None and region.kind != "moved" and hunk.severity in ("medium", "high") and (
            (
                (hunk.severity == "high" or _all_long(region.old + region.new))
                and all(standing.stands(s, "old") for s in region.old)
                and all(standing.stands(s, "new") for s in region.new)
            )
            or (not region.old and standing.repeated(region.new, "new"))
            or (not region.new and standing.repeated(region.old, "old"))
        ):
            # A PDF text layer splits a sentence at a page break or a table and joins it
            # elsewhere in the next version, or repeats a paragraph: a deleted or an inserted
            # piece whose words the other version holds, no word changed.
            return replace(
                hunk, categories=(), signals=("cosmetic",), severity="none", direction="",
                because=("cosmetic: every sentence's words stand in the other version, only "
                         "split, joined or repeated differently",),
                summary=f"cosmetic edit{_in(hunk.section)}",
            )
        return hunk

    def _classify(self, region: Region, lead_ins: Mapping[int, Sentence] | None,
                  standing: Standing | None = None, kept: frozenset[int] = frozenset(),
                  loose: frozenset[int] = frozenset()) -> Hunk:
        old, new = region.old, region.new
        old_text = " ".join(s.text for s in old)
        new_text = " ".join(s.text for s in new)
        section_of = new[0] if new else old[0]
        section = " > ".join(section_of.section)
        sections = sorted({" > ".join(s.section) for s in (*old[:1], *new[:1]) if s.section})
        removed = tuple(w for ch in region.changes for w in ch.removed)
        added = tuple(w for ch in region.changes for w in ch.added)
        base = dict(
            section=section,
            old=old_text,
            new=new_text,
            old_span=(old[0].start, old[-1].end) if old else (0, 0),
            new_span=(new[0].start, new[-1].end) if new else (0, 0),
            removed=removed,
            added=added,
        )
        real = [ch for ch in region.changes if not self.is_cosmetic(ch)]
        levels_moved = (
            bool(old and new)
            and region.kind != "moved"
            and _suffixed(_levels(old_text)) != _suffixed(_levels(new_text))
            and not all(_label_only(ch) for ch in region.changes)
        )
        if not levels_moved and (
            region.kind == "cosmetic" or (region.kind == "change" and not real)
        ):
            return Hunk(
                **base,
                signals=("cosmetic",),
                severity="none",
                because=("cosmetic: only case, punctuation, spacing, numbering or typo edits",),
                summary=f"cosmetic edit{_in(section)}",
            )

        if region.kind == "change" and old and new and all(
            _DATE_LABEL.match(s.text.lstrip("# ")) for s in (*old, *new)
        ):
            return Hunk(
                **base,
                severity="low",
                because=("low: only a dateline changed ('Published: ...', 'Last updated: ...'); "
                         "a date is a label, not a commitment (codebook 11)",),
                summary=f"dateline changed{_in(section)}",
            )
        cat_texts = [
            " ".join(s.text for s in side if not _TOC.search(s.text)) for side in (old, new)
        ]
        # Only this region's items are looked up: filtering the whole document's list items for
        # every region made a rewritten document's diff quadratic.
        items_of = lead_ins or {}
        lead_ins = {
            id(s): lead for s in (*old, *new)
            if (lead := (lead_ins or {}).get(id(s))) is not None and self._defines_threshold(lead)
        }
        # A criterion of a threshold is about what its list defines, whatever its own words.
        cat_texts += list(dict.fromkeys(
            lead_ins[id(s)].text for s in (*old, *new) if id(s) in lead_ins))
        if _non_normative(section):
            cats: set[str] = set()
            because = [f"no category: non-normative section '{section.split(' > ')[-1]}'"]
        else:
            cats, because = self.categories(cat_texts, sections)
        signals: set[str] = set()
        details: dict[str, str] = {}
        evidence: list[str] = []  # sentences that carry a high signal
        outcome: list[Sentence] = []  # whole commitments deleted or inserted (X or A)

        if region.kind == "moved":
            signals.add("moved")
            details["moved"] = f"{_quote(old_text)} moved"
            because.append("moved: the same sentence(s) deleted here and inserted elsewhere")
            self._relocated(old, new, signals, details, because, evidence)
        elif not new:
            outcome = self._one_sided(old, "removed", "section_removed", signals, details,
                                      because, evidence, lead_ins, items_of, standing, kept,
                                      loose)
        elif not old:
            outcome = self._one_sided(new, "added", "section_added", signals, details, because,
                                      evidence, lead_ins, items_of, standing, kept, loose)
        else:
            self._modified(region, real, signals, details, because, evidence)

        if not old and not signals & HIGH_SIGNALS:
            self._announced(new, section, signals, details, because, evidence)
        if levels_moved:
            # "Level 2" → "Level 2+": a level suffix is part of the level, not punctuation.
            gone, come = _levels(old_text) - _levels(new_text), _levels(new_text) - _levels(old_text)
            signals.add("numeric")
            details.setdefault("numeric", f"{_words(sorted(gone))} → {_words(sorted(come))}")
            because.append(f"numeric: level {_words(sorted(gone))} → {_words(sorted(come))}")
            evidence.extend([old_text, new_text])
        judgement = None
        if (
            region.kind != "moved" and old and new and len(old) <= 3 and len(new) <= 3
            and not (real and all(_label_only(ch) for ch in real))  # none: only a level moved
            and not unrelated(old, new)
        ):
            # Word edits inside a commitment: the coders' materiality dimensions, the same
            # judgement that traces commitments across versions.
            judgement = self._materiality(old, new, signals, details, because, evidence,
                                          lead_ins)

        if evidence and lead_ins:
            # A criterion names no category itself: the threshold it defines does.
            evidence.extend(dict.fromkeys(
                lead_ins[id(s)].text for s in (*old, *new) if id(s) in lead_ins))
        categories = tuple(sorted(cats))
        severity = "medium" if categories else "low"
        high_signals = signals & HIGH_SIGNALS
        if high_signals == {"reworded"} and judgement is not None and not judgement.material:
            # The same commitment in other words: same strength, quantities, scope, actor,
            # disclosure and consequence on both sides (codebook: "rewording with the same
            # modal force" is not material).
            high_signals = set()
            because.append("medium: reworded, but no materiality dimension moved")
        if categories and high_signals:
            in_evidence = self.text_categories([t for t in evidence if not _TOC.search(t)])
            from_section = any(b.endswith(" in section") for b in because)
            if in_evidence or levels_moved:  # a level named in the sentence is a threshold
                severity = "high"
            elif from_section and signals & BINDING_SIGNALS:
                severity = "high"
                because.append("high: a binding sentence changed in a categorized section")
            else:
                because.append(
                    "medium: the changed sentence itself names no category "
                    "(the category comes from its context)"
                )
        if (severity != "high" and judgement is not None and judgement.material
                and high_signals):
            # A dimension of the commitment itself moved (scope, trigger, actor, disclosure,
            # consequence): material by the coders' definition, whatever its category.
            severity = "high"
            because.append("high: a materiality dimension of a commitment moved (codebook 5), "
                           "whatever its category")
        if severity != "high" and _whole_commitments(outcome, old or new):
            # A commitment deleted or inserted whole, at any strength, is the coders' outcome X
            # or A (codebook 4): material whatever it is about. The categories only say what
            # it is about; the restatement check (differ.restate) still finds it a counterpart.
            severity = "high"
            verb = "removed with no counterpart (outcome X)" if not new else \
                "added with no counterpart (outcome A)"
            because.append(f"high: a commitment {verb}, whatever its category (codebook 4)")
        if severity == "high" and _only_examples(old, new, items_of, self.is_commitment,
                                                 self._continues(region, standing)):
            severity = "medium"
            because.append("medium: only items of a list of examples changed; the rule stands "
                           "without them (codebook 11.2)")
        if severity == "medium" and not signals and self._background_only(old, new, items_of):
            # Background, rationale or description reworded: no commitment on either side and
            # no number, modal, actor or scope moved, so nothing binds differently (codebook 2,
            # exclude; 5, not material). The category still says what the prose is about.
            severity = "low"
            because.append("low: background reworded; neither side holds a commitment")
        if severity == "medium" and not signals and self._form_only(real, old, new, items_of):
            severity = "low"
            because.append("low: only the form changed (function words, a renamed term, a "
                           "label, a cross-reference); no materiality dimension moved")
        if severity == "high":
            because.append("high because " + "; ".join(_dimension_reasons(signals, details, because)))
        ordered = order_signals(signals)
        lead = ordered[0] if ordered else "changed"
        detail = details.get(lead) or _pair(real)
        label = ", ".join(c.capitalize() for c in categories) or "Uncategorized"
        summary = f"{label} · {lead}: {detail}{_in(section)}"
        return Hunk(
            **base,
            categories=categories,
            signals=ordered,
            severity=severity,
            because=tuple(because),
            summary=summary,
            direction=_direction(signals, judgement),
        )

    @staticmethod
    def _continues(region: Region, standing: Standing | None) -> Callable[[Sentence], bool]:
        """Whether a sentence of ``region`` follows another of its paragraph in its version."""
        olds = {id(s) for s in region.old}

        def continues(s: Sentence) -> bool:
            return standing is not None and standing.continues_paragraph(
                s, "old" if id(s) in olds else "new")

        return continues

    def _form_only(self, changes: list[Change], old: list[Sentence], new: list[Sentence],
                   items_of: Mapping[int, Sentence]) -> bool:
        """Whether a region changed on both sides changed only in form: every word change is
        of function words, a modal or hedge that moved no obligation ("will evaluate" →
        "evaluate"), a term used interchangeably ("release" → "deployment"), a label or a
        cross-reference. Not for the items of a list a commitment introduces: what they list
        is what it binds."""
        if not old or not new or not changes or any(id(s) in items_of for s in (*old, *new)):
            return False
        if not all(not self._other_words_changed(ch) or self._only_form_changed(ch, old, new)
                   for ch in changes):
            return False
        return not _dimension_moved(old, new)

    def _background_only(self, old: list[Sentence], new: list[Sentence],
                         items_of: Mapping[int, Sentence]) -> bool:
        """Whether a region changed on both sides holds only prose that binds nothing: no
        heading, no commitment (by the lexicon or the commitment reader), no item of a list a
        commitment introduces (the list is what that commitment binds), and no materiality
        dimension moved between its wordings ("requires sign-off from the Board" → "from
        management" is a requirement the readers missed, not background)."""
        if not old or not new:
            return False
        return all(
            not s.heading and not self.binds(s) and id(s) not in items_of
            for s in (*old, *new)
        ) and not _dimension_moved(old, new)

    def _materiality(
        self,
        old: list[Sentence],
        new: list[Sentence],
        signals: set[str],
        details: dict[str, str],
        because: list[str],
        evidence: list[str],
        lead_ins: Mapping[int, Sentence],
    ) -> Judgement | None:
        """Judge a reworded commitment on the six materiality dimensions; record what moved.

        Only sentences that commit on both sides are judged (a description that changes words
        moves no obligation); an item of a threshold's definition (``lead_ins``) commits as the
        sentence introducing it does. Obligation strength is left to the modal lexicon above; the other
        dimensions (scope, trigger, actor, disclosure, consequence) add a ``weakened`` or
        ``strengthened`` signal naming the dimension and the words.
        """
        from differ.commitments import commitment_word, commits

        # Each side read with the words a text layer ran together split apart against the
        # other side ("We willshare" is "We will share"), so a lost space hides no modal.
        old_t = {id(s): _deglued(s, new) for s in old}
        new_t = {id(s): _deglued(s, old) for s in new}
        old_c = [s for s in old if not s.heading
                 and (self.is_commitment(old_t[id(s)]) or commits(s) or id(s) in lead_ins)]
        new_c = [s for s in new if not s.heading
                 and (self.is_commitment(new_t[id(s)]) or commits(s) or id(s) in lead_ins)]
        if not old_c and not new_c:
            return None
        near = False
        if not old_c or not new_c:
            # One side binds, the other is its counterpart in words the readers no longer take
            # for a commitment ("the team will maintain" → "the team may maintain", "the Board
            # may" → "management may"): the same commitment, judged on all its words (codebook
            # 3), provided the other side still holds a modal or hedge. Prose in the present
            # tense there describes (the document, the world); a threshold's definition on the
            # binding side commits nothing to move.
            bound, side, texts = (old_c, new, new_t) if old_c else (new_c, old, old_t)
            rest = [s for s in side if not s.heading]
            if not rest:
                return None
            # The same sentence with a word or two changed ("models at or above the ASL-3
            # threshold" → "models above …") is that statement still, whatever the readers
            # make of its other wording; its numbers are quantities only if the classifier
            # read them so (a contents line's section numbers are not).
            near = _near_copy(bound, rest)
            if not near and (
                    modal_strength(" ".join(texts[id(s)] for s in rest))[1] == "present tense"
                    or all(commitment_word(s) == "defines" for s in bound)):
                return None
            old_c, new_c = (old_c, rest) if old_c else (rest, new_c)
        o = " ".join(old_t[id(s)] for s in old_c)
        n = " ".join(new_t[id(s)] for s in new_c)
        j = judge(o, n)
        if not j.material:
            return j
        # Obligation strength is the modal lexicon's, and a changed number is already `numeric`.
        # The modal lexicon tells strong from hedged words; a move between two hedges of
        # different rungs ("intend to" → "may", codebook 5.4) is the judgement's to report.
        # Advice to others ("developers should") is no rung of the author's own, and "may
        # include …" introduces examples, not a hedge.
        modal_seen = bool(signals & {"weakened", "strengthened"}) or min(
            modal_strength(o)[0], modal_strength(n)[0]) < 2 or bool(
            _MAY_INCLUDE.search(o) or _MAY_INCLUDE.search(n))
        extra = [d for d in j.dims if not (d == 4 and modal_seen)
                 and not (d == 2 and ("numeric" in signals or near))]
        if extra and not signals & {"weakened", "strengthened"}:
            sig = "strengthened" if j.direction == "strengthened" else "weakened"
            signals.add(sig)
            details[sig] = j.because.split("; ")[0]
            evidence.extend([o, n])
        because.append(f"materiality: {j.because}")
        return j

    def _announced(
        self,
        new: list[Sentence],
        section: str,
        signals: set[str],
        details: dict[str, str],
        because: list[str],
        evidence: list[str],
    ) -> None:
        """A new entry in the document's own changelog that names a class of commitments
        ("introduce a pathway for informal inquiries about RSP violations") is the provider's
        account of a material revision (codebook section 6): a reader must see it even when the
        body's change is worded so that nothing else flags it. Generic lines ("minor typo and
        formatting corrections") name no class and stay below high."""
        if not any(in_changelog("## " + part.strip(), False) for part in section.split(" > ")):
            return
        prose = [s.text for s in new if not s.heading and len(s.words) >= 4]
        named = sorted({code for t in prose for code, words in CLASS_WORDS.items()
                        if any(w in t.lower() for w in words)})
        if not named:
            return
        signals.add("added")
        details["added"] = _quote(prose[0])
        details["announced"] = f"{', '.join(named)}: {_quote(prose[0])}"
        because.append(f"added: the document's changelog announces a revision ({', '.join(named)})")
        evidence.extend(prose)

    def _relocated(
        self,
        old: list[Sentence],
        new: list[Sentence],
        signals: set[str],
        details: dict[str, str],
        because: list[str],
        evidence: list[str],
    ) -> None:
        """A commitment moved from the company's own part into a non-binding recommendations
        part ("Our Recommendations for Industry-Wide Safety") no longer binds the company: the
        coders' relocation (L), a weakening however verbatim the words."""
        from differ.commitments import is_recommendation_section

        old_sec = " > ".join(old[0].section) if old else ""
        new_sec = " > ".join(new[0].section) if new else ""
        if not is_recommendation_section(new_sec) or is_recommendation_section(old_sec):
            return
        binding = [s.text for s in old if not s.heading and self.is_commitment(s.text)]
        if not binding:
            return
        signals.add("weakened")
        details["weakened"] = f"moved into '{new_sec.split(' > ')[-1]}'"
        because.append(
            f"weakened: 4 obligation strength: relocated from '{old_sec.split(' > ')[-1]}' to the "
            f"non-binding part '{new_sec.split(' > ')[-1]}'"
        )
        evidence.extend(binding)

    def _one_sided(
        self,
        side: list[Sentence],
        signal: str,
        section_signal: str,
        signals: set[str],
        details: dict[str, str],
        because: list[str],
        evidence: list[str],
        lead_ins: Mapping[int, Sentence],
        items_of: Mapping[int, Sentence],
        standing: Standing | None = None,
        kept: frozenset[int] = frozenset(),
        loose: frozenset[int] = frozenset(),
    ) -> list[Sentence]:
        """Whole sentences deleted or inserted: commitments and headings are what matter.

        A removed section's sentences and removed binding sentences go to ``evidence``; so do
        the items of a list that defines a threshold or its criteria, with the commitment that
        introduces them (``lead_ins``). A sentence that only announces a list whose items lie
        outside ``side`` (``items_of``: every list item's lead-in) binds nothing here: its
        obligations are the items, judged in their own hunks (codebook 5, reorganisation),
        unless it carries an obligation of its own (``binds_its_list``) over items that stay
        (``kept``) or that were not read as its items: those are no longer bound, or now bound,
        by it. So does one that only announces its list ("we commit to the following:") over
        items that stay and bind by no words of their own (``loose``). Items whose lead-in does
        not stand in the other version either (``standing``) go or come with it: the whole
        enumerated commitment is deleted or inserted. An item that binds nothing by itself,
        deleted or inserted under a binding lead-in that stands, shortens or lengthens the list
        that commitment consists of.
        Returns the commitment sentences deleted or inserted (none for a threshold's items,
        whose weight is the threshold's).
        """
        from differ.trace import only_announces_list

        def unbinds(s: Sentence) -> bool:
            # Its items stay, or none was read as its (a text layer lost their markers).
            return id(s) in kept or not any(lead is s for lead in items_of.values())

        def carries(s: Sentence) -> bool:
            # Its list is committed to through it alone.
            return (binds_its_list(s.text) and unbinds(s)) or id(s) in loose

        def announces_only(s: Sentence) -> bool:
            if not only_announces_list(s.text) or carries(s):
                return False
            at = next(k for k, x in enumerate(side) if x is s)
            return not any(not x.heading and x.para != s.para for x in side[at + 1:]) and not any(
                items_of.get(id(x)) is s for x in side)

        side_binding = [s for s in side if not s.heading and not announces_only(s)]
        heads = [s for s in side if s.heading]
        if heads:
            signals.add(section_signal)
            details[section_signal] = _quote(heads[0].text)
            because.append(f"{section_signal}: heading '{heads[0].text}'")
            # A section's weight is in what it binds or quantifies, or in the prose of a section
            # whose heading names a category ("## Safety drills") where the author does
            # something ("Acme trains its models ..."). Headings alone (subsections are diffed on
            # their own), description under an uncategorized heading ("## Framework") and
            # background about the world or the document ("One of the most salient risks ...",
            # "This appendix contains ...") change no commitment, so they are no evidence.
            titled = bool(self.text_categories([h.text for h in heads]))
            weighty = [
                s.text for s in side_binding
                if (
                    self.is_commitment(s.text)
                    or self._numbers(_without_level_names(s.words))
                    or (titled and len(s.words) >= 4 and bool(_AUTHOR_SUBJECT.search(s.text)))
                )
            ]
            if weighty:
                evidence.extend([s.text for s in heads] + weighty)
            else:
                because.append(f"{section_signal}: no binding sentence, quantity or prose under it")
        from differ.commitments import commitment_word

        def modal_binds(s: Sentence) -> bool:
            word = commitment_word(s)
            return (
                bool(word) and not _binds_only_in_relative(s.text, word)
                # A modal the lexicon already read and found to predict or describe ("the
                # safeguards we expect will be needed", "implementation requires trust") stays
                # so; "we will aim to / seek to / try to" is a rung of the author's own
                # obligation (codebook 5.4: intend / aim / expect), not a forecast.
                and (word.lower().split()[0] not in _LEXICON_MODALS
                     or modal_strength(word)[0] == 3)
                # Advice ("developers should", "we recommend") is not a self-commitment
                # (codebook 5).
                and not _ADVICE_WORD.fullmatch(word)
            )

        def binds(s: Sentence) -> bool:
            # Advice to others in a recommendations part ("developers should ...") commits
            # no one.
            return (self.is_commitment(s.text) or modal_binds(s)) and not _advice_only(s)

        # The lexicon's commitments first, then those only a modal binds (in document order).
        binding = sorted((s for s in side_binding if binds(s)),
                         key=lambda s: not self.is_commitment(s.text))
        items = [s for s in side if not s.heading and s not in binding and id(s) in lead_ins]
        if items and not binding:
            # "1. Net new: the outcome cannot be realized without ..." under "we track a
            # capability if it meets five criteria:": the list is what the lead-in commits to
            # (codebook enumeration rule), so an item added or removed changes that commitment.
            lead = lead_ins[id(items[0])]
            signals.add(signal)
            details[signal] = _quote(items[0].text)
            because.append(f"{signal}: item of the list the commitment {_quote(lead.text)} introduces")
            evidence.extend([lead.text, *(s.text for s in items)])
            return []
        own = "old" if signal == "removed" else "new"
        # The items here of a list that a binding lead-in commits to, by whether that lead-in
        # stands in the other version. A list of examples or one "not limited to" its items
        # illustrates its rule.
        listed = [
            (s, standing.stands(lead, own)) for s in side if not s.heading and s not in binding
            and (lead := items_of.get(id(s))) is not None and standing is not None
            and binds(lead) and not _EXAMPLES_LEAD.search(lead.text)
            and not _NOT_LIMITED.search(lead.text)
        ]
        with_lead = [s for s, lead_stands in listed if not lead_stands]
        if with_lead and not binding:
            # "We commit to the following:" deleted and "1. Quarterly audits" with it: the list
            # is the operative content of that commitment (codebook 11.2), and both are gone.
            first = next((s for s in with_lead if len(s.words) > 1), with_lead[0])  # not "1."
            lead = items_of[id(first)]
            signals.add(signal)
            details[signal] = _quote(first.text)
            because.append(f"{signal}: item of the list the commitment {_quote(lead.text)} "
                           f"introduces, {signal} with it")
            evidence.extend([lead.text, *(s.text for s in with_lead)])
            return []
        shortened = [s for s, lead_stands in listed
                     if lead_stands and _says_something(s) and not binds(s)]
        if shortened and not binding:
            # "● Have no stake in the outcome" dropped from under "We will select external
            # reviewers that:", which stands: the list is what that commitment commits to, and
            # it is shorter or longer (codebook 11.2, scope-defining enumeration).
            lead = items_of[id(shortened[0])]
            signals.add(signal)
            details[signal] = _quote(shortened[0].text)
            because.append(f"{signal}: item of the list the commitment {_quote(lead.text)} "
                           "consists of, which stands")
            evidence.extend([lead.text, *(s.text for s in shortened)])
            return []
        if binding:
            # Prefer a binding sentence that itself names a category: that is the commitment.
            lead = next((s for s in binding if self.text_categories([s.text])), binding[0])
            signals.add(signal)
            details[signal] = _quote(lead.text)
            word = self.binding_word(lead.text) or commitment_word(lead)
            because.append(f"{signal}: commitment sentence (binds with '{word}')")
            binds_list = next((s for s in binding if only_announces_list(s.text)
                               and carries(s)), None)
            if binds_list is not None:
                # "We will need to satisfy the following criteria:" alone, its items unchanged:
                # the obligation that makes the list binding goes or comes with it.
                verb = "no longer bound" if signal == "removed" else "now bound"
                why = ("carries its own obligation" if binds_its_list(binds_list.text)
                       else "alone commits to items that bind by no words of their own")
                because.append(f"{signal}: the lead-in {_quote(binds_list.text)} {why}; the "
                               f"items of its list are {verb} by it")
            if signal == "added":
                carve = next((m for t in binding if (m := CARVE_OUT.search(t.text))), None)
                if carve:
                    # "... will ordinarily not require additional safety measures": a new
                    # exception to existing commitments weakens them, it adds no obligation.
                    signals.add("weakened")
                    details["weakened"] = f"carve-out {_quote(carve.group(0))}"
                    because.append(
                        f"weakened: 6 consequence: carve-out added '{carve.group(0)}'"
                    )
            # An added commitment or threshold is as material as a removed one.
            evidence.extend(s.text for s in binding)
        return binding

    def _modified(
        self,
        region: Region,
        real: list[Change],
        signals: set[str],
        details: dict[str, str],
        because: list[str],
        evidence: list[str],
    ) -> None:
        """Both sides present: numbers, modal shifts, whole commitments, other rewording.

        The sentences each high signal rests on are appended to ``evidence``.
        """
        old, new = region.old, region.new

        def sentences_of(ch: Change) -> list[str]:
            return [old[i].text for i in sorted(set(ch.old_sids))] + [
                new[i].text for i in sorted(set(ch.new_sids))
            ] or [old[0].text]

        old_heads = [s.text for s in old if s.heading]
        new_heads = [s.text for s in new if s.heading]
        if old_heads or new_heads:
            if old_heads and new_heads:
                signals.add("heading_changed")
                details["heading_changed"] = f"{_quote(old_heads[0])} → {_quote(new_heads[0])}"
                because.append("heading_changed: a heading's words changed")
            elif old_heads:
                signals.add("section_removed")
                details["section_removed"] = _quote(old_heads[0])
                because.append(f"section_removed: heading '{old_heads[0]}'")
            else:
                signals.add("section_added")
                details["section_added"] = _quote(new_heads[0])
                because.append(f"section_added: heading '{new_heads[0]}'")

        # A quantity changed when a number left the region or entered it (a number merely moved
        # inside the passage, or a section/table/list/footnote number, does not count).
        old_q = self._numbers([w for s in old for w in s.words])
        new_q = self._numbers([w for s in new for w in s.words])
        first_num = True
        for ch in real:
            if _label_only(ch) or all(_DATE_LABEL.match(t.lstrip("# "))
                                      for t in sentences_of(ch)):
                continue
            rem_q = self._numbers(_drop_list_number(ch.removed, ch.at_start), ch.before, ch.after)
            add_q = self._numbers(_drop_list_number(ch.added, ch.at_start), ch.before, ch.after)
            gone_q = sorted(rem_q - add_q - new_q)
            come_q = sorted(add_q - rem_q - old_q)
            if not gone_q and not come_q:
                continue
            evidence.extend(sentences_of(ch))
            if first_num:
                first_num = False
                signals.add("numeric")
                details["numeric"] = (
                    f"{_quote(' '.join(ch.removed))} → {_quote(' '.join(ch.added))}"
                )
                because.append(f"numeric: {_words(gone_q)} → {_words(come_q)}")

        score, gone, come = self.modal_shift(real, old, new)
        if score and unrelated(old, new):
            # Two different sentences the alignment set side by side ("Expert input: ..." and
            # "Analytical rigor: ..."): one removed, another added, no modal moved between them.
            because.append("not a rewording: the two sides share no content word")
            score = 0
        if score and self._present_tense_swap(real, old, new, gone, come):
            because.append("not material: 'will' ↔ present tense, the same top rung (codebook 11.1)")
            score = 0
        if score:
            sig = "weakened" if score < 0 else "strengthened"
            signals.add(sig)
            if gone and come:
                details[sig] = f"{_words(gone)} → {_words(come)}"
            else:
                details[sig] = f"added {_words(come)}" if come else f"dropped {_words(gone)}"
            because.append(
                f"{sig}: lexicon [modals] {_words(gone)} → {_words(come)}"
            )
            for ch in real:
                shift = self.modal_shift([ch], old, new)[0]
                if shift and (shift < 0) == (score < 0):
                    evidence.extend(sentences_of(ch))

        # Share of each sentence's words touched by substantive changes.
        cut_o: Counter[int] = Counter(i for ch in real for i in ch.old_sids)
        cut_n: Counter[int] = Counter(i for ch in real for i in ch.new_sids)
        gone_o = {i for i, s in enumerate(old) if cut_o[i] >= 0.8 * max(1, len(s.words))}
        come_n = {i for i, s in enumerate(new) if cut_n[i] >= 0.8 * max(1, len(s.words))}
        for idx, side, sig in ((gone_o, old, "removed"), (come_n, new, "added")):
            binding = [
                side[i]
                for i in sorted(idx)
                if not side[i].heading and self.is_commitment(side[i].text)
            ]
            if binding:
                signals.add(sig)
                details[sig] = _quote(binding[0].text)
                because.append(f"{sig}: commitment sentence {_quote(binding[0].text, 8)}")
                if sig == "removed":
                    evidence.extend(s.text for s in binding)

        found = False
        for ch in real:
            if not self._other_words_changed(ch) or self._only_form_changed(ch, old, new):
                continue
            touched = [old[i] for i in set(ch.old_sids) - gone_o] + [
                new[i] for i in set(ch.new_sids) - come_n
            ]
            if not ch.old_sids and old:
                touched.append(old[0])
            binding = [s for s in touched if not s.heading and self.is_commitment(s.text)]
            if not binding:
                continue
            evidence.extend(s.text for s in binding)
            if not found:
                found = True
                signals.add("reworded")
                details["reworded"] = (
                    f"{_quote(' '.join(ch.removed))} → {_quote(' '.join(ch.added))}"
                )
                because.append(
                    f"reworded: commitment sentence words {_quote(' '.join(ch.removed), 6)} → "
                    f"{_quote(' '.join(ch.added), 6)}"
                )

    def _inside_example(self, ch: Change, old: list[Sentence], new: list[Sentence]) -> bool:
        """Whether every changed word sits inside an illustrative enumeration ("e.g.", "for
        example", "such as") on its side: changing an example does not change the rule. A
        number or a modal among the changed words is never just an example."""
        if any(self.is_numeric(t) or self.is_modal_word(t) for t in (*ch.removed, *ch.added)):
            return False
        for tokens, side, sids in ((ch.removed, old, ch.old_sids), (ch.added, new, ch.new_sids)):
            if not tokens:
                continue
            if not sids:
                return False
            text = side[sids[0]].text
            spans = [m.group(0) for m in ILLUSTRATIVE.finditer(text)]
            if not any(squash(" ".join(tokens)) in squash(span) for span in spans):
                return False
        return bool(ch.removed or ch.added)

    def _only_form_changed(self, ch: Change, old: list[Sentence], new: list[Sentence]) -> bool:
        """Whether ``ch`` changes only function words, or only drops/adds a run-in heading.

        "can be determined" → "are determined" rewords nothing a reader would weigh; nor does a
        PDF text layer gluing "3 - Applying Mitigations" (a heading) onto the next sentence.
        """

        def content(tokens: list[str]) -> list[str]:
            words = [squash(t) for t in _strip_marks(tokens, ch.at_start)]
            return [w for w in words if w and w not in FUNCTION_WORDS]

        if content(ch.removed) == content(ch.added):
            return True
        if self._inside_example(ch, old, new):
            return True  # an illustrative example changed; the rule stands without it
        if [SAME_MEANING.get(w, w) for w in content(ch.removed)] == [
            SAME_MEANING.get(w, w) for w in content(ch.added)
        ]:
            return True  # a renamed term with the same meaning ("release" → "deployment")
        if _label_only(ch):
            return True  # a label prefix added or dropped ("CBRN-3:", "Published: ...")
        # A bullet turned into a labelled item ("●" → "3. Workforce:") or back: the sentence
        # after the label is unchanged, so no obligation moved.
        for tokens, other in ((ch.added, ch.removed), (ch.removed, ch.added)):
            if ch.at_start and _run_in_label(tokens) and not content(other):
                return True
        for tokens, side, sids in ((ch.removed, old, ch.old_sids), (ch.added, new, ch.new_sids)):
            other = ch.added if tokens is ch.removed else ch.removed
            if tokens and not content(other) and sids and _run_in_heading(tokens):
                if side[sids[0]].text.startswith(" ".join(tokens)):
                    return True
        return False

    def _numbers(self, tokens: list[str], before: str = "", after: str = "") -> frozenset[str]:
        """Quantities among ``tokens``: numbers that are not a place in the document.

        Left out: footnote markers glued to words, outline numbers ("2.1.2", "2.2.1.a"),
        numbers after "Table", "Section", "Appendix", "version", a heading's "##" ..., list
        markers ("(1)", "a)"), versions ("v2"), and a number opening a run-in heading
        ("3 - Applying Mitigations").
        """
        out: set[str] = set()
        prev = before
        for k, raw in enumerate(tokens):
            t = _unmark(raw)
            key = squash(t)
            p = prev
            prev = raw
            if not key or not self.is_numeric(t):
                continue
            if (
                squash(p) in _STRUCTURAL_BEFORE
                or _STRUCTURAL_GLUED.search(squash(p))
                or _URL.search(raw)
                or _GLUED_OUTLINE.match(raw)
                or p.strip().startswith("#")
                or p.strip().lower() in ("§", "no.")
                or _OUTLINE_NUMBER.match(raw)
                or _LIST_MARKER.match(t)
                or _VERSION.match(t)
                or (k + 1 < len(tokens) and tokens[k + 1] in _DASH and t.rstrip(".").isdigit())
                or (k + 1 < len(tokens) and squash(tokens[k + 1]) in ("see", "cf")
                    and t.isdigit())  # a footnote citing sources: "1 See https://..."
                or (_TWO_LEVEL.match(raw) and _TITLE_WORD.match(
                    tokens[k + 1] if k + 1 < len(tokens) else after.split(" ", 1)[0]
                ))  # a numbered heading or contents entry: "1.2 Scope", "3.2 ML R&D"
                or _names_a_standard(p, t)
            ):
                continue
            out.add(key)
        return frozenset(out)


_ACRONYM = re.compile(r"^[A-Z]{2,6}$")
_LEVEL_ACRONYMS = frozenset({"ASL", "SL", "CBRN", "CCL", "CCLS", "ARA", "RSL", "TIER", "LEVEL"})
_IDENTIFIER = re.compile(r"^\d{1,5}(?:-\d{1,4})?[a-z]?[.,;:)]?$")


def _names_a_standard(before: str, token: str) -> bool:
    """A number that names a standard or a product after its acronym ("ISO 42001", "SOC 2",
    "NIST 800-53"): an identifier, not a quantity. Capability and security levels ("ASL 3",
    "SL 2") stay quantities."""
    prev = before.strip().rstrip(",;:")
    return (bool(_ACRONYM.match(prev)) and prev not in _LEVEL_ACRONYMS
            and bool(_IDENTIFIER.match(token)))


SAME_MEANING: dict[str, str] = {
    w: "deploy"
    for w in ("release", "releases", "released", "releasing", "deployment", "deployments",
              "deploy", "deploys", "deployed", "deploying", "launch", "launches", "launched")
}
"""Words the frameworks use interchangeably: swapping one for another rewords nothing."""
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_MONTH_WORD = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[.,;:]?$", re.IGNORECASE
)
_DATE_LABEL = re.compile(
    r"^(?:Published|Last\s+updated|Updated|Effective|Date|Version)\b[^.]{0,40}\.?$", re.IGNORECASE
)
"""A dateline ("Published: 12 May 2025."), as a line or a heading: its numbers are a label,
not a quantity."""
_LEVEL_TOKEN = re.compile(
    r"\b(?:Level|ASL|CBRN|SL|Tier|AI\s+R&D)[- ]?\d+(?:\.\d+)?\+?(?![\w+])", re.IGNORECASE
)


_EXAMPLES_LEAD = re.compile(
    r"\b(?:examples?|illustrative|illustrations?|e\.g\.|for\s+instance|non-exhaustive)\b",
    re.IGNORECASE,
)
"""A lead-in that offers its list as examples ("The following are example benchmarks we may
use:"): the list illustrates the rule; it is not what is committed to (codebook 11.2). A list
introduced by "including" or "consists of" defines the scope and is not matched; nor is "steps
such as the following:", whose items are each an action the author may take (notifying the
authorities is a disclosure of its own)."""
_CONDITION_EXAMPLES = re.compile(
    r"\b(?:if|when|unless|where|provided)\s*,?\s*(?:for\s+(?:example|instance)|e\.g\.)",
    re.IGNORECASE,
)
"""A rule whose condition is the list ("deemed acceptable if, for example:"): without its items
the rule does not stand, so they are not mere illustrations (codebook 11.2)."""


FRAGMENT_WORDS = 7
"""Fewer words than this, with no closing punctuation, are a piece of a sentence."""
_NOTE_LINE = re.compile(r"^(?:\d{1,2}\s+[A-Z“\"]|\d{1,2}(?=[A-Z][a-z])|Note:|\(\d{1,2}\)\s+[A-Z])")
"""The first line of a footnote or note ("3 CBRN refers to ...", "Note: ...")."""
_CLOSED = re.compile(r"[.!?:;][\"”’')\]]*\d{0,2}$")
_ITEM_MARK = re.compile(r"^\s*(?:[●•▪◦○■□➢►–*-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")


_OPEN_END = frozenset(
    "a an the of to in on at by for with from into onto and or but nor than as that which who "
    "whose be been being is are was were will would can could may might must shall should "
    "our their its this these".split()
)
"""Words no sentence ends on: a run that stops on one was cut in the middle."""


def _fragment(s: Sentence) -> bool:
    """A piece of a sentence a text layer cut at a page or column break, whose commitment is
    the whole sentence, not this piece: it stops on a word no sentence ends on ("... decisions
    will be"), or it is a short run that neither closes nor opens a list item ("We will be
    building and continually")."""
    text = s.text.strip()
    if _CLOSED.search(text):
        return False
    last = s.words[-1].lower().strip("\"“”’'()[],") if s.words else ""
    return last in _OPEN_END or (len(s.words) < FRAGMENT_WORDS and not _ITEM_MARK.match(text))


def _says_something(item: Sentence) -> bool:
    """Whether a list item has words besides its marker: a bare "1." says nothing."""
    return len(_ENUM_LEAD.sub("", item.text, count=1).split()) >= 2


def _whole_commitments(outcome: list[Sentence], side: list[Sentence]) -> bool:
    """Whether a deleted or inserted passage (``side``) holds a commitment of the author's own
    that stands as a whole sentence (``outcome``: its binding sentences).

    The commitment reader (``differ.commitments.commits``) must read it so too: the lexicon's
    binding word alone also fires on an evaluation task's instructions ("the agent must ...").
    A sentence of a footnote explains its anchor (a term's meaning, a rationale), and one in a
    recommendations part speaks to the field: neither is the author's standing commitment
    (codebook 2, exclude; 4, L) unless it names what it binds, which the categories judge.
    Beside its advice, a recommendations part may state the author's own plan ("We will: ..."):
    a sentence there that binds the author at the top rung ("we will keep the records") is
    that commitment; one that only aims ("we will strive to advance these recommendations")
    is aspiration about the field.
    """
    if not outcome:
        return False
    from differ.commitments import commits, is_recommendation_section

    notes = {s.para for s in side if _NOTE_LINE.match(s.text)}
    return any(
        commits(s) and not _fragment(s) and s.para not in notes
        and (not is_recommendation_section(" > ".join(s.section)) or _firmly_own(s))
        for s in outcome
    )


def _firmly_own(s: Sentence) -> bool:
    """Whether the commitment reader, reading ``s`` as part of a recommendations part, still
    finds the author bound at the top rung ("we will ..."), not advising the field."""
    from differ.commitments import strength_of

    found = strength_of(s.text, in_recommendations=True)
    return found is not None and found[0] == 4


def _only_examples(old: list[Sentence], new: list[Sentence],
                   items_of: Mapping[int, Sentence], binds: Callable[[str], bool],
                   continues: Callable[[Sentence], bool]) -> bool:
    """Whether every sentence of the region is an item of a list offered as examples.

    An item runs over its paragraph, and a text layer that lost the break after the last item
    runs the sentences that follow into it: one of those, after the item's opening words in
    its paragraph (``continues``) and with no item marker of its own, that binds by its own
    words (``binds``: "We will share the results ...") states a rule beside the examples, not
    an example."""
    body = [s for s in (*old, *new) if not s.heading]
    return bool(body) and all(
        (lead := items_of.get(id(s))) is not None and bool(_EXAMPLES_LEAD.search(lead.text))
        and not _CONDITION_EXAMPLES.search(lead.text)
        and (bool(_ITEM_MARK.match(s.text)) or not continues(s) or not binds(s.text))
        for s in body
    )


def _without_level_names(words: list[str]) -> list[str]:
    """``words`` without the level names among them ("ASL-2", "Level 2", "CBRN-3"): a level
    names a threshold, so in a sentence that binds nothing it is no quantity."""
    joined = re.sub(r"(?<=-)\s+|\s+(?=[-+])", "", normalize_chars(" ".join(words)))
    return _LEVEL_TOKEN.sub(" ", joined).split()


def _suffixed(levels: set[str]) -> set[str]:
    """The levels carrying a "+" suffix: other level changes already show as changed words."""
    return {lv for lv in levels if lv.endswith("+")}


def _levels(text: str) -> set[str]:
    """The capability levels a text names, suffix included ("Level 2+" is not "Level 2")."""
    joined = re.sub(r"(?<=-)\s+|\s+(?=[-+])", "", normalize_chars(text))
    return {
        m.group(0).replace("-", "").replace(" ", "").lower()
        for m in _LEVEL_TOKEN.finditer(joined)
    }


_LABEL = re.compile(r"^[A-Z][\w&/+-]*(?:\s+[\w&/+-]+){0,2}:$")


def _label_only(ch: Change) -> bool:
    """A run-in label at the start of a sentence added or dropped ("CBRN-3:", "Published:
    12 May 2025"), the rest unchanged: a label, not a commitment."""
    for tokens, other in ((ch.removed, ch.added), (ch.added, ch.removed)):
        if ch.at_start and tokens and not other and len(tokens) <= 4:
            head = " ".join(tokens)
            if _LABEL.match(head) or re.match(r"^(?:Published|Last\s+updated|Updated|Effective|"
                                              r"Version|Date)\b", head, re.IGNORECASE):
                return True
    # A label renamed for the same threshold ("CBRN-3:" → "CBRN Tier 3:").
    if ch.at_start and ch.removed and ch.added and max(len(ch.removed), len(ch.added)) <= 6:
        old, new = " ".join(ch.removed), " ".join(ch.added)
        return (_RENAMED_LABEL.fullmatch(old) is not None
                and _RENAMED_LABEL.fullmatch(new) is not None and label_renamed(old, new))
    return False


_RENAMED_LABEL = re.compile(r"[A-Za-z][^:.;!?]{0,60}:")


_NOT_LIMITED = re.compile(r"\bnot\s+limited\s+to\b", re.IGNORECASE)
_LIST_TAIL = re.compile(r"\b(?:the\s+following|includ(?:es?|ing))\b", re.IGNORECASE)
_ANNOUNCING_HEAD = re.compile(
    r"(?:^|\b(?:commit(?:s|ted)?(?:\s+ourselves)?\s+to|is|are|be|includes?|consists?\s+of|"
    r"compris(?:es?|ing)|contains?|makes?|sets?\s+out|outlines?|lists?|describes?|"
    r"summari[sz]es?))\W*$", re.IGNORECASE)
"""What a sentence says before its list when it only announces it: nothing ("The following
are ..."), a subject ("Key measures include:") or a verb whose object is the list itself ("we
commit to the following:", "our measures are the following:")."""


def binds_its_list(text: str) -> bool:
    """Whether a sentence that introduces a list carries an obligation of its own before it: a
    verb acting on the list or on an object ("we will need to satisfy the following criteria:",
    "we will use a range of methods, including:", "Acme analyses each risk based on the
    following:"). Its list is what that obligation applies to (codebook 11.2, enumeration rule),
    so without the sentence the items that stay are no longer committed to: it is a commitment
    in its own right, not an announcement ("Key measures include:", "we commit to the
    following:")."""
    tails = list(_LIST_TAIL.finditer(text))
    if not tails or tails[-1].group(0).lower() in ("include", "includes"):
        return False  # "our commitments include:": the list is the subject's content
    return not _ANNOUNCING_HEAD.search(text[:tails[-1].start()])


_ADVICE_WORD = re.compile(r"\b(?:should|recommend\w*|encourage\w*|ought\s+to)\b", re.IGNORECASE)
_SELF_BINDS = re.compile(r"\bwe\s+(?:\w+\s+)?(?:will|must|shall|commit)", re.IGNORECASE)


def _advice_only(s: Sentence) -> bool:
    """A recommendation to others inside a recommendations part: not the author's commitment."""
    from differ.commitments import is_recommendation_section

    return (
        is_recommendation_section(" > ".join(s.section))
        and bool(_ADVICE_WORD.search(s.text))
        and not _SELF_BINDS.search(s.text)
    )


_DIMENSION_LEAD = re.compile(r"^[1-6] (?:scope|threshold/trigger|actor|obligation strength|"
                             r"disclosure scope|consequence): ")


def _dimension_reasons(signals: set[str], details: dict[str, str], because: list[str]) -> list[str]:
    """What moved, per high signal, in the coders' terms: the materiality dimension and the
    words, or the outcome (a commitment added or removed)."""
    out: list[str] = []
    if "numeric" in signals:
        out.append(f"2 threshold/trigger: {details.get('numeric', 'a quantity changed')}")
    for sig in ("weakened", "strengthened"):
        if sig not in signals:
            continue
        d = details.get(sig, "")
        if _DIMENSION_LEAD.match(d):
            out.append(f"{d} ({sig})")
        elif d.startswith("moved into"):
            out.append(f"4 obligation strength: {d} ({sig})")
        elif d.startswith("carve-out"):
            out.append(f"6 consequence: {d} ({sig})")
        else:
            out.append(f"4 obligation strength: {d} ({sig})")
    if "reworded" in signals:
        judged = next((b.removeprefix("materiality: ") for b in because
                       if b.startswith("materiality: ")), "")
        parts = [p for p in judged.split("; ") if p and not any(p in o for o in out)]
        if parts:
            out.extend(parts)
        elif not judged:
            out.append(f"reworded commitment: {details.get('reworded', '')}")
    if "removed" in signals:
        out.append(f"commitment removed (outcome X): {details.get('removed', '')}")
    if "added" in signals and "announced" in details:
        out.append(f"revision announced in the changelog: {details['announced']}")
    elif "added" in signals:
        out.append(f"commitment added (outcome A): {details.get('added', '')}")
    if "section_removed" in signals and "removed" not in signals:
        out.append(f"section removed: {details.get('section_removed', '')}")
    return list(dict.fromkeys(out))


def _deglued(sentence: Sentence, other: list[Sentence]) -> str:
    """``sentence``'s text with words run together split where the other side has them apart."""
    words = [(w, 0) for w in sentence.words]
    split = split_joins(words, [(w, 0) for s in other for w in s.words])
    return sentence.text if split is words else " ".join(w for w, _ in split)


def _direction(signals: set[str], judgement: Judgement | None) -> str:
    """Which way the hunk moved the commitments (strengthened / weakened / added / removed /
    mixed), "" when it moved none."""
    found: list[str] = []
    if "weakened" in signals:
        found.append("weakened")
    if "strengthened" in signals:
        found.append("strengthened")
    if judgement is not None and judgement.material:
        found.append("weakened" if judgement.direction == "mixed" else judgement.direction)
        if judgement.direction == "mixed":
            return "mixed"
    gone = bool(signals & {"removed", "section_removed"})
    come = bool(signals & {"added", "section_added"})
    if not found:
        if gone and come:
            return "mixed"
        if gone:
            return "removed"
        if come:
            return "added"
        if "numeric" in signals:
            return "mixed"
    return combine_directions(found)


def _drop_list_number(tokens: list[str], at_start: bool) -> list[str]:
    """``tokens`` without a list number ("3.", "(2)") that opens the sentence."""
    if at_start and tokens and _LIST_NUMBER.match(tokens[0]):
        return tokens[1:]
    return tokens




_AUTHOR_PRESENT = re.compile(
    r"\b(?:we|[A-Z][\w-]+)\s+(?:(?:will|must|shall|also|then|always|each|regularly|routinely)\s+)*"
    r"(?!will\b|may\b|might\b|could\b|should\b|would\b|can\b)[a-z]+(?:s|es)?\b"
)
"""The author (or the company by name) as the subject of a verb: "we evaluate", "xAI conducts"."""
_RELATIVE_OTHER = re.compile(
    r"\b(?:that|which|who)\s+$"
    r"|\b(?:for|in|to|under|by|at|on|of|from|with|upon|beyond|above|below)\s+(?:which|whom)\s+"
    r"(?:(?!(?:we|I|us)\b)[^\s,;:.]+\s+){0,6}$",
    re.IGNORECASE,
)
"""A relative pronoun right before the modal, so the pronoun is its subject ("mitigations that
may be applied"; not "the safeguards that we will ...", nor "systems that reach X must"), or a
"for which" / "at which" clause about something else ("risks for which prevention of access is
required", the definition of a level: "levels at which models could pose severe risk"), or a
"to whom" clause about people ("the leaders to whom reports may be sent")."""


def _in_relative_clause(before: str) -> bool:
    """Whether a binding word preceded by ``before`` sits in a relative clause about something
    other than the author: it describes that thing ("the levels of mitigations that may be
    applied"), it binds no one."""
    return bool(_RELATIVE_OTHER.search(before[-80:]))


def _binds_only_in_relative(sentence: str, word: str) -> bool:
    """Whether each occurrence of the binding ``word`` in ``sentence`` is in such a clause."""
    if not word or " " in word and word in ("present tense",):
        return False
    hits = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", sentence,
                                           re.IGNORECASE)]
    return bool(hits) and all(_in_relative_clause(sentence[:at]) for at in hits)


def _only_describes(sentence: str, hedge: str) -> bool:
    """Whether every ``hedge`` of ``sentence`` sits in a relative clause ("a technology that
    may increasingly detect testing", "models that we determine could pose"): it describes a
    thing, it does not soften the author's obligation, so adding or dropping it shifts no modal
    force. "which may include" hedges the list that follows, as "as appropriate" would: it
    still counts."""
    found = False
    for m in re.finditer(rf"(?<!\w){re.escape(hedge)}(?!\w)", sentence, re.IGNORECASE):
        found = True
        at = m.start()
        if re.match(r"\w+\s+include", sentence[at:at + 30], re.IGNORECASE):
            return False
        if not _RELATIVE_OTHER.search(sentence[max(0, at - 60): at]):
            return False
    return found


_AUTHOR_SUBJECT = re.compile(
    r"\b(?:[Ww]e|[Oo]ur|us)\b"
    r"|\b(?!(?:This|These|That|Those|The|It|Its|Such|Each|Every|One|There|In|As|While|If|When|"
    r"Although|However)\b)(?=[\w-]*[A-Z])(?=[\w-]*[a-z])[A-Za-z][\w-]+\s+"
    r"(?:\w+ly\s+)?(?!is\b|was\b|has\b|does\b)[a-z]{3,}s\b"
)
"""The author as a subject: "we", "our", or a name doing something ("xAI trains", "Anthropic
conducts"). Prose under a section heading without it describes the world or the document."""
_PRESENT_COMMITTED = re.compile(
    r"(?:\b(?:am|is|are|remain|remains|be|been|being|stay|stays)|\b(?:we|they|you)['’]re|"
    r"\bI['’]m)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
""""we are (fully) committed to", "we're committed to" bind now; a bare "committed" recounts a
past commitment."""
_LEXICON_MODALS = frozenset(
    {"will", "must", "shall", "require", "requires", "required", "commit", "commits", "committed"}
)
"""Binding words the lexicon's commitment patterns judge themselves (forecast, description)."""


def _needs_not_author(before: str, after: str) -> bool:
    """Whether "will require / will need" predicts a need rather than imposing one: it binds
    only when the author requires ("we will require all staff ..."), not when a thing will
    need something ("safeguarding stronger models will require more planning")."""
    if not re.match(r"\s+(?:require|need)\b", after, re.IGNORECASE):
        return False
    clause = re.split(r"[.;:,]", before[-120:])[-1]
    return not re.search(r"\b(?:we|I)\b", clause, re.IGNORECASE)


def _forecast_will(before: str) -> bool:
    """Whether a "will" preceded by ``before`` predicts or conditions rather than binds.

    A "will" in a clause opened by a belief, a forecast or a condition ("we believe monitoring
    will enable", "the risk that they will be used", "where it will facilitate") predicts. The
    subject alone decides nothing: "they will share a report" binds when "they" are the CEO.
    """
    clause = re.split(r"[.;:]", before[-200:])[-1].rstrip()
    return bool(_FORECAST_CLAUSE.search(clause + " "))


def _run_in_label(tokens: list[str]) -> bool:
    """Whether ``tokens`` are a list item's run-in label ("Supply chain:", "3. Workforce:")."""
    return 0 < len(tokens) <= 5 and bool(_RUN_IN_LABEL.match(" ".join(tokens)))


def _run_in_heading(tokens: list[str]) -> bool:
    """A short number-led Title Case run ("3 - Applying Mitigations"): a heading, not prose."""
    if not tokens or len(tokens) > 8 or not _ENUM_TOKEN.match(tokens[0]):
        return False
    rest = [t for t in tokens[1:] if t not in _DASH]
    return bool(rest) and all(t[:1].isupper() or t.lower() in FUNCTION_WORDS for t in rest)


def _quote(text: str, words: int = 10) -> str:
    parts = text.split()
    short = " ".join(parts[:words]) + ("…" if len(parts) > words else "")
    return f"'{short}'"


def _words(items: list[str]) -> str:
    return ", ".join(f"'{w}'" for w in items) if items else "''"


def _pair(changes: list[Change]) -> str:
    if not changes:
        return "changed"
    ch = changes[0]
    return f"{_quote(' '.join(ch.removed), 8)} → {_quote(' '.join(ch.added), 8)}"


def _in(section: str) -> str:
    return f" in {section.split(' > ')[-1]}" if section else ""
