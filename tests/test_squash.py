"""Squashing, the differ's notion of "the same words": its byte-deleting fast path for ASCII
gives exactly what the regular expressions that define it give, on any text."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from differ.classify import _firm_squash
from differ.segment import normalize_chars, squash, squash_text

NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
NOT_FIRM = re.compile(r"[^\w+%<>=$≥≤×~]+|_", re.UNICODE)

ascii_text = st.text(alphabet=st.characters(max_codepoint=127))


@settings(max_examples=400)
@given(st.one_of(ascii_text, st.text()))
def test_squash_keeps_lowercase_letters_and_digits_only(text: str) -> None:
    assert squash(text) == NON_ALNUM.sub("", normalize_chars(text).lower())


@settings(max_examples=400)
@given(st.one_of(ascii_text, st.text()))
def test_squash_text_is_squash_without_the_quote_mapping(text: str) -> None:
    folded = text if text.isascii() else unicodedata.normalize("NFKC", text)
    assert squash_text(text) == NON_ALNUM.sub("", folded.lower())


@settings(max_examples=400)
@given(st.one_of(ascii_text, st.text()))
def test_firm_squash_also_keeps_the_symbols_of_quantities_and_levels(text: str) -> None:
    assert _firm_squash(text) == NOT_FIRM.sub("", normalize_chars(text).lower())


def test_firm_squash_tells_a_level_suffix_and_a_percentage_apart() -> None:
    assert _firm_squash("Level 2+ (<1 %)") == "level2+<1%"
    assert squash("Level 2+ (<1 %)") == "level21"
    assert _firm_squash("ASL\u20113 \u2265 2\u00d7") == "asl3≥2×"


@settings(max_examples=400)
@given(st.text())
def test_collapsing_whitespace_with_split_matches_the_regular_expression(text: str) -> None:
    """The segmenter collapses whitespace with ``str.split``: the same characters as ``\\s``."""
    assert " ".join(text.split()) == re.sub(r"\s+", " ", text).strip()
    assert "".join(text.split()) == re.sub(r"\s+", "", text)
