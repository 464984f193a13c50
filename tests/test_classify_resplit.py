"""A sentence whose words stand in both versions is not a change, however the text is split.

A PDF text layer cuts a sentence at a page break or a table in one version and joins it in the
next; the diff then sees a deleted piece and an inserted sentence. Squashed (letters and digits
only) the words are the same on both sides, in order, so nothing a reader relies on moved. A
word dropped or added where the pieces meet is still a change.
"""

from __future__ import annotations

from differ.compare import compare

HEAD = (
    "## 3. Capability Thresholds\n\n"
    "We will evaluate every frontier model for autonomy risks before deployment.\n\n"
)
TAIL = "\n\nWe will publish the evaluation results for each model we deploy.\n"
TABLE = "\n\n[[page 4]]\n\nThreshold\n\nMitigations—our plan as a company\n\n"
START = (
    "We will consider the autonomy threshold to be met if our models could fully\n"
    "replace our entire team of research engineers, at competitive costs"
)
REST = "(i.e., within a factor of 5), or if the pace of AI progress doubles."


def severities(old: str, new: str) -> list[str]:
    return [h.severity for h in compare(HEAD + old + TAIL, HEAD + new + TAIL).hunks]


def test_a_commitment_cut_by_a_table_in_one_version_and_joined_in_the_next_is_not_high() -> None:
    old = START + TABLE + REST
    new = START + "\n" + REST + TABLE.rstrip()
    assert "high" not in severities(old, new)


def test_a_commitment_joined_in_one_version_and_cut_in_the_next_is_not_high() -> None:
    old = START + "\n" + REST + TABLE.rstrip()
    new = START + TABLE + REST
    assert "high" not in severities(old, new)


def test_a_negation_dropped_where_the_pieces_meet_is_still_high() -> None:
    old = START + TABLE + "unless we see no sign of it " + REST
    new = START + "\n" + REST + TABLE.rstrip()
    assert "high" in severities(old, new)


def test_a_condition_dropped_where_the_text_is_cut_is_still_high() -> None:
    old = START + " and it can act without oversight for a week " + REST + TABLE.rstrip()
    new = START + TABLE + REST
    assert "high" in severities(old, new)
