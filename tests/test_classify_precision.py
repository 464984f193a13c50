"""What is not a material change never comes out high: PDF joins, glyph variants, descriptions."""

from __future__ import annotations

from differ.compare import compare
from differ.materiality import judge


def severities(old: str, new: str) -> list[str]:
    return [h.severity for h in compare(old, new).hunks]


# --- text-layer noise --------------------------------------------------------------------------


def test_a_footnote_marker_glued_between_words_by_a_lost_space_is_cosmetic() -> None:
    old = "We will not deploy a highly capable7 model; we notify the Board first."
    new = "We will not deploy ahighly capable8model; we notify the Board first."
    assert all(s in ("none", "low") for s in severities(old, new))


def test_a_footnote_marker_glued_after_punctuation_and_before_a_capital_is_cosmetic() -> None:
    old = "The threshold is crossed at catastrophic harm. That is, a team could do it."
    new = "The threshold is crossed at catastrophic harm.4That is, a team could do it."
    assert all(s in ("none", "low") for s in severities(old, new))


def test_a_typo_fixed_in_words_a_lost_space_glued_together_is_cosmetic() -> None:
    old = "Overall risk: We will provide an ovreallrisk assessment for each model."
    new = "Overall risk: We will provide an overallrisk assessment for each model."
    assert all(s in ("none", "low") for s in severities(old, new))


def test_a_negation_lost_in_glued_words_one_letter_off_is_no_typo() -> None:
    old = "We will not deploy a model whose evaluations are pending."
    new = "We will nowdeploy a model whose evaluations are pending."
    assert severities(old, new) == ["high"]


def test_a_multiplier_written_with_the_times_sign_is_the_same_quantity() -> None:
    old = "We evaluate at every 4x increase in Effective Compute."
    new = "We evaluate at every 4× increase in Effective Compute."
    assert all(s in ("none", "low") for s in severities(old, new))


def test_a_changed_multiplier_is_still_a_threshold_change() -> None:
    old = "We evaluate at every 4x increase in Effective Compute."
    new = "We evaluate at every 6× increase in Effective Compute."
    assert severities(old, new) == ["high"]


# --- modals that describe, not oblige ----------------------------------------------------------


def test_a_hedge_inside_a_relative_clause_is_no_weakening() -> None:
    old = ("We will meet the criteria for testing, although we cannot make guarantees about a "
           "technology that may learn to detect testing.")
    new = "We will meet the criteria for testing, although we cannot make guarantees."
    hunk = compare(old, new).hunks[0]
    assert "weakened" not in hunk.signals
    assert hunk.severity != "high"


def test_a_hedge_added_to_the_authors_own_duty_is_still_a_weakening() -> None:
    old = "We will run evaluations before every deployment."
    new = "We may run evaluations before every deployment."
    hunk = compare(old, new).hunks[0]
    assert "weakened" in hunk.signals and hunk.severity == "high"



def test_a_hedge_in_the_definition_of_a_level_is_no_weakening() -> None:
    # "levels at which models could pose severe harm" says what a level is (codebook 2: the
    # definition of a term), not how firmly the author will act on it.
    old = ("We will identify the capability levels at which AI models pose severe harm "
           "to public safety.")
    new = ("We will identify the capability levels at which AI models without safeguards "
           "could pose severe harm to public safety.")
    hunk = compare(old, new).hunks[0]
    assert "weakened" not in hunk.signals
    assert hunk.severity != "high"


def test_a_hedge_on_the_authors_duty_after_a_level_definition_is_still_a_weakening() -> None:
    old = "At the levels at which AI models pose severe harm, we will pause deployment."
    new = "At the levels at which AI models pose severe harm, we could pause deployment."
    hunk = compare(old, new).hunks[0]
    assert "weakened" in hunk.signals and hunk.severity == "high"

# --- rewording with no materiality dimension moved -------------------------------------------


def test_a_reworded_commitment_with_the_same_force_and_objects_is_medium_at_most() -> None:
    old = "We will conduct evaluations of our models for dangerous capabilities before release."
    new = "We will carry out evaluations of our models for dangerous capabilities before release."
    hunk = compare(old, new).hunks[0]
    assert hunk.severity == "medium"
    assert "medium: reworded, but no materiality dimension moved" in hunk.because


def test_a_commitment_sharing_a_different_named_report_is_a_disclosure_change() -> None:
    old = "We will share the Capability Report with the Board before deployment."
    new = "We will share the Safeguards Report with the Board before deployment."
    hunk = compare(old, new).hunks[0]
    assert hunk.severity == "high"
    assert any("5 disclosure scope: disclosed document" in b for b in hunk.because)


