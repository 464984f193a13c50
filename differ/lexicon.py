"""The reviewed lexicon (``lexicon.toml``), parsed once: the category rules, the modals and the
commitment patterns the classifier and the commitment reader both read."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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


@lru_cache(maxsize=4)
def category_unions(lexicon: Lexicon) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One alternation per category: the same rules, one search per category instead of one per
    pattern (whether a category matches is all :func:`text_categories` needs)."""
    by_cat: dict[str, list[str]] = {}
    for rule in lexicon.rules:
        by_cat.setdefault(rule.category, []).extend(p.pattern for p in rule.patterns)
    return tuple((cat, re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE))
                 for cat, pats in by_cat.items())


def text_categories(texts: list[str], lexicon: Lexicon | None = None) -> set[str]:
    """Categories whose rules match ``texts`` themselves (no section path)."""
    unions = category_unions(lexicon or load_lexicon())
    return {cat for cat, union in unions if any(union.search(t) for t in texts)}
