"""How other developers word a commitment, read as the reader reads its first four authors.

The reader was written against a handful of frameworks; the same obligations are worded
differently elsewhere: the company or one of its bodies as the actor ("Amazon's safety committee
reviews", "the modeling team at Naver conducts"), verbs of practice ("we carry out", "we
undertake", "we leverage"), adverbs between actor and verb ("Cohere consistently reviews"), the
passive of a practice ("regressions are investigated", "access is granted only to vetted
staff"), prohibitions ("may not be released"), "it is our policy to", a plan's items in the
imperative, a role's duties, labelled threshold lines. Their look-alikes stay what they are:
duties of the field at large, a passive in a relative or "how" clause, a belief about a risk.
"""

from __future__ import annotations

from differ.commitments import (
    asserts_nothing,
    extract_commitments,
    is_definition,
    strength_of,
)
from differ.compare import compare

THRESHOLDS = "Frontier Safety Framework > 2. Frontier Capability Thresholds"
SEVERITY = ("none", "low", "medium", "high")


def reads(sentence: str, heading: str = "2. Model evaluations") -> list[tuple[int, str]]:
    """(strength, word) of each commitment the reader finds in ``sentence`` under ``heading``."""
    doc = f"# Frontier Safety Framework\n\n## {heading}\n\n{sentence}\n"
    return [(c.strength, c.strength_word) for c in extract_commitments(doc)]


def binds(sentence: str, heading: str = "2. Model evaluations") -> bool:
    """Whether the reader finds a binding commitment (strength 4) in ``sentence``."""
    return any(strength == 4 for strength, _ in reads(sentence, heading))


DOC = ("# Frontier Safety Framework\n\n## 2. Model evaluations\n\n"
       "The framework was written with outside input from several research groups.\n\n{body}\n\n"
       "## 5. Review\n\nThe committee reviews this document every year.\n")


def worst(old_body: str, new_body: str) -> str:
    """The highest severity of the diff between two versions differing in one paragraph."""
    hunks = compare(DOC.format(body=old_body), DOC.format(body=new_body)).hunks
    return max((h.severity for h in hunks), key=SEVERITY.index, default="none")


# -- the actor ------------------------------------------------------------------------------------


def test_a_body_of_a_named_company_acting_in_the_present_is_a_commitment() -> None:
    assert binds("Amazon's safety committee reviews every evaluation report before launch.")


def test_a_team_at_a_named_company_acting_in_the_present_is_a_commitment() -> None:
    assert binds("The modeling team at Naver conducts a final safety evaluation before each "
                 "launch.")


def test_a_named_council_approving_is_a_commitment() -> None:
    assert binds("The Responsible AI Council approves each frontier model release.")


def test_an_officer_of_the_authors_approving_is_a_commitment() -> None:
    assert binds("Our Chief Scientist approves every frontier model release.")


def test_an_officer_named_by_title_approving_is_a_commitment() -> None:
    assert binds("The Head of Security approves every frontier model release.")


def test_an_officer_named_by_title_and_abbreviation_approving_is_a_commitment() -> None:
    assert binds("The Chief Security Officer (CSO) approves every frontier model release.")


def test_a_line_role_approving_is_a_commitment() -> None:
    assert binds("A team lead approves every frontier model release.")


def test_a_body_the_author_has_established_is_a_commitment() -> None:
    assert binds("We have established a safety committee for frontier model releases.")


def test_an_adverb_of_manner_between_the_company_and_its_verb_keeps_the_commitment() -> None:
    assert binds("Cohere consistently reviews new research on biological risks before training.")


def test_an_adverb_that_hedges_does_not_turn_a_description_into_a_commitment() -> None:
    assert reads("NVIDIA mainly provides model files and containers to enterprise customers.") \
        == []


# -- verbs of practice ----------------------------------------------------------------------------


def test_carrying_out_evaluations_is_a_present_tense_commitment() -> None:
    assert reads("We carry out dangerous capability evaluations on every new model.") == [
        (4, "present tense")]