def test_an_officer_losing_access_to_reports_is_an_actor_change() -> None:
    j = judge("We will give the Case Manager, the President and delegates access to reports.",
              "We will give the Case Manager and delegates access to reports.")
    assert 3 in j.dims and "'president'" in j.because


def test_a_sentence_whose_only_modal_describes_a_thing_binds_no_one() -> None:
    old = ("## Security Mitigations\n\nWe protect model weights.\n\n"
           "The table below lists levels of security mitigations that may be applied to weights.")
    new = "## Security Mitigations\n\nWe protect model weights."
    hunk = compare(old, new).hunks[0]
    assert "removed" not in hunk.signals and hunk.severity != "high"


def test_a_subject_with_a_relative_clause_still_binds() -> None:
    old = "## Safeguards\n\nWe protect model weights."
    new = ("## Safeguards\n\nWe protect model weights.\n\n"
           "Covered systems that reach High capability must have safeguards before deployment.")
    hunk = compare(old, new).hunks[0]
    assert "added" in hunk.signals and hunk.severity == "high"


# --- tables of contents, abbreviations, present tense ------------------------------------------


def test_a_page_number_changed_in_the_table_of_contents_is_never_high() -> None:
    body = "## 4. Capability Thresholds\n\nWe will evaluate models."
    old = "## Contents\n\n1. Introduction 3\n2. Capability Thresholds 5\n\n" + body
    new = "## Contents\n\n1. Introduction 3\n2. Capability Thresholds 6\n\n" + body
    assert all(s in ("none", "low") for s in severities(old, new))


def test_a_numbered_section_called_contents_is_still_normative() -> None:
    head = "## 3. Risk Reports\n\n## 3.3. Contents\n\n"
    old = head + "Each Risk Report will cover 2 threat models."
    new = head + "Each Risk Report will cover 3 threat models."
    assert severities(old, new) == ["high"]


def test_introducing_an_abbreviation_for_the_same_body_changes_no_actor() -> None:
    j = judge("The Responsible Scaling Officer will approve each deployment.",
              "The Responsible Scaling Officer (RSO) will approve each deployment.")
    assert 3 not in j.dims


def test_will_turned_present_tense_is_not_a_weakening() -> None:
    head = "## 4. Capability Thresholds\n\n"
    hunk = compare(head + "We will evaluate models before deployment.",
                   head + "We evaluate models before deployment.").hunks[0]
    # the descriptive present of a policy binds as "will" does (codebook 11.1): form only
    assert hunk.severity == "low" and "weakened" not in hunk.signals


def test_will_turned_may_is_still_a_weakening() -> None:
    head = "## 4. Capability Thresholds\n\n"
    hunk = compare(head + "We will evaluate models before deployment.",
                   head + "We may evaluate models before deployment.").hunks[0]
    assert hunk.severity == "high" and "weakened" in hunk.signals


# --- forecasts and threshold tests --------------------------------------------------------------


def test_a_thing_that_will_require_something_is_a_forecast_not_a_commitment() -> None:
    head = "## Safeguards\n\nWe protect model weights.\n\n"
    hunk = compare(head, head + "Safeguarding stronger models will require more planning.").hunks[0]
    assert "added" not in hunk.signals and hunk.severity != "high"


def test_the_author_requiring_something_still_binds() -> None:
    head = "## Safeguards\n\nWe protect model weights.\n\n"
    hunk = compare(head, head + "We will require two-party control for model weights.").hunks[0]
    assert "added" in hunk.signals and hunk.severity == "high"


def test_a_test_for_when_a_threshold_is_met_binds() -> None:
    head = "## Capability Thresholds\n\nWe track AI R&D.\n\n"
    new = head + "We will consider this threshold to be met if our models can automate research."
    hunk = compare(head, new).hunks[0]
    assert "added" in hunk.signals and hunk.severity == "high"


def test_will_consider_alone_still_binds_no_one() -> None:
    head = "## Capability Thresholds\n\nWe track AI R&D.\n\n"
    hunk = compare(head, head + "We will consider other capability thresholds later.").hunks[0]
    assert "added" not in hunk.signals


def test_a_past_commitment_recounted_is_not_a_new_commitment() -> None:
    head = "## Introduction\n\nWe manage catastrophic risk.\n\n"
    new = head + "Our previous policy committed to implementing mitigations without regard to others."
    hunk = compare(head, new).hunks[0]
    assert "added" not in hunk.signals and hunk.severity != "high"


