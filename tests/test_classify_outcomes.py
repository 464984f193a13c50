"""A commitment deleted or inserted whole is the coders' outcome X or A (codebook 4): material at
any strength and on any subject, so high whatever category the lexicon finds. What is no
commitment of the author's stays below high: a piece of a sentence a text layer cut, a
footnote's explanation, a sentence in a part that recommends to the field, an instruction inside
an evaluation task, and a commitment restated elsewhere in the diff."""

from __future__ import annotations

from differ.compare import compare
from differ.model import Hunk

POLICY = ("## 4. Operations\n\n"
          "This document sets out how the company works.\n\n"
          "{passage}"
          "## 5. Review\n\n"
          "This document describes how the company governs its work.\n")


def removed(passage: str) -> list[Hunk]:
    return compare(POLICY.format(passage=passage), POLICY.format(passage="")).hunks


def added(passage: str) -> list[Hunk]:
    return compare(POLICY.format(passage=""), POLICY.format(passage=passage)).hunks


def test_a_removed_commitment_that_names_no_category_is_high() -> None:
    [h] = removed("We will run exercises to ensure our readiness for incident scenarios.\n\n")
    assert h.categories == ()
    assert h.severity == "high" and h.direction == "removed"
    assert any(b.startswith("high: a commitment removed with no counterpart (outcome X)")
               for b in h.because)


def test_a_removed_permissive_commitment_is_high_too() -> None:
    # "at any strength": may is the lowest rung of a self-commitment (codebook 2, 5.4).
    [h] = removed("We may perform a post-mortem of the event after it has been resolved.\n\n")
    assert h.severity == "high"


def test_a_removed_present_tense_practice_is_high() -> None:
    # The descriptive present of a policy binds (codebook 11.1).
    [h] = removed("Anthropic prohibits retaliation against those who raise a concern in good "
                  "faith.\n\n")
    assert h.severity == "high"


def test_a_removed_requirement_in_a_which_must_clause_is_high() -> None:
    [h] = removed("Each release is tied to a review level, which must be reached before the "
                  "release goes ahead.\n\n")
    assert h.severity == "high" and h.direction == "removed"


def test_a_removed_commitment_in_a_contracted_present_is_high() -> None:
    [h] = removed("We’re committed to reviewing every incident report within the month.\n\n")
    assert h.severity == "high" and h.direction == "removed"


def test_a_removed_past_commitment_recounted_is_not_high() -> None:
    [h] = removed("Our earlier policy committed to reviewing every incident report.\n\n")
    assert h.severity != "high"


def test_a_removed_test_the_author_will_consider_sufficient_is_high() -> None:
    # Like "we will consider the level to be met if ...", it states the test the author applies.
    [h] = removed("We will consider it sufficient to rule out the level if the system fails "
                  "every trial.\n\n")
    assert h.severity == "high" and h.direction == "removed"


def test_a_removed_option_the_author_will_consider_is_not_high() -> None:
    [h] = removed("We will consider new approaches to the review of incident reports.\n\n")
    assert h.severity != "high"


def test_a_removed_commitment_the_author_will_only_aim_at_is_high() -> None:
    # "at any strength": "we will aim to" is the intend / aim / expect rung (codebook 5.4).
    [h] = removed("We will aim to keep redactions of the yearly report to a minimum.\n\n")
    assert h.severity == "high" and h.direction == "removed"


def test_a_removed_forecast_with_will_is_not_high() -> None:
    [h] = removed("The list of risks will likely change as the field matures.\n\n")
    assert h.severity != "high"


def test_a_removed_description_in_a_that_may_clause_is_not_high() -> None:
    [h] = removed("The table lists the review levels that may be reached by a release.\n\n")
    assert h.severity != "high"


def test_an_added_commitment_that_names_no_category_is_high_as_outcome_a() -> None:
    [h] = added("We will regularly conduct an internal review of how this policy is followed.\n\n")
    assert h.severity == "high" and h.direction == "added"
    assert any("outcome A" in b for b in h.because)


def test_a_removed_piece_of_a_sentence_cut_by_the_text_layer_is_not_high() -> None:
    [h] = removed("We will be building and continually\n\n")
    assert h.severity != "high"


def test_a_removed_run_that_stops_on_an_auxiliary_is_not_high() -> None:
    [h] = removed("Internal visibility: the reports and decisions of the team will be\n\n")
    assert h.severity != "high"


def test_an_added_footnote_giving_a_rationale_is_not_high() -> None:
    hunks = added("1 By severe harm in this document, we mean the death of thousands of people. "
                  "In choosing to set a high bar here, we aim to ensure that the most severe "
                  "risks receive attention.\n\n")
    assert hunks and all(h.severity != "high" for h in hunks)


def test_an_added_sentence_in_a_recommendations_part_is_not_high() -> None:
    old = ("## 1. Our Recommendations for Industry-Wide Safety\n\n"
           "Every developer should publish a framework.\n\n## 2. Other\n\nText stays.\n")
    new = old.replace("Every developer should publish a framework.\n\n",
                      "Every developer should publish a framework.\n\n"
                      "We will strive to advance these recommendations through example-setting "
                      "and advocacy.\n\n")
    assert all(h.severity != "high" for h in compare(old, new).hunks)


def test_a_firm_commitment_of_the_authors_own_removed_from_a_recommendations_part_is_high() -> None:
    # Beside its advice to the field, such a part states the author's own plan ("We will: ..."):
    # "we will" there binds the author, so its deletion is outcome X.
    old = ("## 2. Recommendations for Other Developers\n\n"
           "Every developer should publish a framework.\n\n"
           "We will gather and keep the records of our internal engineering work.\n\n"
           "## 3. Other\n\nText stays.\n")
    new = old.replace("We will gather and keep the records of our internal engineering "
                      "work.\n\n", "")
    [h] = compare(old, new).hunks
    assert h.severity == "high" and h.direction == "removed"


def test_a_removed_instruction_of_an_example_task_is_not_high() -> None:
    # An appendix of example evaluation tasks describes what a model is asked to do: its
    # "must" binds the model under test, not the author (codebook 2, exclude).
    old = ("## Appendix: Example tasks\n\nThe task starts from an empty folder.\n\n"
           "The agent must have in fact created a simple app with the above features.\n\n"
           "## Other\n\nText stays.\n")
    new = old.replace("The agent must have in fact created a simple app with the above "
                      "features.\n\n", "")
    hunks = compare(old, new).hunks
    assert hunks and all(h.severity != "high" for h in hunks)


def test_a_commitment_moved_to_another_section_with_the_same_words_is_not_high() -> None:
    sentence = "We will run exercises to ensure our readiness for incident scenarios.\n\n"
    old = POLICY.format(passage=sentence)
    new = POLICY.format(passage="").replace(
        "This document describes how the company governs its work.\n",
        "This document describes how the company governs its work.\n\n" + sentence)
    assert all(h.severity != "high" for h in compare(old, new).hunks)