def test_undertaking_red_teaming_is_a_present_tense_commitment() -> None:
    assert binds("We undertake red-teaming exercises on each frontier model before launch.")


def test_leveraging_external_experts_is_a_present_tense_commitment() -> None:
    assert binds("We leverage external experts to test frontier models for biological risks.")


def test_a_process_that_includes_evaluations_is_a_commitment() -> None:
    assert binds("Our evaluation process includes maximal capability evaluations before each "
                 "deployment.")


def test_stating_how_a_term_is_used_is_not_a_commitment() -> None:
    assert reads("We use this term in its plain meaning rather than any statutory one.") == []


# -- the passive of a practice --------------------------------------------------------------------


def test_regressions_investigated_before_deployment_is_a_commitment() -> None:
    assert binds("Performance regressions found in testing are investigated and mitigated "
                 "before deployment.")


def test_access_granted_only_to_vetted_staff_is_a_commitment() -> None:
    assert binds("Access to model weights is granted only to vetted staff.")


def test_every_model_undergoing_a_review_is_a_commitment() -> None:
    assert binds("Every frontier model undergoes a security review before deployment.")


def test_undergoing_a_review_after_should_is_not_a_top_rung_commitment() -> None:
    found = strength_of("Changes to critical infrastructure should undergo multi-person review.")
    assert found is None or found[0] < 4


def test_no_model_deployed_without_approval_is_a_commitment() -> None:
    assert binds("No frontier model is deployed without approval from the safety board.")


def test_models_not_released_until_an_evaluation_is_a_commitment() -> None:
    assert binds("Models are not released until the safeguards evaluation is complete.")


def test_models_deployed_by_customers_is_a_description() -> None:
    assert reads("Our models are deployed worldwide by customers in many sectors.") == []


def test_models_at_large_deployed_before_their_risks_are_known_is_a_description() -> None:
    assert reads("Many frontier models are deployed before their risks are understood.") == []


def test_a_passive_in_a_relative_clause_is_not_the_sentences_commitment() -> None:
    assert reads("Each criterion has discrete thresholds that are used to determine a model's "
                 "risk category.") == []


def test_a_passive_in_a_how_clause_is_not_a_commitment() -> None:
    assert reads("This leaves flexibility in how risk thresholds are evaluated by developers.") \
        == []


def test_a_role_responsible_for_a_practice_is_a_commitment() -> None:
    assert binds("The Head of Safety is responsible for approving every frontier model release.")


# -- binding words --------------------------------------------------------------------------------


def test_may_not_be_released_is_a_prohibition() -> None:
    assert strength_of("Models may not be publicly released unless safeguards are applied.") \
        == (4, "may not be publicly released")


def test_may_not_be_sufficient_only_doubts() -> None:
    found = strength_of("Our mitigations may not be sufficient for future models.")
    assert found is None or found[0] < 4


def test_it_is_our_policy_to_binds_as_will_does() -> None:
    found = strength_of("It is our policy to evaluate every frontier model before release.")
    assert found is not None and found[0] == 4


def test_a_belief_inside_a_condition_leaves_the_will_after_it_binding() -> None:
    assert strength_of("If we have reasonable grounds to believe that a model's risk case was "
                       "undermined, we will complete a new full assessment.") == (4, "will")


def test_a_lowercase_list_marker_opens_an_item_not_a_cut_sentence() -> None:
    assert binds("i. External audits: TII will engage an external auditor every year.",
                 "5. Governance and Compliance")


# -- a plan's items -------------------------------------------------------------------------------


def test_an_imperative_item_of_a_plan_is_a_commitment() -> None:
    assert reads("● Publish an annual transparency report on the framework.",
                 "6. Phased Implementation Plan") == [(4, "imperative")]


def test_an_imperative_item_outside_a_plan_is_not_read_as_one() -> None:
    assert reads("● Publish an annual transparency report on the framework.",
                 "1. Introduction") == []


