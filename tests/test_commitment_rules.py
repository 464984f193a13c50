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

## Outlook

By publishing this policy, we aim to set a common standard for the wider industry.
We aim to publish a summary of each capability report within a month of release.
As models grow more capable, so will the demand for stronger access controls.
As models grow more capable, we will tighten access controls at each tier.
We expect the upper tier will call for the strictest access controls.
We expect to review access controls for the upper tier every six months.

## Changes

This revision of the policy focuses on the safeguards we expect will be needed later.
Our rationale for this change is that the review is required for every upper tier model.
We will publish our rationale for every change to a threshold.
Risk assessment will necessarily involve evaluating general capabilities such as planning.
Risk assessment will involve outside evaluators for every upper-tier model.

## Landscape

To build a cyber weapon, a hostile actor must first find an unpatched system.
Enterprise customers must accept our usage policy before they get access.
To manage risk well, it is important to identify hazards in the places where models will be deployed.
Before release, it is essential to us that we will test every frontier model.
Understandably there are fewer ways to mitigate risks when weights are made available for download.
There are two reviews before each release, and we publish the outcome of both.
We will disclose each redaction in a report, though this will necessarily be brief.
As an innovator, the company is committed to developing systems that honour safety and security.

## History and limits

Our previous policy committed to publishing every evaluation result within a year.
The current policy commits to publishing every evaluation result within a month.
But we cannot commit to pausing development unilaterally.
We expect to meet every criterion above, although we cannot make guarantees.
Our goals provide the kind of pressure that we consider to be a past success of this policy.
For models near the upper tier we may consider an outside review of the safeguards.
Where export rules go beyond this policy, we will address them through separate documents.
We will address upper-tier misuse through separate safeguards for each release.

## Capability levels

Misuse: Critical Capability Levels Table 1: Misuse levels Misalignment: Table 2: Misalignment levels.
Cyber uplift level 1: The ability to substantially uplift a novice in building a cyber weapon.
"""

SUMMARISED = """# Model Safety Policy

## Executive Summary

We will run dangerous-capability evaluations on every frontier model before release.
We will notify the national safety institute of every upper-tier result.

## 3. Evaluations

Before release, we will run dangerous-capability evaluations on every frontier model.
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


def test_aspiration_about_the_field_is_not_a_commitment() -> None:
    assert not has("set a common standard")


def test_aim_at_an_own_practice_stays_a_commitment() -> None:
    assert has("We aim to publish a summary")


def test_as_so_will_forecast_is_not_a_commitment() -> None:
    assert not has("so will the demand")


def test_as_then_own_will_stays_a_commitment() -> None:
    assert has("we will tighten access controls")


def test_expecting_a_future_requirement_is_not_a_commitment() -> None:
    assert not has("will call for the strictest")


def test_expect_to_act_stays_an_intention() -> None:
    found = [c for c in extract_commitments(POLICY) if "review access controls" in c.text]
    assert found and found[0].strength == 3


def test_summary_sentence_restated_in_the_body_is_one_commitment() -> None:
    found = [c for c in extract_commitments(SUMMARISED) if "dangerous-capability" in c.text]
    assert [c.section.split(" > ")[-1] for c in found] == ["3. Evaluations"]


def test_summary_sentence_the_body_does_not_restate_stays() -> None:
    assert any("notify the national safety institute" in c.text
               for c in extract_commitments(SUMMARISED))


def test_description_of_the_revision_is_not_a_commitment() -> None:
    assert not has("This revision of the policy focuses")


def test_rationale_for_a_change_is_not_a_commitment() -> None:
    assert not has("Our rationale for this change")


def test_pledge_to_publish_a_rationale_stays_a_commitment() -> None:
    assert has("We will publish our rationale")


def test_what_a_task_necessarily_involves_is_not_a_commitment() -> None:
    assert not has("will necessarily involve")


def test_what_an_assessment_will_involve_stays_a_commitment() -> None:
    assert has("will involve outside evaluators")


def test_run_together_table_captions_are_not_a_definition() -> None:
    assert not has("Table 1: Misuse levels")


def test_level_definition_stays_a_commitment() -> None:
    assert has("Cyber uplift level 1: The ability to substantially uplift")


def test_what_an_adversary_must_do_is_not_a_commitment() -> None:
    assert not has("a hostile actor must first")


def test_what_the_author_requires_of_customers_stays_a_commitment() -> None:
    assert has("Enterprise customers must accept our usage policy")


def test_impersonal_maxim_is_not_a_commitment() -> None:
    assert not has("it is important to identify hazards")


def test_impersonal_frame_around_own_practice_stays_a_commitment() -> None:
    assert has("that we will test every frontier model")


def test_existential_description_is_not_a_commitment() -> None:
    assert not has("there are fewer ways to mitigate")


def test_existential_with_own_practice_stays_a_commitment() -> None:
    assert has("There are two reviews before each release")


def test_pledge_with_a_descriptive_aside_stays_a_commitment() -> None:
    assert has("We will disclose each redaction")


def test_pledge_to_values_named_as_security_is_not_a_commitment() -> None:
    assert not has("honour safety and security")


def test_what_an_earlier_version_promised_is_not_a_commitment() -> None:
    assert not has("Our previous policy committed")


def test_what_this_version_commits_to_stays_a_commitment() -> None:
    assert has("The current policy commits to publishing")


def test_disclaimer_of_a_commitment_is_not_a_commitment() -> None:
    assert not has("we cannot commit to pausing")


def test_intention_with_a_disclaimer_stays_an_intention() -> None:
    found = [c for c in extract_commitments(POLICY) if "meet every criterion" in c.text]
    assert found and found[0].strength == 3


def test_pointer_to_other_documents_is_not_a_commitment() -> None:
    assert not has("address them through separate documents")


def test_own_practice_through_separate_safeguards_stays_a_commitment() -> None:
    assert has("through separate safeguards")


def test_appraisal_the_author_considers_is_not_a_commitment() -> None:
    assert not has("that we consider to be a past success")


def test_author_may_consider_an_action_stays_a_commitment() -> None:
    assert has("we may consider an outside review")
