"""Keyword gates: they make the commitment reader cheaper and never change what it reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import differ.commitments as commitments
from differ.gate import Gated, fold, required_sets, required_words
from differ.segment import segment, strip_header


def _gates() -> list[Gated]:
    found = [v for v in vars(commitments).values() if isinstance(v, Gated)]
    return found + [g for _, union, rules in commitments._gated_unions() for g in (union, *rules)]


def _clear_caches() -> None:
    commitments._judge_sentence.cache_clear()
    commitments._section_reading.cache_clear()


def _corpus_texts(corpus: Path) -> dict[str, str]:
    return {p.name: strip_header(p.read_text(encoding="utf-8"))
            for p in sorted(corpus.glob("*.txt"))}


def test_required_words_are_the_literals_a_match_cannot_lack() -> None:
    assert required_words(r"\b(?:must|won['’]t)\b", re.IGNORECASE) == ("must", "won't", "won’t")


def test_a_keyword_inside_a_longer_one_stands_for_both() -> None:
    assert required_words(r"\b(?:commit|committed)\s+to\b") == ("commit",)


def test_every_word_set_a_pattern_requires_is_read() -> None:
    assert required_sets(r"\b(?:we|our\s+team)\s+(?:conduct|run)s?\b", re.IGNORECASE) == (
        ("team", "we"), ("conduct", "run"))


def test_gate_rules_out_a_sentence_that_lacks_one_of_the_required_words() -> None:
    gated = Gated(re.compile(r"\b(?:we|our\s+team)\s+(?:conduct|run)s?\b", re.IGNORECASE))
    assert not gated.possible(fold("We will publish the report."))
    assert gated.possible(fold("We conduct evaluations."))


def test_a_pattern_without_required_words_is_not_gated() -> None:
    assert required_words(r"\d+%|\bx\b") is None
    assert Gated(re.compile(r"\d+%")).possible("no digits here")


@pytest.mark.parametrize("text, pattern", [
    ("WİLL", r"\bwill\b"),      # dotted capital I: lowercases to "i" plus a combining dot
    ("wıll", r"\bwill\b"),      # dotless i
    ("ſhall", r"\bshall\b"),    # long s
    ("\u212aNOW", r"\bknow\b"),  # Kelvin sign
    ("WILL", r"\bwill\b"),
])
def test_gate_lets_through_every_spelling_case_insensitive_matching_accepts(
        text: str, pattern: str) -> None:
    compiled = re.compile(pattern, re.IGNORECASE)
    assert compiled.search(text)
    assert Gated(compiled).search(text, fold(text)) is not None


def test_a_gate_made_after_a_text_was_read_still_finds_its_words_in_it() -> None:
    text = "Zyxwvut reviews are held quarterly."
    assert not Gated(re.compile(r"\bqqqzz\b")).possible(fold(text))
    assert Gated(re.compile(r"\bzyxwvut\b", re.IGNORECASE)).possible(fold(text))


def test_a_keyword_beyond_letters_is_found_across_word_boundaries() -> None:
    gated = Gated(re.compile(r"\bthird[- ]part(?:y|ies)\b", re.IGNORECASE))
    assert gated.keys == ("third part", "third-part")
    assert gated.possible(fold("Third parties will review it."))
    assert not gated.possible(fold("A third of the parties will review it."))


def test_gate_rules_out_a_sentence_without_the_words() -> None:
    gated = Gated(re.compile(r"\b(?:will|must)\b", re.IGNORECASE))
    text = "Models are becoming more capable every year."
    assert not gated.possible(fold(text))


def test_no_gate_rules_out_a_corpus_sentence_its_pattern_matches(corpus: Path) -> None:
    gates = _gates()
    missed = []
    for name, text in _corpus_texts(corpus).items():
        for s in segment(text):
            for t in {s.text, commitments._clean(s.text)}:
                low = fold(t)
                for g in gates:
                    if g.pattern.search(t) and not g.possible(low):
                        missed.append((name, g.pattern.pattern[:40], t[:80]))
    assert not missed, missed[:5]


def test_gated_reading_of_the_corpus_equals_the_ungated_one(
        corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _corpus_texts(corpus)
    _clear_caches()
    gated = {name: [c.to_json() for c in commitments.extract_commitments(t)]
             for name, t in texts.items()}
    monkeypatch.setattr(Gated, "possible", lambda self, low: True)
    _clear_caches()
    try:
        plain = {name: [c.to_json() for c in commitments.extract_commitments(t)]
                 for name, t in texts.items()}
    finally:
        _clear_caches()
    assert sum(len(v) for v in plain.values()) > 1000
    for name in texts:
        assert gated[name] == plain[name], name


def test_the_list_lead_in_test_agrees_with_its_pattern_on_every_corpus_sentence(
        corpus: Path) -> None:
    texts = [commitments._clean(s.text) for t in _corpus_texts(corpus).values()
             for s in segment(t)]
    texts += ["WE COMMIT TO THE FOLLOWİNG MEASURES.", "Our procedure:"]
    disagree = [t for t in texts
                if commitments._opens_list(t) != bool(commitments._LEAD_IN.search(t))]
    assert not disagree, disagree[:5]
    assert commitments._opens_list("WE COMMIT TO THE FOLLOWİNG MEASURES.")


def test_a_sentences_own_categories_are_the_lexicons_on_every_corpus_sentence(
        corpus: Path) -> None:
    texts = {commitments._clean(s.text) for t in _corpus_texts(corpus).values()
             for s in segment(t)}
    disagree = [t for t in texts
                if commitments._own_categories(t, fold(t)) != commitments.text_categories(t)]
    assert not disagree, disagree[:5]