def test_an_imperative_item_of_a_plan_written_in_lower_case_is_a_commitment() -> None:
    assert reads("● publish an annual transparency report on the framework.",
                 "6. Phased Implementation Plan") == [(4, "imperative")]


def test_a_plan_item_narrowed_from_publishing_to_sharing_with_partners_is_high() -> None:
    plan = ("# Frontier Safety Framework\n\n## 6. Phased Implementation Plan\n\n"
            "● Conduct routine capability assessments.\n\n● {item} an annual transparency "
            "report to foster public trust.\n")
    hunks = compare(plan.format(item="Publish"),
                    plan.format(item="share with select partners")).hunks
    assert [h.severity for h in hunks] == ["high"]


def test_a_noun_opening_a_plan_item_is_not_an_imperative() -> None:
    assert reads("● Review of past risk reports and decisions by the board.",
                 "6. Phased Implementation Plan") == []


# -- definitions of thresholds --------------------------------------------------------------------


def test_a_labelled_capability_that_could_facilitate_harm_defines_a_threshold() -> None:
    assert is_definition("Biological threats: when a model's capabilities could facilitate "
                         "biological weapons development by novices.", THRESHOLDS)


def test_a_labelled_capability_that_could_help_a_novice_defines_a_threshold() -> None:
    assert is_definition("- Cyber offense: a model that could help a novice automate attacks "
                         "on hardened networks.", THRESHOLDS)


RISKS = "Frontier Safety Framework > 3. Frontier risks"


def test_a_label_naming_a_threshold_defines_one_outside_a_threshold_section() -> None:
    assert is_definition("Chemical weapons threshold: the ability to provide uplift to non-state "
                         "actors developing chemical weapons.", RISKS)


def test_a_label_naming_no_threshold_defines_none_outside_a_threshold_section() -> None:
    assert not is_definition("Chemical weapons: the ability to provide uplift to non-state actors "
                             "developing chemical weapons.", RISKS)


def test_a_population_swapped_in_a_labelled_threshold_outside_its_section_is_high() -> None:
    old = ("# Frontier Safety Framework\n\n## 3. Frontier risks\n\nChemical weapons threshold: "
           "the ability to provide uplift to non-state actors developing chemical weapons.\n")
    new = old.replace("non-state actors", "state programmes")
    assert "high" in {h.severity for h in compare(old, new).hunks}


def test_a_belief_about_a_risk_is_not_a_threshold_definition() -> None:
    assert not is_definition("Without safeguards, we recognize that models could facilitate "
                             "CBRN weapons development by novices.", THRESHOLDS)


# -- duties of others -----------------------------------------------------------------------------


def test_what_many_developers_must_do_commits_no_one() -> None:
    assert asserts_nothing("Many developers must consider the risks of open release.")


def test_what_the_industry_is_required_to_do_commits_no_one() -> None:
    assert asserts_nothing("The industry is required to develop better evaluation methods.")


def test_the_authors_own_researchers_being_required_still_binds() -> None:
    assert binds("Our researchers are required to obtain approval before each release.")


def test_what_developers_should_do_stays_advice() -> None:
    assert strength_of("AI developers should publish their evaluation results.") == (1, "should")


# -- severity -------------------------------------------------------------------------------------


def test_deleting_a_company_committees_review_is_high() -> None:
    sentence = "Amazon's safety committee reviews every evaluation report before launch."
    assert worst(sentence, "") == "high"


def test_adding_a_passive_practice_is_high() -> None:
    assert worst("", "Access to model weights is granted only to vetted staff.") == "high"


def test_lifting_a_prohibition_on_release_is_high() -> None:
    assert worst("Models may not be publicly released unless safeguards are applied.",
                 "Models may be publicly released before safeguards are applied.") == "high"


def test_adding_what_the_industry_is_required_to_do_stays_below_high() -> None:
    assert worst("", "The industry is required to develop better evaluation methods.") != "high"
