"""Turn an aligned region into a classified Hunk: categories, signals, severity, and why.

The rules follow DESIGN "Classification". Two principles keep alerts trustworthy:

* A change is judged by its *substantive* word changes only. Case, punctuation, whitespace,
  hyphenation, words run together by a PDF text layer, list/footnote renumbering and small typo
  fixes are cosmetic, and a hunk made only of those is severity ``none`` whatever words sit next
  to it ("we may publish" next to a fixed typo is not a publication change).
* Categories come from the reviewed lexicon (``lexicon.toml``), matched on the sentences around
  the change and on the section path, and every flag records the rule id and the words that
  fired it in ``because``, so a reader can audit any alert.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from differ.align import Change, Region
from differ.model import HIGH_SIGNALS, Hunk, order_signals
from differ.segment import Sentence, squash

LEXICON_PATH = Path(__file__).with_name("lexicon.toml")


@dataclass(frozen=True, slots=True)
class Rule:
    """One lexicon entry: a stable id, the category it votes for, and its patterns."""

    id: str
    category: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The parsed lexicon; parsed once (``load_lexicon`` caches it), never read below this."""

    version: int
    rules: tuple[Rule, ...]
    strong: tuple[re.Pattern[str], ...]
    hedge: tuple[re.Pattern[str], ...]
    commitment: tuple[re.Pattern[str], ...]
    numeric_words: frozenset[str]


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Parse and compile the lexicon file; raises on a malformed rule so reviews catch it."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def comp(pats: list[str]) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in pats)

    rules = []
    for r in data.get("rule", []):
        rules.append(Rule(id=r["id"], category=r["category"], patterns=comp(r["patterns"])))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate rule ids in {path}")
    return Lexicon(
        version=int(data.get("version", 0)),
        rules=tuple(rules),
        strong=comp(data["modals"]["strong"]),
        hedge=comp(data["modals"]["hedge"]),
        commitment=comp(data["commitment"]["patterns"]),
        numeric_words=frozenset(w.lower() for w in data["numeric"]["words"]),
    )


_ENUM_TOKEN = re.compile(r"^\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-z]|[ivx]{1,5})[.)]?$")
_FOOTNOTE = re.compile(r"^(.*(?:[a-z]{2}|[a-z]{2}[.,;:\"”’')\]]+|\w[.,;:\"”’')\]]+))\d{1,2}(\W*)$")
"""A footnote marker glued to a word or its punctuation: "risks1", "Compute4).", "3).2"."""
_DIGIT = re.compile(r"\d")


def _strip_marks(tokens: list[str], at_start: bool) -> list[str]:
    """Tokens without a leading list number and without footnote digits glued to words."""
    out = list(tokens)
    if at_start and out and _ENUM_TOKEN.match(out[0]):
        out = out[1:]
    return [_FOOTNOTE.sub(r"\1\2", t) for t in out]


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


