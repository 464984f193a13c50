"""Keyword gates: a cheap test that rules a regular expression out before it runs.

Most of the commitment reader's patterns look for a handful of words ("will", "must", "believe")
and match few sentences; the engine still tries them at every position of every sentence. The
literal words a pattern cannot match without are read from its parse tree once, and a
substring test on the sentence's folded lowercase form (:func:`fold`, computed once per
sentence) rules out most sentences for a fraction of the search's cost.

The gate is a necessary condition only: when it passes, the pattern itself decides, so a gated
search returns exactly what the plain search would. A pattern the reader cannot analyse gets no
gate and always runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

try:  # the standard library's own parser (``re._parser`` from 3.11, ``sre_parse`` before)
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older interpreters
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_FOLD = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k", 0x307: None}
"""The characters case-insensitive matching equates with an ASCII letter that ``str.lower``
does not turn into it (dotted and dotless i, long s, the Kelvin sign; "İ".lower() is "i" plus a
combining dot, which is dropped)."""

MAX_KEYS = 64
"""Beyond this many keywords the substring tests cost as much as the search they would save."""


def fold(text: str) -> str:
    """``text`` lowercased so that every character a case-insensitive pattern reads as an ASCII
    letter is that letter: a keyword absent from it cannot be matched, whatever the case."""
    low = text.lower()
    return low if low.isascii() else low.translate(_FOLD)


@lru_cache(maxsize=16)
def _parsed(pattern: str, flags: int) -> list[tuple[Any, Any]]:
    """A pattern's parse tree (read, never changed), shared by the two readers of one gate."""
    return list(_sre_parse.parse(pattern, flags))