def test_being_committed_to_something_still_binds() -> None:
    head = "## Safeguards\n\nWe protect model weights.\n\n"
    hunk = compare(head, head + "We are committed to enhancing these safeguards.").hunks[0]
    assert "added" in hunk.signals and hunk.severity == "high"


def test_every_high_names_the_dimension_or_outcome_and_the_words() -> None:
    head = "## 4. Capability Thresholds\n\n"
    cases = [
        (head + "We will evaluate at every 4x increase.", head + "We will evaluate at every 6x increase.",
         "2 threshold/trigger"),
        (head + "We will evaluate models before deployment.",
         head + "We may evaluate models before deployment.", "4 obligation strength"),
        (head + "We track risks.", head + "We track risks.\n\nWe will publish a system card for each model.",
         "commitment added (outcome A)"),
    ]
    for old, new, dimension in cases:
        (hunk,) = [h for h in compare(old, new).hunks if h.severity == "high"]
        (line,) = [b for b in hunk.because if b.startswith("high because ")]
        assert dimension in line and "'" in line


# --- words a text layer ran together -------------------------------------------------------


def test_words_run_together_are_not_changed_words_beside_a_real_edit() -> None:
    head = "## 4. Governance\n\n"
    hunk = compare(head + "We will share the full report with the Board.",
                   head + "We willshare the report with the Board.").hunks[0]
    assert hunk.removed == ("full",) and hunk.added == ()


def test_a_modal_glued_to_the_next_word_still_counts_as_that_modal() -> None:
    head = "## 4. Governance\n\n"
    hunk = compare(head + "The RSO will approve each deployment.",
                   head + "The RSOmay approve each deployment.").hunks[0]
    assert "weakened" in hunk.signals and hunk.severity == "high"


def test_a_word_that_merely_starts_with_a_modal_is_not_split() -> None:
    head = "## 4. Governance\n\n"
    hunk = compare(head + "We are happy to publish.", head + "We are willing to publish.").hunks[0]
    assert hunk.added == ("willing",) and "strengthened" not in hunk.signals


def test_the_number_of_a_named_standard_is_not_a_quantity() -> None:
    head = "## Security\n\n"
    hunk = compare(head + "We will align with ISO 42001 and SOC 2 for model weights.",
                   head + "We will align with NIST 800-53 for model weights.").hunks[0]
    assert "numeric" not in hunk.signals


def test_a_security_level_number_is_still_a_quantity() -> None:
    head = "## Security\n\n"
    hunk = compare(head + "We will protect model weights at SL 3.",
                   head + "We will protect model weights at SL 2.").hunks[0]
    assert hunk.severity == "high"


def test_a_commitment_whose_modal_lost_its_space_is_still_judged_on_its_dimensions() -> None:
    head = "## 4. Governance\n\n"
    hunk = compare(head + "We will share the report with the Board.",
                   head + "We willshare the report with the LTBT.").hunks[0]
    assert any(b.startswith("high because 3 actor") for b in hunk.because)


def test_a_quantifier_changing_how_much_a_commitment_covers_is_a_scope_change() -> None:
    j = judge("We will implement controls to mitigate most insider risk.",
              "We will implement controls to mitigate basic insider risk.")
    assert 1 in j.dims and "'most' → 'basic'" in j.because


def test_quantifiers_of_one_meaning_and_superlatives_move_no_scope() -> None:
    assert not judge("We will evaluate each model.", "We will evaluate every model.").material
    assert not judge("We will evaluate our most capable models.",
                     "We will evaluate our most powerful models.").material


def test_dropping_separate_internal_reviewers_is_an_actor_change() -> None:
    j = judge("Separate internal reviewers will provide feedback on the report.",
              "We will solicit internal feedback on the report.")
    assert 3 in j.dims


def test_a_body_that_must_now_approve_instead_of_advising_is_high() -> None:
    old = ("We will select the external auditors of our evaluations in consultation with the "
           "Board and the LTBT.")
    new = ("We will select the external auditors of our evaluations after consulting the Board "
           "and with the approval of the LTBT.")
    hunk = compare(old, new).hunks[0]
    assert hunk.severity == "high" and hunk.direction == "strengthened"
    assert any("3 actor" in b for b in hunk.because)


def test_a_hedge_in_a_to_whom_clause_about_people_is_no_weakening() -> None:
    old = "We will name the senior leaders who receive evaluation reports."
    new = "We will name the senior leaders to whom evaluation reports may be sent."
    hunk = compare(old, new).hunks[0]
    assert "weakened" not in hunk.signals and hunk.severity != "high"
