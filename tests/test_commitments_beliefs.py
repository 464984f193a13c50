"""Beliefs in commitment extraction: a belief states no commitment, but one that gives the
reason for a commitment ("Because we believe X, we will Y") leaves that commitment standing."""

from __future__ import annotations

from differ.commitments import extract_commitments

POLICY = """# Safety Policy

## 2. Evaluations

Because we believe frontier models may pose severe risks, we will evaluate every model before deployment.

Since we believe outside scrutiny matters, our safety team publishes each evaluation report.

Because we believe this, we think the field will change quickly.

We believe that stronger safeguards will be needed within two years.

Because we believe capabilities will grow, models will become harder to evaluate.
"""


def texts() -> str:
    return " | ".join(c.text for c in extract_commitments(POLICY))


def test_a_belief_that_motivates_a_commitment_leaves_the_commitment() -> None:
    (c,) = [c for c in extract_commitments(POLICY) if "evaluate every model" in c.text]
    assert c.strength == 4 and c.strength_word == "will"


def test_a_motivated_present_tense_practice_is_a_commitment() -> None:
    assert "publishes each evaluation report" in texts()


def test_a_belief_whose_main_clause_is_another_belief_commits_to_nothing() -> None:
    assert "field will change" not in texts()


def test_a_belief_stated_on_its_own_commits_to_nothing() -> None:
    assert "stronger safeguards will be needed" not in texts()


def test_a_belief_followed_by_a_forecast_about_the_world_commits_to_nothing() -> None:
    assert "harder to evaluate" not in texts()
