"""The diff: which regions change, where they are, and what a hunk holds."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from differ import SEVERITIES, DiffResult, Hunk
from differ.compare import compare
from differ.segment import segment

DOC = """# Policy

## 4 Capability

### 4.2 Capability Thresholds

We will evaluate every model before deployment. The results go to the board.
We keep records of each evaluation.

## 5 Security

We will protect model weights from theft.
"""


def test_identical_texts_have_no_hunks_and_severity_none() -> None:
    result = compare(DOC, DOC)
    assert result.hunks == ()
    assert result.severity == "none"
    assert result.signals == ()


def test_whitespace_only_difference_yields_no_hunk_but_says_cosmetic() -> None:
    result = compare(DOC, DOC.replace("evaluate every", "evaluate   every").replace("\n\n", "\n\n\n"))
    assert result.hunks == ()
    assert result.signals == ("cosmetic",)
    assert result.severity == "none"


def test_hunk_holds_the_whole_sentence_not_a_fragment() -> None:
    new = DOC.replace("every model", "each model")
    (hunk,) = compare(DOC, new).hunks
    assert hunk.old == "We will evaluate every model before deployment."
    assert hunk.new == "We will evaluate each model before deployment."
    assert hunk.removed == ("every",)
    assert hunk.added == ("each",)


def test_spans_point_at_the_sentences_in_the_original_texts() -> None:
    new = DOC.replace("every model", "each model")
    (hunk,) = compare(DOC, new).hunks
    assert DOC[hunk.old_span[0] : hunk.old_span[1]] == hunk.old
    assert new[hunk.new_span[0] : hunk.new_span[1]] == hunk.new


def test_section_path_is_the_chain_of_headings_above_the_hunk() -> None:
    (hunk,) = compare(DOC, DOC.replace("the board", "the Board of Directors")).hunks
    assert hunk.section == "Policy > 4 Capability > 4.2 Capability Thresholds"


def test_numbered_plain_line_headings_nest_by_their_numbering() -> None:
    text = "4 Capability\n\n4.2 Capability Thresholds\n\nWe will test models.\n"
    sentences = segment(text)
    assert sentences[-1].section == ("4 Capability", "4.2 Capability Thresholds")


def test_split_number_heading_lines_are_joined_to_their_title() -> None:
    text = "## 3.\n\n## Capability Assessment\n\n## 3.1.\n\n## Preliminary Assessment\n\nWe test.\n"
    assert segment(text)[-1].section == ("3. Capability Assessment", "3.1. Preliminary Assessment")


def test_pure_insertion_has_an_empty_old_side() -> None:
    new = DOC.replace(
        "We keep records of each evaluation.\n",
        "We keep records of each evaluation.\n\nWe will also publish a summary.\n",
    )
    (hunk,) = compare(DOC, new).hunks
    assert hunk.old == ""
    assert hunk.new == "We will also publish a summary."


def test_pure_deletion_has_an_empty_new_side() -> None:
    new = DOC.replace("We will protect model weights from theft.\n", "")
    (hunk,) = compare(DOC, new).hunks
    assert hunk.new == ""
    assert hunk.old == "We will protect model weights from theft."


def test_two_separate_edits_make_two_hunks() -> None:
    new = DOC.replace("every model", "each model").replace("from theft", "from all theft")
    assert len(compare(DOC, new).hunks) == 2


def test_relocated_block_is_one_moved_hunk_not_removal_plus_addition() -> None:
    old = "Intro.\n\n## A\n\nWe will secure model weights against theft.\n\n## B\n\nThe sky is blue today.\n"
    new = "Intro.\n\n## B\n\nThe sky is blue today.\n\n## A\n\nWe will secure model weights against theft.\n"
    result = compare(old, new)
    assert [h.signals for h in result.hunks] == [("moved",)]
    assert "removed" not in result.signals


def test_page_markers_and_running_footers_are_layout_not_content() -> None:
    body = [f"Sentence number {w} of the policy text." for w in "abcdefghij"]
    old = "\n".join(["[[page 1]]", *body[:5], "Policy, Acme", "1", "", "[[page 2]]", *body[5:],
                     "Policy, Acme", "2", "", "[[page 3]]", "End.", "Policy, Acme", "3"])
    new = "\n".join(["[[page 1]]", *body[:3], "Policy, Acme", "1", "", "[[page 2]]", *body[3:],
                     "Policy, Acme", "2", "", "[[page 3]]", "End.", "Policy, Acme", "3"])
    assert compare(old, new).hunks == ()


def test_sentence_broken_by_a_page_break_is_still_one_sentence() -> None:
    text = (
        "[[page 1]]\nIntro.\nFooter line\n1\n\n[[page 2]]\nWe will evaluate the\nFooter line\n2\n\n"
        "[[page 3]]\n\nmodel carefully. Next one.\nFooter line\n3\n"
    )
    texts = [s.text for s in segment(text)]
    assert "We will evaluate the model carefully." in texts


def test_words_run_together_by_a_pdf_text_layer_are_not_a_change() -> None:
    old = "We will notify a relevant U.S. Government entity. Changes are approved by the Board."
    new = "We will notify a relevantU.S. Government entity.Changes are approved bythe Board."
    result = compare(old, new)
    assert result.severity == "none"


def test_to_json_has_exactly_the_design_keys() -> None:
    data = compare(DOC, DOC.replace("every model", "each model")).to_json()
    assert set(data) == {"severity", "direction", "categories", "seoul", "signals", "summary",
                         "hunks"}
    assert {"section", "old", "new", "categories", "signals", "severity"} <= set(data["hunks"][0])


def test_from_json_rebuilds_an_equal_result_through_real_json() -> None:
    result = compare(DOC, DOC.replace("will protect", "may protect"))
    again = DiffResult.from_json(json.loads(json.dumps(result.to_json())))
    assert again == result
    assert isinstance(again.hunks[0], Hunk)


def test_change_severity_is_the_highest_hunk_severity() -> None:
    new = DOC.replace("will protect", "may protect").replace("keep records", "keep notes")
    result = compare(DOC, new)
    assert result.severity == max((h.severity for h in result.hunks), key=SEVERITIES.index)


_words = st.lists(st.sampled_from(["we", "will", "may", "test", "models", "publish", "ASL-3"]),
                  min_size=1, max_size=8)
_docs = st.lists(_words.map(lambda ws: " ".join(ws).capitalize() + "."), max_size=12).map(
    lambda ss: "\n\n".join(ss)
)


@settings(max_examples=60, deadline=None)
@given(_docs, _docs)
def test_compare_is_deterministic_and_spans_stay_inside_the_texts(old: str, new: str) -> None:
    first, second = compare(old, new), compare(old, new)
    assert first == second
    for h in first.hunks:
        assert 0 <= h.old_span[0] <= h.old_span[1] <= len(old)
        assert 0 <= h.new_span[0] <= h.new_span[1] <= len(new)
        assert h.severity in SEVERITIES


@settings(max_examples=60, deadline=None)
@given(_docs)
def test_a_text_compared_with_itself_reflowed_has_no_substantive_hunk(text: str) -> None:
    reflowed = text.replace(" ", "\n").replace("\n\n", "\n\n\n")
    assert all(h.severity == "none" for h in compare(text, reflowed).hunks)


def test_unrelated_replacement_paragraphs_are_not_paired() -> None:
    old = ("# Policy\n\nIntro stays.\n\nWe will notify the AI Safety Institute before every external "
           "deployment of a frontier model and share our evaluation results with them.\n\nEnd stays.\n")
    new = ("# Policy\n\nIntro stays.\n\nOur board appoints a Responsible Scaling Officer who reviews "
           "compliance annually and reports noncompliance incidents to staff.\n\nEnd stays.\n")
    hunks = compare(old, new).hunks
    assert len(hunks) == 2
    assert {(bool(h.old), bool(h.new)) for h in hunks} == {(True, False), (False, True)}


TABLE = ("## 3. Capability thresholds\n\nThe table lists each threshold.\n\n"
         "Level | Threshold | Response\n"
         "Level: CBRN-3 | Threshold: Uplift above 15% of the baseline. Measured by trial. | "
         "Response: Pause deployment. Notify the board within 3 days.\n"
         "Level: Cyber-2 | Threshold: 30% | Response: Notify the board\n")


def test_each_table_row_is_one_sentence_however_many_sentences_its_cells_hold() -> None:
    rows = [s.text for s in segment(TABLE) if " | " in s.text]
    assert rows == TABLE.split("\n\n")[2].splitlines()


def test_a_changed_cell_late_in_a_row_is_shown_with_the_row_it_belongs_to() -> None:
    hunk = [h for h in compare(TABLE, TABLE.replace("3 days", "7 days")).hunks][0]
    assert hunk.old.startswith("Level: CBRN-3 |") and hunk.old.endswith("within 3 days.")
    assert hunk.new.endswith("within 7 days.")
    assert hunk.severity == "high"


def test_a_bare_threshold_cell_changed_is_a_high_threshold_change_of_that_row_only() -> None:
    hunks = compare(TABLE, TABLE.replace("Threshold: 30%", "Threshold: 45%")).hunks
    assert len(hunks) == 1
    assert hunks[0].old == "Level: Cyber-2 | Threshold: 30% | Response: Notify the board"
    assert hunks[0].severity == "high" and "thresholds" in hunks[0].categories


def _passage(*paragraphs: str) -> str:
    return "# Safety\n\nIntro stays.\n\n" + "\n\n".join(paragraphs) + "\n\nEnd stays.\n"


def test_a_rewritten_passage_pairs_only_the_sentences_that_were_edited() -> None:
    old = _passage(
        "We will notify the AI Safety Institute before every external deployment of a frontier "
        "model.",
        "The board appoints a Responsible Scaling Officer who reviews compliance every year.",
        "We will publish a capability report for every frontier model within thirty days.",
        "Staff may report noncompliance anonymously to the compliance team.",
        "Model weights are stored in a secure facility with two-person access controls.",
        "We will run red-teaming exercises on each model before release to customers.")
    new = _passage(
        "Our research team studies interpretability methods for large language models.",
        "We will publish a capability report for every frontier model within sixty days.",
        "Customers can request access to the API through our sales organisation.",
        "We sponsor academic fellowships in machine learning safety each year.",
        "We will run red-teaming exercises on each model before release to customers and "
        "partners.",
        "The company hosts an annual conference about responsible technology.")
    hunks = compare(old, new).hunks
    edited = [h for h in hunks if h.old and h.new]
    assert [(h.old.split()[2], h.new.split()[2]) for h in edited] == [("publish", "publish"),
                                                                      ("run", "run")]
    assert "thirty" in edited[0].old and "sixty" in edited[0].new
    assert "Safety Institute" not in edited[0].old
    assert any(h.old.startswith("We will notify the AI Safety Institute") and not h.new
               for h in hunks)


def test_sentences_merged_into_one_are_still_read_as_an_edit_not_a_removal() -> None:
    old = _passage("We will evaluate every frontier model before deployment.",
                   "We will publish the results of each evaluation within thirty days.",
                   "The board reviews this policy every year and may amend it.")
    new = _passage("We will evaluate every frontier model before deployment and will publish "
                   "the results of each evaluation within thirty days.",
                   "The board reviews this policy every year and may amend it.")
    hunks = compare(old, new).hunks
    assert hunks and all(h.old and h.new for h in hunks)


def test_a_short_sentence_moved_verbatim_to_another_section_is_moved() -> None:
    old = ("# Policy\n\n## Evaluations\n\nWe test models.\n\nThe board reviews this policy every "
           "year.\n\n## Governance\n\nStaff may report noncompliance anonymously.\n")
    new = ("# Policy\n\n## Evaluations\n\nThe board reviews this policy every year.\n\n"
           "## Governance\n\nWe test models.\n\nStaff may report noncompliance anonymously.\n")
    assert [h.signals for h in compare(old, new).hunks] == [("moved",)]


def test_a_short_line_that_recurs_is_not_paired_as_a_move() -> None:
    old = "Version 1.0\n\nWe will test models.\n\nVersion 1.0\n\nThe board reviews it.\n"
    new = "We will test models.\n\nVersion 1.0\n\nThe board reviews it.\n"
    assert all("moved" not in h.signals for h in compare(old, new).hunks)
