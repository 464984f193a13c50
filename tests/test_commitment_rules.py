"""Sentences with a modal that commit the author to no practice, and their near misses."""

from __future__ import annotations

from differ.commitments import extract_commitments

POLICY = """# Model Safety Policy

## Purpose

Across our work, we are committed to building useful technology responsibly and openly.
We are committed to running dangerous-capability evaluations before every external release.
Over the coming decade, we hope that our policy may inform how others write theirs.
We run evaluations every three months, as we believe early warning matters.
Upper tier: capabilities we think could arise soon, with the controls we commit to apply.

## Safeguards

The chart below illustrates sample safeguards we could adopt for a model at the upper tier.
The chart below lists the safeguards we will apply to every model at the upper tier.
Many releases share infrastructure, so in practice we may find that few need new safeguards.
We may commission an outside red team for models near the upper tier.
A rushed release could raise the overall risk and limit the extent to which we can respond.
A release could be paused where the results we can obtain are incomplete.
"""


def texts() -> list[str]:
    return [c.text for c in extract_commitments(POLICY)]


def has(fragment: str) -> bool:
    return any(fragment in t for t in texts())


def test_pledge_of_values_is_not_a_commitment() -> None:
    assert not has("building useful technology responsibly")


def test_pledge_naming_a_practice_stays_a_commitment() -> None:
    assert has("running dangerous-capability evaluations")


def test_hope_after_an_opening_phrase_is_not_a_commitment() -> None:
    assert not has("our policy may inform")


def test_belief_after_a_stated_practice_stays_a_commitment() -> None:
    assert has("We run evaluations every three months")


def test_belief_inside_a_definition_with_a_pledge_stays_a_commitment() -> None:
    assert has("the controls we commit to apply")


def test_description_of_illustrative_chart_is_not_a_commitment() -> None:
    assert not has("illustrates sample safeguards")


def test_chart_listing_what_the_author_will_apply_stays_a_commitment() -> None:
    assert has("lists the safeguards we will apply")


def test_forecast_of_what_the_author_may_find_is_not_a_commitment() -> None:
    assert not has("we may find that few need")


def test_author_may_do_something_stays_a_weak_commitment() -> None:
    found = [c for c in extract_commitments(POLICY) if "outside red team" in c.text]
    assert found and found[0].strength == 2


def test_weak_modal_only_in_a_relative_clause_is_not_a_commitment() -> None:
    assert not has("limit the extent to which we can respond")


def test_policy_object_that_may_be_acted_on_stays_a_commitment() -> None:
    assert has("A release could be paused")


def test_require_in_a_relative_clause_leaves_the_main_clause_modal() -> None:
    from differ.commitments import strength_of

    found = strength_of("If a rival lab ships first, then we could adjust the safeguards that we "
                        "require for the upper tier.")
    assert found == (2, "could")


def test_require_of_the_author_is_top_rung() -> None:
    from differ.commitments import strength_of

    assert strength_of("We require an outside review of every capability report.") == (4, "require")
