"""User regular expressions (`ignore`, `link_pattern`), run with a time bound.

A pattern such as ``(a|aa)+$`` backtracks exponentially on a line of a's followed by a "b". With
Python's ``re`` one such pattern in sources.toml hangs the run for ever, holding the GIL so that
the lease heartbeat stops too. The ``regex`` module (re-compatible syntax, V0 mode) takes a
``timeout`` and can release the GIL while it matches (``concurrent=True``), so a runaway pattern
fails its own source with ``pattern_timeout`` and nothing else waits for it. Config validation
compiles with this same engine, so `sources check` and `run` accept the same patterns.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

#: seconds one pattern may spend on one document (ordinary patterns take milliseconds)
PATTERN_TIMEOUT = 1.0


class PatternTimeout(Exception):
    """A user pattern ran longer than its time bound; names the pattern."""

    def __init__(self, pattern: str, seconds: float, role: str = "pattern") -> None:
        self.pattern = pattern
        super().__init__(f"{role} {pattern!r} ran longer than {seconds:g} s on this document "
                         "(catastrophic backtracking: rewrite it without nested repetition)")


@lru_cache(maxsize=256)
def compile_pattern(pattern: str, multiline: bool = False) -> regex.Pattern[str]:
    """Compile with the engine that will run it. Raises ValueError naming the problem."""
    import regex  # ≈ 10 ms to import: only configs and sources that have patterns pay it

    try:
        return regex.compile(pattern, regex.V0 | (regex.MULTILINE if multiline else 0))
    except (regex.error, OverflowError, RecursionError, ValueError) as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None


def sub_bounded(pattern: str, text: str, *, multiline: bool = True,
                timeout: float = PATTERN_TIMEOUT, role: str = "ignore pattern") -> str:
    """Delete every match of `pattern` in `text`, or raise PatternTimeout."""
    try:
        return compile_pattern(pattern, multiline).sub("", text, timeout=timeout, concurrent=True)
    except TimeoutError:
        raise PatternTimeout(pattern, timeout, role) from None


def search_bounded(pattern: str, text: str, *, timeout: float = PATTERN_TIMEOUT,
                   role: str = "link_pattern") -> bool:
    try:
        return compile_pattern(pattern).search(text, timeout=timeout, concurrent=True) is not None
    except TimeoutError:
        raise PatternTimeout(pattern, timeout, role) from None


# A group that repeats something repeated: "(a+)+", "(\w+\s?)*", "(a|aa)+", "(?:x*y*)+".
_NESTED = re.compile(r"\((?:\?:)?(?:[^()\\]|\\.)*(?:[+*]|\{\d*,\}|\|)(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\})")


def backtracking_risk(pattern: str) -> str | None:
    """A warning when the pattern has the shape of catastrophic backtracking, else None.

    A heuristic (nested or alternated repetition); the time bound is what actually protects
    the run, this only tells the author early."""
    if _NESTED.search(pattern):
        return ("nested repetition may backtrack catastrophically; it will fail its source "
                f"with pattern_timeout if it runs longer than {PATTERN_TIMEOUT:g} s")
    return None