class Classifier:
    """Classifies regions with one lexicon; stateless apart from it."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lex = lexicon or load_lexicon()

    # -- word-level judgements ---------------------------------------------------------------

    def is_numeric(self, token: str) -> bool:
        """A number, multiplier ("4x"), percentage, level ("ASL-3") or number word."""
        return bool(_DIGIT.search(token)) or squash(token) in self.lex.numeric_words

    def is_modal_word(self, token: str) -> bool:
        """Whether ``token`` is (part of) an obligation or hedge phrase on its own."""
        return any(p.search(token) for p in (*self.lex.strong, *self.lex.hedge))

    def is_cosmetic(self, ch: Change) -> bool:
        """A change that alters no word a reader would weigh (see module docstring)."""
        rem = _strip_marks(ch.removed, ch.at_start)
        add = _strip_marks(ch.added, ch.at_start)
        if squash(" ".join(rem)) == squash(" ".join(add)):
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
        """A sentence that binds (will / must / shall / commit / not ...)."""
        return any(p.search(text) for p in self.lex.commitment)

    def modal_shift(self, changes: list[Change]) -> tuple[int, list[str], list[str]]:
        """Net change in obligation strength over ``changes``, with the phrases that moved.

        Counts strong and hedge phrases in each change with one unchanged word of context on
        either side; returns (delta, phrases gone, phrases come). delta < 0 means weaker.
        """
        old_c: Counter[str] = Counter()
        new_c: Counter[str] = Counter()
        score = 0
        for ch in changes:
            old_t = " ".join([ch.before, *ch.removed, ch.after])
            new_t = " ".join([ch.before, *ch.added, ch.after])
            for sign, pats in ((1, self.lex.strong), (-1, self.lex.hedge)):
                for p in pats:
                    for m in p.finditer(old_t):
                        old_c[m.group(0).lower()] += 1
                        score -= sign
                    for m in p.finditer(new_t):
                        new_c[m.group(0).lower()] += 1
                        score += sign
        gone = sorted((old_c - new_c).elements())
        come = sorted((new_c - old_c).elements())
        return score, gone, come

    def _other_words_changed(self, ch: Change) -> bool:
        """Whether ``ch`` changes words other than numbers and modal/hedge phrases."""

        def rest(tokens: list[str]) -> str:
            text = " ".join(t for t in _strip_marks(tokens, ch.at_start) if not self.is_numeric(t))
            for p in (*self.lex.strong, *self.lex.hedge):
                text = p.sub(" ", text)
            return squash(text)

        return rest(ch.removed) != rest(ch.added)

    # -- categories -------------------------------------------------------------------------

    def categories(self, texts: list[str], sections: list[str]) -> tuple[set[str], list[str]]:
        """Categories whose rules match the texts or the section paths, and why."""
        cats: set[str] = set()
        because: list[str] = []
        for rule in self.lex.rules:
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

    # -- the hunk ---------------------------------------------------------------------------

    def classify(self, region: Region) -> Hunk:
        """Classify one region into a Hunk (DESIGN "Classification" severity rules)."""
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
        if region.kind == "cosmetic" or (region.kind == "change" and not real):
            return Hunk(
                **base,
                signals=("cosmetic",),
                severity="none",
                because=("cosmetic: only case, punctuation, spacing, numbering or typo edits",),
                summary=f"cosmetic edit{_in(section)}",
            )

        cats, because = self.categories([old_text, new_text], sections)
        signals: set[str] = set()
        details: dict[str, str] = {}

        if region.kind == "moved":
            signals.add("moved")
            details["moved"] = f"{_quote(old_text)} moved"
            because.append("moved: the same sentence(s) deleted here and inserted elsewhere")
        elif not new:
            self._one_sided(old, "removed", "section_removed", signals, details, because)
        elif not old:
            self._one_sided(new, "added", "section_added", signals, details, because)
        else:
            self._modified(region, real, signals, details, because)

        categories = tuple(sorted(cats))
        if categories and signals & HIGH_SIGNALS:
            severity = "high"
        elif categories:
            severity = "medium"
        else:
            severity = "low"
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
        )

    def _one_sided(
        self,
        side: list[Sentence],
        signal: str,
        section_signal: str,
        signals: set[str],
        details: dict[str, str],
        because: list[str],
    ) -> None:
        """Whole sentences deleted or inserted: commitments and headings are what matter."""
        heads = [s for s in side if s.heading]
        if heads:
            signals.add(section_signal)
            details[section_signal] = _quote(heads[0].text)
            because.append(f"{section_signal}: heading '{heads[0].text}'")
        binding = [s for s in side if not s.heading and self.is_commitment(s.text)]
        if binding:
            signals.add(signal)
            details[signal] = _quote(binding[0].text)
            m = next(
                p.search(binding[0].text) for p in self.lex.commitment if p.search(binding[0].text)
            )
            because.append(f"{signal}: commitment sentence (binds with '{m.group(0)}')")

    def _modified(
        self,
        region: Region,
        real: list[Change],
        signals: set[str],
        details: dict[str, str],
        because: list[str],
    ) -> None:
        """Both sides present: numbers, modal shifts, whole commitments, other rewording."""
        old, new = region.old, region.new
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

        num = [ch for ch in real if self._numbers(ch.removed) != self._numbers(ch.added)]
        if num:
            ch = num[0]
            signals.add("numeric")
            details["numeric"] = f"{_quote(' '.join(ch.removed))} → {_quote(' '.join(ch.added))}"
            gone = sorted(self._numbers(ch.removed) - self._numbers(ch.added))
            come = sorted(self._numbers(ch.added) - self._numbers(ch.removed))
            because.append(f"numeric: {_words(gone)} → {_words(come)}")

        score, gone, come = self.modal_shift(real)
        if score:
            sig = "weakened" if score < 0 else "strengthened"
            signals.add(sig)
            details[sig] = f"{_words(gone)} → {_words(come)}"
            because.append(
                f"{sig}: lexicon [modals] {_words(gone)} → {_words(come)}"
            )

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

        for ch in real:
            if not self._other_words_changed(ch):
                continue
            touched = [old[i] for i in set(ch.old_sids) - gone_o] + [
                new[i] for i in set(ch.new_sids) - come_n
            ]
            if not ch.old_sids and old:
                touched.append(old[0])
            if any(not s.heading and self.is_commitment(s.text) for s in touched):
                signals.add("reworded")
                details["reworded"] = (
                    f"{_quote(' '.join(ch.removed))} → {_quote(' '.join(ch.added))}"
                )
                because.append(
                    f"reworded: commitment sentence words {_quote(' '.join(ch.removed), 6)} → "
                    f"{_quote(' '.join(ch.added), 6)}"
                )
                break

    def _numbers(self, tokens: list[str]) -> frozenset[str]:
        """Numbers among ``tokens``, footnote markers excluded."""
        stripped = [_FOOTNOTE.sub(r"\1\2", t) for t in tokens]
        return frozenset(squash(t) for t in stripped if self.is_numeric(t) and squash(t))


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