def required_words(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Lowercase ASCII strings of which every match of ``pattern`` contains at least one, or
    None when no such set was found (the pattern then always runs)."""
    try:
        tree = _parsed(pattern, flags)
    except Exception:  # noqa: BLE001 - an unusual pattern is simply not gated
        return None
    try:
        found = _of_sequence(tree)
    except Exception:  # noqa: BLE001 - an opcode this reader does not know: no gate
        return None
    if not found or len(found) > MAX_KEYS or min(len(k) for k in found) < 2:
        return None
    # a keyword containing a shorter one adds nothing ("commit" is in "committed")
    keys = {k for k in found if not any(o != k and o in k for o in found)}
    return tuple(sorted(keys))


def _best(candidates: list[frozenset[str]], limit: int = MAX_KEYS) -> frozenset[str] | None:
    """The most selective requirement: the longest shortest keyword, then the fewest keywords."""
    usable = [c for c in candidates if c and len(c) <= limit]
    if not usable:
        return None
    return max(usable, key=lambda c: (min(len(k) for k in c), -len(c)))


def _plain(code: int) -> str | None:
    """The keyword character for a literal, or None when case-insensitive matching could equate
    another character with it that :func:`fold` does not map to it (only ASCII and uncased
    characters such as "’" or "…" qualify)."""
    c = chr(code)
    if code < 128:
        return c.lower()
    if c.lower() == c == c.upper() and code not in _FOLD:
        return c
    return None


MAX_RUN = 16
"""Spellings one literal run may expand to through small classes ("won['’]t" is two)."""


def _of_sequence(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    return _best(_required(items, MAX_KEYS, flatten=False))


def _required(items: list[tuple[Any, Any]], limit: int, *,
              flatten: bool) -> list[frozenset[str]]:
    """Keyword sets the sequence ``items`` requires: every match holds a keyword of each.
    A group inside the sequence lends its most selective set, or with ``flatten`` all of its
    own (each is required of the whole as well)."""
    candidates: list[frozenset[str]] = []
    run: list[str] = [""]

    def flush() -> None:
        if run != [""]:
            candidates.append(frozenset(run))
        run[:] = [""]

    def nested(body: list[tuple[Any, Any]]) -> None:
        subs = _required(body, limit, flatten=flatten)
        if flatten:
            candidates.extend(subs)
        elif (one := _best(subs, limit)) is not None:
            candidates.append(one)

    for op, av in items:
        name = str(op)
        if name == "LITERAL" and (c := _plain(av)) is not None:
            run[:] = [r + c for r in run]
            continue
        if name == "IN" and len(av) <= 4 and all(str(o) == "LITERAL" for o, _ in av):
            chars = [_plain(v) for _, v in av]
            if all(c is not None for c in chars):
                if len(run) * len(chars) > MAX_RUN:
                    flush()
                run[:] = [r + c for r in run for c in chars]  # type: ignore[operator]
                continue
        if name == "AT":
            continue  # zero-width: the literals on both sides are adjacent in the text
        flush()
        if name == "SUBPATTERN":
            nested(list(av[-1]))
        elif name == "ATOMIC_GROUP":
            nested(list(av))
        elif name == "BRANCH":
            alts = [_best(_required(list(alt), limit, flatten=flatten), limit) for alt in av[1]]
            if all(alts):
                candidates.append(frozenset().union(*alts))  # type: ignore[arg-type]
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, body = av
            body = list(body)
            if low < 1:
                pass
            elif (len(body) == 1 and str(body[0][0]) == "LITERAL"
                  and (c := _plain(body[0][1])) is not None):
                candidates.append(frozenset({c * min(low, 8)}))
            else:
                nested(body)
        # else: a wider class, a lookaround, a back-reference: nothing required of it
    flush()
    return candidates


MAX_SET = 256
"""The largest keyword set a gate's conjunction keeps (:func:`required_sets`): beyond it the
set rules out almost nothing and only makes new words slower to index."""


def required_sets(pattern: str, flags: int = 0) -> tuple[tuple[str, ...], ...]:
    """Every keyword set found that ``pattern`` requires, not only the most selective one:
    a match holds a keyword of each ("we ... conduct" needs the author's name *and* a verb).
    Empty when none was found."""
    try:
        found = _required(_parsed(pattern, flags), MAX_SET, flatten=True)
    except Exception:  # noqa: BLE001 - an unusual pattern or opcode: no gate
        return ()
    out: list[tuple[str, ...]] = []
    for keys in found:
        if not keys or len(keys) > MAX_SET or min(len(k) for k in keys) < 2:
            continue
        kept = tuple(sorted(k for k in keys if not any(o != k and o in k for o in keys)))
        if kept not in out:
            out.append(kept)
    return tuple(out)


_LETTERS = re.compile(r"[a-z]+")
"""A run of ASCII letters: a keyword made of letters only occurs in a text exactly when it
occurs inside one of the text's runs."""


class _KeyIndex:
    """Which keywords, of every gate, a text contains: worked out once per text, not once per
    gate and keyword.

    A sentence meets a dozen gates of some twenty keywords each; the substring tests cost more
    than the searches they save. Every keyword gets a bit. A word (a run of letters) repeats
    across sentences and versions, so the keywords inside it are looked up once and remembered
    as a mask; a text's mask is the union of its words' masks, plus the few keywords that hold
    something other than letters ("won't", "r&d-"), tested on the text itself. A gate then asks
    one AND of its own bits. The masks say exactly what the substring tests say."""

    MAX_WORDS = 65536
    MAX_TEXTS = 4096

    def __init__(self) -> None:
        self.bits: dict[str, int] = {}
        self.letter_keys: list[tuple[str, int]] = []
        self.other_keys: list[tuple[str, int]] = []
        self.words: dict[str, int] = {}
        self.texts: dict[str, int] = {}

    def register(self, keys: tuple[str, ...]) -> int:
        """The mask of ``keys``, giving a bit to each keyword not yet known."""
        mask = 0
        for k in keys:
            bit = self.bits.get(k)
            if bit is None:
                bit = self.bits[k] = 1 << len(self.bits)
                (self.letter_keys if _LETTERS.fullmatch(k) else self.other_keys).append((k, bit))
                self.words.clear()  # the remembered masks lack the new keyword
                self.texts.clear()
            mask |= bit
        return mask

    def _word_mask(self, word: str) -> int:
        mask = 0
        for k, bit in self.letter_keys:
            if k in word:
                mask |= bit
        if len(self.words) >= self.MAX_WORDS:
            self.words.clear()
        self.words[word] = mask
        return mask

    def mask(self, low: str) -> int:
        """The bits of every keyword that occurs in ``low``."""
        mask = self.texts.get(low)
        if mask is not None:
            return mask
        mask = 0
        words = self.words
        for w in set(_LETTERS.findall(low)):
            m = words.get(w)
            mask |= self._word_mask(w) if m is None else m
        for k, bit in self.other_keys:
            if k in low:
                mask |= bit
        if len(self.texts) >= self.MAX_TEXTS:
            self.texts.clear()
        self.texts[low] = mask
        return mask


_INDEX = _KeyIndex()
_TEXT_MASKS = _INDEX.texts


class Gated:
    """A compiled pattern with its keyword gate. ``search``/``match``/``finditer`` take the
    text and its :func:`fold`; they return what the pattern's own methods return.

    ``keys`` is the pattern's most selective keyword set (:func:`required_words`); the gate
    asks for a keyword of every set the pattern requires (:func:`required_sets`), one mask
    each."""

    __slots__ = ("pattern", "keys", "_masks")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.keys, sets = gate_of(pattern.pattern, pattern.flags)
        self._masks = tuple(_INDEX.register(keys) for keys in sets)

    def possible(self, low: str) -> bool:
        """Whether the pattern can match the text whose :func:`fold` is ``low``: whether it
        holds a keyword of each set the pattern requires."""
        mask = _TEXT_MASKS.get(low)
        if mask is None:
            mask = _INDEX.mask(low)
        for need in self._masks:
            if not mask & need:
                return False
        return True

    def search(self, text: str, low: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.possible(low) else None

    def match(self, text: str, low: str) -> re.Match[str] | None:
        return self.pattern.match(text) if self.possible(low) else None

    def finditer(self, text: str, low: str) -> list[re.Match[str]]:
        return list(self.pattern.finditer(text)) if self.possible(low) else []


# ---------------------------------------------------------------------------------------------
# The gates read ahead of time
# ---------------------------------------------------------------------------------------------

Gate = tuple[tuple[str, ...] | None, tuple[tuple[str, ...], ...]]

SHIPPED = Path(__file__).with_name("gates.json")
"""Every gate the differ builds, written by ``python -m differ.gate_table`` when a pattern
changes and shipped with the package.

Reading the gates of the classifier's 200-odd patterns from their parse trees was about a
third of the work of each worker's start-up (its imports and warm-up), in every run. The table
is keyed by pattern and flags and stamped with the digest of this module's source: an edit to
the reader makes the table stale, and a stale table or a pattern it lacks is read from its
parse tree, as before, so the table changes how fast a gate is made, never what it is. A gate
is a property of the strings a pattern matches, which is the same on every Python version."""


def reader_digest() -> str:
    """The digest of this module's source (line endings aside), which the table is stamped
    with."""
    source = Path(__file__).read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(source).hexdigest()[:16]


def _key(pattern: str, flags: int) -> str:
    return f"{flags}:{pattern}"


@cache
def _shipped() -> dict[str, Gate]:
    try:
        data = json.loads(SHIPPED.read_text(encoding="utf-8"))
        if data.get("reader") != reader_digest():
            return {}
        return {k: (None if words is None else tuple(words), tuple(tuple(s) for s in sets))
                for k, (words, sets) in data["gates"].items()}
    except (OSError, ValueError, TypeError, KeyError):  # absent or damaged: read them all
        return {}


BUILT: dict[str, Gate] = {}
"""Every gate this process has made (``differ.gate_table`` writes them to the table)."""


def gate_of(pattern: str, flags: int) -> Gate:
    """The pattern's most selective keyword set (:func:`required_words`) and every set it
    requires (:func:`required_sets`): from the shipped table, else from its parse tree."""
    key = _key(pattern, flags)
    gate = _shipped().get(key)
    if gate is None:
        gate = (required_words(pattern, flags), required_sets(pattern, flags))
    BUILT[key] = gate
    return gate
