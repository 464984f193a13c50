"""A commitment deleted in one place and restated in other words in another is one rewording.

The alignment pairs sentences only inside one changed run of the document, so a commitment that
moves to another section and is reworded on the way shows as a removal there and an addition
here. The coders trace it to its counterpart (relocation and rewording do not break
correspondence) and code it retained unless a materiality dimension moved: neither half is a
high alert then. When the restatement moves the modal, a quantity or an actor's say, both halves
stay high.
"""

from __future__ import annotations

from differ.compare import compare

KEPT = "We will evaluate every frontier model for cyber risks before deployment."
OTHER = ("## 2. Governance\n\n"
         "Our Chief Security Officer will approve each deployment of a frontier model.\n\n"
         "We will publish the evaluation results for each model we deploy.")
LOGS = "We will retain the evaluation logs of each model for two years."


def document(first: str, last: str = "") -> str:
    return (f"## 1. Evaluations\n\n{KEPT}\n\n{first}\n\n{OTHER}\n\n{last}\n").replace(
        "\n\n\n\n", "\n\n")


def severities(old: str, new: str) -> list[str]:
    return [h.severity for h in compare(old, new).hunks]


def test_a_commitment_moved_to_another_section_in_other_words_is_not_high() -> None:
    old = document(LOGS)
    new = document("", "For two years, we will keep the evaluation logs of every model.")
    hunks = compare(old, new).hunks
    assert len(hunks) == 2
    assert "high" not in [h.severity for h in hunks]


def test_a_restated_commitment_says_what_it_restates() -> None:
    old = document(LOGS)
    new = document("", "For two years, we will keep the evaluation logs of every model.")
    added = next(h for h in compare(old, new).hunks if h.new)
    assert added.direction == ""
    assert any("restates" in b and "retain the evaluation logs" in b for b in added.because)


def test_a_moved_commitment_restated_with_a_weaker_modal_stays_high() -> None:
    old = document(LOGS)
    new = document("", "For two years, we may keep the evaluation logs of every model.")
    assert severities(old, new) == ["high", "high"]


def test_a_moved_commitment_restated_with_another_quantity_stays_high() -> None:
    old = document(LOGS)
    new = document("", "For one year, we will keep the evaluation logs of every model.")
    assert severities(old, new) == ["high", "high"]


def test_a_moved_commitment_giving_a_consulted_body_the_decision_stays_high() -> None:
    old = document("In consultation with the Board and the LTBT, we will select the external "
                   "evaluators of each model.")
    new = document("", "In selecting the external evaluators of each model, we will consult "
                       "the Board and obtain the approval of the LTBT.")
    assert severities(old, new) == ["high", "high"]


def test_a_removed_commitment_beside_an_unrelated_new_one_both_stay_high() -> None:
    old = document(LOGS)
    new = document("", "We will notify the government of any cyber incident within one day.")
    assert severities(old, new) == ["high", "high"]


def test_a_restated_commitment_removed_with_a_dropped_option_beside_it_stays_high() -> None:
    # The second sentence binds no one by its words, yet it is what the new version dropped.
    old = document(LOGS + " If logs are lost, the response plan may involve pausing the "
                          "deployment of that model.")
    new = document("", "For two years, we will keep the evaluation logs of every model.")
    assert compare(old, new).hunks[0].severity == "high"


def test_a_moved_commitment_restated_with_a_weaker_modal_reads_as_weakened_not_removed() -> None:
    old = document(LOGS)
    new = document("", "For two years, we may keep the evaluation logs of every model.")
    for hunk in compare(old, new).hunks:
        (line,) = [b for b in hunk.because if b.startswith("high because ")]
        assert hunk.direction == "weakened" and "4 obligation strength" in line


def test_a_moved_commitment_giving_a_consulted_body_the_decision_reads_as_strengthened() -> None:
    old = document("In consultation with the Board and the LTBT, we will select the external "
                   "evaluators of each model.")
    new = document("", "In selecting the external evaluators of each model, we will consult "
                       "the Board and obtain the approval of the LTBT.")
    for hunk in compare(old, new).hunks:
        assert hunk.direction == "strengthened"
        assert any("3 actor" in b for b in hunk.because if b.startswith("high because "))
