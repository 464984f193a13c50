"""A material change to a commitment is high whatever its category: the coders' materiality
dimensions (scope, trigger, actor, disclosure, consequence) say what moved, and the lexicon's
categories only say what the commitment is about. A commitment reworded with nothing moved stays
below high, categorised or not."""

from __future__ import annotations

from differ.compare import compare

POLICY = ("## 4. Internal governance\n\n"
          "Staff may raise concerns about this policy through an anonymous channel.\n\n"
          "{sentence}\n\n"
          "## 5. Review\n\n"
          "This document describes how the company governs its work.\n")


def hunk(old_sentence: str, new_sentence: str):  # type: ignore[no-untyped-def]
    hunks = compare(POLICY.format(sentence=old_sentence),
                    POLICY.format(sentence=new_sentence)).hunks
    assert len(hunks) == 1
    return hunks[0]


def test_a_decision_turned_into_advice_in_a_governance_commitment_is_high() -> None:
    h = hunk("Any exception to these rules will be granted only with the approval of the "
             "General Counsel.",
             "Any exception to these rules will be granted only after consultation with the "
             "General Counsel.")
    assert h.severity == "high"
    assert any("actor" in b for b in h.because) and h.direction == "weakened"


def test_a_lengthened_retention_period_in_a_commitment_is_high() -> None:
    h = hunk("We will keep records of every access request for 10 years.",
             "We will keep records of every access request for 3 years.")
    assert h.severity == "high"
    assert any("high because" in b for b in h.because)


def test_an_uncategorised_commitment_reworded_with_nothing_moved_is_not_high() -> None:
    h = hunk("We will keep records of every access request for 10 years.",
             "For 10 years, we will retain records of every access request.")
    assert h.severity != "high"
