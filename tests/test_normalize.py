"""Normalisation: re-renders of the same words must give byte-identical text."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crawler import normalize
from crawler.normalize import apply_ignore, normalize_text, rare_chars, tidy_lines


def test_curly_quotes_become_straight() -> None:
    assert normalize_text("\u201cwe will\u201d and it\u2019s") == '"we will" and it\'s\n'


@pytest.mark.parametrize("dash", ["\u2013", "\u2014", "\u2012", "\u2212"])
def test_every_dash_becomes_a_hyphen(dash: str) -> None:
    assert normalize_text(f"2023{dash}2024") == "2023-2024\n"


def test_zero_width_characters_and_soft_hyphens_are_removed() -> None:
    assert normalize_text("accoun\u00adtabil\u200bity\u200c\u200d\ufeff") == "accountability\n"


def test_a_zero_width_space_standing_for_a_space_separates_the_words() -> None:
    assert normalize_text("We\u200bwill\u200bshare results.") == "We will share results.\n"


def test_a_zero_width_space_between_words_the_text_uses_alone_is_a_space() -> None:
    text = "We publish the report.\nEach year we\u200bpublish it."
    assert normalize_text(text) == "We publish the report.\nEach year we publish it.\n"


def test_a_zero_width_space_inside_a_word_of_the_text_is_removed() -> None:
    text = "Accountability matters.\nWe value accountabil\u200bity."
    assert normalize_text(text) == "Accountability matters.\nWe value accountability.\n"


def test_a_zero_width_space_beside_a_space_or_punctuation_leaves_no_extra_space() -> None:
    assert normalize_text("we \u200bwill\u200b, then\u200b\nstop") == "we will, then\nstop\n"


def test_a_zero_width_space_in_a_script_without_spaces_is_removed() -> None:
    assert normalize_text("\u6771\u4eac\u200b\u5927\u5b66\u200b\u6771") == (
        "\u6771\u4eac\u5927\u5b66\u6771\n")


def test_a_zero_width_joiner_in_an_emoji_sequence_is_still_removed() -> None:
    assert normalize_text("\U0001f469\u200d\U0001f4bb team") == "\U0001f469\U0001f4bb team\n"


def test_non_breaking_and_other_unicode_spaces_become_plain_spaces() -> None:
    assert normalize_text("ASL-3\u00a0standard\u2009and\u202fmore") == "ASL-3 standard and more\n"


def test_nfkc_folds_ligatures() -> None:
    assert normalize_text("\ufb01ne-tuning") == "fine-tuning\n"


def test_whitespace_collapses_within_lines_and_trailing_spaces_go() -> None:
    assert normalize_text("  a \t  b   \nc   ") == "a b\nc\n"


def test_at_most_one_blank_line_between_blocks() -> None:
    assert normalize_text("\n\na\n\n\n\n  \nb\n\n") == "a\n\nb\n"


def test_empty_text_stays_empty() -> None:
    assert normalize_text(" \n\u200b\n ") == ""


def test_ignore_pattern_removes_volatile_date_and_its_empty_line() -> None:
    text = "# Policy\n\nLast updated March 3, 2025\n\nWe will evaluate.\n"
    assert apply_ignore(text, [r"Last updated [A-Za-z]+ \d+, \d{4}"]) == (
        "# Policy\n\nWe will evaluate.\n"
    )


def test_ignore_pattern_inside_a_line_leaves_no_double_space() -> None:
    assert apply_ignore("Viewed 1234 times today\n", [r"\d+ times"]) == "Viewed today\n"


def test_ignore_anchors_match_line_edges() -> None:
    assert apply_ignore("keep\nPage 3\nkeep too\n", [r"^Page \d+$"]) == "keep\n\nkeep too\n"


def test_invalid_ignore_pattern_names_the_pattern() -> None:
    with pytest.raises(ValueError, match=r"\(unclosed"):
        apply_ignore("x", ["(unclosed"])


@given(st.text())
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(st.text(alphabet=st.sampled_from(list("ab \t\u00a0\u2019\u2014\n\u200b"))))
def test_rendering_noise_never_survives(text: str) -> None:
    out = normalize_text(text)
    assert not set(out) & {"\t", "\u00a0", "\u2019", "\u2014", "\u200b"}
    assert "\n\n\n" not in out and " \n" not in out


# Every character Python splits words or lines on, and neighbours the fast paths must not miss.
_LAYOUT = st.sampled_from(
    [" ", "  ", "\t", "\n", "\n\n\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x85",
     "\xa0", "\u1680", "\u2003", "\u2028", "\u2029", "\u202f", "\u3000", "a", "Word", "\u00e9",
     "\u200b", "\u00ad", "\ufeff", "\u2011", "\u2019", "\ufb01", "e\u0301", "\x1b[2J", "\u4e00"])


def _tidy_reference(text: str) -> str:
    """The plain definition of tidy_lines: split lines, split words, one blank line at most."""
    out: list[str] = []
    for line in text.splitlines():
        words = line.split()
        if words or (out and out[-1]):
            out.append(" ".join(words))
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


# What extractors emit: single spaces inside lines, line ends of every kind, blank-line runs.
_COLLAPSED = st.sampled_from([" ", "\n", "\n\n\n", "\r", "\r\n", "a", "Word", "\u00e9", "\u2019"])


@given(st.lists(_LAYOUT, max_size=24).map("".join))
def test_tidy_lines_equals_splitting_every_line_into_words(text: str) -> None:
    assert tidy_lines(text) == _tidy_reference(text)


@given(st.lists(_COLLAPSED, max_size=24).map("".join))
@example("a\n Word")
@example(" a \r\n \r b \n\n\n\n")
def test_tidy_lines_equals_splitting_every_line_into_words_on_extractor_output(text: str) -> None:
    assert tidy_lines(text) == _tidy_reference(text)
    assert normalize_text(text) == _tidy_reference(text.replace("\u2019", "'"))


@given(st.lists(_LAYOUT, max_size=24).map("".join))
def test_normalised_text_is_tidy_whatever_whitespace_it_started_with(text: str) -> None:
    normalized = normalize_text(text)
    assert normalized == _tidy_reference(normalized)


def test_a_line_separator_left_by_nfkc_still_ends_a_line() -> None:
    assert normalize_text("we will\u2028publish \u2019it\u2019") == "we will\npublish 'it'\n"


def test_a_nbsp_run_on_an_otherwise_ascii_page_collapses_to_one_space() -> None:
    assert normalize_text("Level\u00a0\u00a03 model") == "Level 3 model\n"


def test_a_dash_that_only_nfkc_produces_is_still_folded() -> None:
    assert normalize_text("2024\ufe312025") == "2024-2025\n"  # vertical em dash -> em dash -> -


_COMMON = frozenset(map(chr, range(0x20, 0x7F))) | {"\t", "\n", "\r"}
_ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()))
_NOISY = st.text(alphabet=st.sampled_from(
    list("ab .\t\n\r\x00\x07\x0b\x0c\x1b[2J\x7f\x85\x9b\x9c\u00a0\u00e9\u2019\u2014\u200b\u2028"
         "\ufb01\ud800\U0001f600")))


@given(_ANY_TEXT)
@example("\ud800 lone surrogate \udfff")
def test_rare_chars_are_every_character_but_printable_ascii_and_common_whitespace(
        text: str) -> None:
    assert rare_chars(text) == "".join(c for c in text if c not in _COMMON)


def _regex_scan_normalize(text: str) -> str:
    """The reference: each pass scans the whole text with a regular expression."""
    text = _strip_controls_by_scan(text)
    if text.isascii():
        return normalize._tidy(text, ())
    found = set(re.findall("[^\x00-\x7f]", text))
    if not found.isdisjoint(normalize._INVISIBLE_CHARS):
        text = normalize._zero_width_spaces(normalize._INVISIBLE_BUT_ZWSP.sub("", text))
        text = normalize._INVISIBLE.sub("", text)
    normalized = unicodedata.normalize("NFKC", text)
    if normalized != text:
        found = set(re.findall("[^\x00-\x7f]", normalized))
    if not found.isdisjoint(normalize._FOLD_MAP):
        normalized = normalize._FOLD.sub(normalize._fold, normalized)
    return normalize._tidy(normalized, tuple(
        c for c in normalize._UNFOLDED_WHITESPACE if c in found))


def _strip_controls_by_scan(text: str) -> str:
    if not normalize._ANY_CONTROL.search(text):
        return text
    text = normalize._ESCAPES.sub("", text)
    return normalize._CONTROLS.sub("", normalize._LINE_CONTROLS.sub("\n", text))


@given(_NOISY)
@example("caf\u00e9\x85 ok\x9b31m red")
def test_normalising_by_the_rare_characters_equals_scanning_the_whole_text(text: str) -> None:
    assert normalize_text(text) == _regex_scan_normalize(text)


@given(_ANY_TEXT)
def test_normalising_any_text_by_the_rare_characters_equals_scanning_it(text: str) -> None:
    assert normalize_text(text) == _regex_scan_normalize(text)
