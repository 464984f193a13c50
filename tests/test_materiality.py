"""The shared materiality judgement: labels, heading numbers and footnote markers are not rules."""

from __future__ import annotations

import pytest

from differ.materiality import judge

BODY = ("The ability to significantly help individuals with basic technical backgrounds "
        "create and deploy CBRN weapons.")


def test_a_level_label_added_in_front_of_a_commitment_is_not_material() -> None:
    assert not judge(BODY, f"CBRN-3: {BODY}").material


def test_a_descriptive_label_replaced_by_a_level_label_is_not_material() -> None:
    assert not judge(f"Chemical, Biological, Radiological, and Nuclear (CBRN) weapons: {BODY}",
                     f"CBRN-3: {BODY}").material


def test_a_published_label_removed_is_not_material() -> None:
    text = "We will publish a summary of each capability report."
    assert not judge(f"Published: {text}", text).material


def test_a_heading_number_added_is_not_material() -> None:
    text = "We will conduct a follow-up capability assessment before deployment."
    assert not judge(text, f"4.2 {text}").material


def test_a_label_whose_level_changed_is_still_a_threshold_change() -> None:
    j = judge(f"CBRN-3: {BODY}", f"CBRN-4: {BODY}")
    assert j.material and 2 in j.dims


def test_a_level_changed_inside_a_labelled_commitment_is_still_material() -> None:
    j = judge("We will apply the ASL-3 Security Standard.",
              "Security: We will apply the ASL-4 Security Standard.")
    assert j.material and 2 in j.dims


def test_a_clause_before_a_colon_is_not_read_as_a_label() -> None:
    j = judge("We will report within 30 days: to the board and to the public.",
              "We will report within 90 days: to the board and to the public.")
    assert j.material and 2 in j.dims


def test_a_renumbered_footnote_marker_is_not_a_quantity() -> None:
    old = "We consider these groups in scope: criminal groups, internal employees,12 and others."
    new = "We consider these groups in scope: criminal groups, internal employees,11 and others."
    assert not judge(old, new).material


def test_a_changed_quantity_after_a_space_is_still_material() -> None:
    j = judge("We will report within 30 days.", "We will report within 90 days.")
    assert j.material and 2 in j.dims


def test_a_required_standard_raised_a_level_is_a_strengthening() -> None:
    j = judge("At minimum, the ASL-3 Security Standard is required.",
              "At minimum, the ASL-4 Security Standard is required.")
    assert j.dims == (2,) and j.direction == "strengthened"


def test_a_required_standard_lowered_a_level_is_a_weakening() -> None:
    j = judge("At minimum, the ASL-4 Security Standard is required.",
              "At minimum, the ASL-3 Security Standard is required.")
    assert j.direction == "weakened"


def test_a_capability_trigger_raised_a_level_is_a_weakening() -> None:
    j = judge("We will pause training if a model reaches CBRN-3.",
              "We will pause training if a model reaches CBRN-4.")
    assert j.dims == (2,) and j.direction == "weakened"


def test_a_capability_trigger_lowered_a_level_is_a_strengthening() -> None:
    j = judge("We will pause training if a model reaches CBRN-4.",
              "We will pause training if a model reaches CBRN-3.")
    assert j.direction == "strengthened"


# --- an actor's power over a decision ---------------------------------------------------------


def test_a_body_consulted_that_must_now_approve_is_an_actor_strengthening() -> None:
    j = judge("We will choose the auditors in consultation with the Oversight Trust.",
              "We will choose the auditors with the approval of the Oversight Trust.")
    assert 3 in j.dims and j.direction == "strengthened"


def test_a_body_that_approved_and_is_now_only_consulted_is_an_actor_weakening() -> None:
    j = judge("Changes to the policy are approved by the Board.",
              "Changes to the policy are made in consultation with the Board.")
    assert 3 in j.dims and j.direction == "weakened"


def test_a_second_body_gaining_approval_beside_a_consulted_one_is_an_actor_change() -> None:
    j = judge("In consultation with the Board and the LTBT, we will select outside reviewers.",
              "We will select outside reviewers after consulting the Board and with the "
              "approval of the LTBT.")
    assert 3 in j.dims


def test_the_same_bodies_in_the_same_roles_in_other_words_are_not_material() -> None:
    assert not judge(
        "Policy changes are approved by the Board after consultation with the LTBT.",
        "The Board approves policy changes in consultation with the LTBT.",
    ).material


def test_the_board_named_in_full_or_in_short_is_the_same_actor() -> None:
    assert not judge("Each report will be shared with the Board of Directors.",
                     "Each report will be shared with the Board.").material


def test_one_body_spelled_the_british_or_the_american_way_is_the_same_actor() -> None:
    assert not judge("We may share information with other external organizations.",
                     "We may share information with other external organisations.").material


def test_exclusively_and_only_narrow_a_commitment_alike() -> None:
    assert not judge("Exceptions are considered exclusively for low-risk research uses.",
                     "Exceptions are considered only for low-risk research uses.").material


# --- asides ------------------------------------------------------------------------------------


def test_an_aside_with_its_own_subject_does_not_set_the_commitments_modal_force() -> None:
    assert not judge("We will commission an annual external review of our compliance (we expect "
                     "to refine its checklist over time).",
                     "We will commission an annual external review of our compliance.").material


def test_may_after_a_company_name_in_camel_case_softens_its_commitment() -> None:
    j = judge("In all scenarios, xAI will take measures so the risks are and will remain low.",
              "In all scenarios, xAI may take measures so the risks are and will remain low.")
    assert j.dims == (4,) and j.direction == "weakened"


def test_a_hedge_in_parentheses_still_softens_the_commitment() -> None:
    j = judge("We will notify the Board of each incident.",
              "We will (where possible) notify the Board of each incident.")
    assert 4 in j.dims and j.direction == "weakened"


# --- quantifiers -------------------------------------------------------------------------------


def test_any_dropped_before_a_general_plural_moves_no_scope() -> None:
    assert not judge("We will record any differences from the prior draft in a change log.",
                     "We will record the differences from the prior draft in a change log."
                     ).material


def test_all_turned_some_still_narrows_the_scope() -> None:
    j = judge("We will red-team all models before deployment.",
              "We will red-team some models before deployment.")
    assert 1 in j.dims


# --- scope qualifiers --------------------------------------------------------------------------


def test_a_qualifier_put_before_the_models_covered_narrows_the_scope() -> None:
    j = judge("We will run dangerous-capability tests on our models every quarter.",
              "We will run dangerous-capability tests on our external models every quarter.")
    assert 1 in j.dims and j.direction == "weakened"


def test_a_qualifier_taken_off_the_models_covered_broadens_the_scope() -> None:
    j = judge("We will run dangerous-capability tests on our external models every quarter.",
              "We will run dangerous-capability tests on our models every quarter.")
    assert 1 in j.dims and j.direction == "strengthened"


def test_examples_introduced_by_like_are_examples_as_with_such_as() -> None:
    assert not judge("We will test for severe risks, such as biological and cyber misuse.",
                     "We will test for severe risks, like biological and cyber misuse.").material


def test_numerous_and_many_cover_the_same() -> None:
    assert not judge("We will consult many external experts.",
                     "We will consult numerous external experts.").material


def test_the_most_substantial_risks_rank_they_do_not_count() -> None:
    assert not judge("We will address the most significant risks.",
                     "We will address the most substantial risks.").material


# --- disclosure audience -----------------------------------------------------------------------


def test_publishing_replaced_by_sharing_with_named_partners_narrows_the_disclosure() -> None:
    j = judge("We will publish a summary of each evaluation round.",
              "We will share a summary of each evaluation round with select partners.")
    assert 5 in j.dims and j.direction == "weakened"


def test_publishing_replaced_by_sharing_internally_narrows_the_disclosure() -> None:
    j = judge("We will publish the full list of safeguards (with a few details held back) "
              "after each launch.",
              "We will share internally the full list of safeguards (with a few details held "
              "back) after each launch.")
    assert 5 in j.dims and j.direction == "weakened"


def test_sharing_with_a_named_party_turned_into_publishing_broadens_the_disclosure() -> None:
    j = judge("We will share each incident summary with our partners.",
              "We will publish each incident summary.")
    assert 5 in j.dims and j.direction == "strengthened"


def test_a_published_card_made_available_only_on_request_narrows_the_disclosure() -> None:
    j = judge("We will publish the system card for each frontier model.",
              "We will make the system card for each frontier model available on request.")
    assert j.dims == (5,) and j.direction == "weakened"


def test_a_document_shared_with_named_parties_is_not_published_whatever_it_is_called() -> None:
    j = judge("We publish a transparency report every quarter.",
              "We share a transparency report with our investors every quarter.")
    assert j.dims == (5,) and j.direction == "weakened"


def test_notifying_named_parties_instead_of_the_public_narrows_the_disclosure() -> None:
    j = judge("We will notify the public of any serious incident.",
              "We will notify affected customers of any serious incident.")
    assert j.dims == (5,) and j.direction == "weakened"


def test_one_public_release_word_for_another_moves_no_disclosure() -> None:
    assert not judge("We will publish the capability report.",
                     "We will publicly release the capability report.").material


# --- actors ------------------------------------------------------------------------------------


def test_the_board_written_in_lower_case_is_still_an_actor() -> None:
    j = judge("Each quarter the safety lead reports open incidents to the board.",
              "Each quarter the safety lead reports open incidents to the product team.")
    assert 3 in j.dims and j.direction == "weakened"


def test_a_decision_turned_into_advice_is_an_actor_weakening_though_no_body_is_named() -> None:
    j = judge("Any deviation from these safeguards must be submitted for approval.",
              "Any deviation from these safeguards must be submitted for consultation.")
    assert 3 in j.dims and j.direction == "weakened"


def test_advice_turned_into_a_decision_is_an_actor_strengthening() -> None:
    j = judge("Each new deployment tier is submitted for consultation before launch.",
              "Each new deployment tier is submitted for approval before launch.")
    assert 3 in j.dims and j.direction == "strengthened"


# --- examples and exceptions -------------------------------------------------------------------


def test_a_second_exception_with_the_same_word_is_a_carve_out() -> None:
    j = judge("The officer cannot see who reported unless the reporter gives their name.",
              "The officer cannot see who reported unless the reporter gives their name, "
              "unless leadership decides otherwise.")
    assert 6 in j.dims and j.direction == "weakened"


def test_an_exception_added_after_a_list_of_examples_is_a_carve_out() -> None:
    j = judge("We log every access to model weights, e.g. by staff and by contractors.",
              "We log every access to model weights, e.g. by staff and by contractors, except "
              "where logging would slow training.")
    assert 6 in j.dims and j.direction == "weakened"


def test_one_approving_body_swapped_for_another_as_close_to_the_company_has_no_direction() -> None:
    # the Board and the CEO are both the company's own: material, but neither way is "stronger"
    there = judge("The Board must approve any deployment above ASL-3.",
                  "The CEO must approve any deployment above ASL-3.")
    back = judge("The CEO must approve any deployment above ASL-3.",
                 "The Board must approve any deployment above ASL-3.")
    assert there.material and back.material
    assert there.direction == back.direction == "mixed"


def test_a_listed_scope_losing_half_its_items_is_material() -> None:
    j = judge("We will publish model cards, system cards, evaluation reports and safety cases.",
              "We will publish model cards and system cards.")
    assert j.material and 1 in j.dims and j.direction == "weakened"
    assert "evaluation reports" in j.because and "safety cases" in j.because


def test_a_list_reordered_or_repunctuated_is_not_shortened() -> None:
    old = "We will publish model cards, system cards, evaluation reports and safety cases."
    assert not judge(old, "We will publish system cards, model cards, safety cases and "
                          "evaluation reports.").material
    assert not judge(old, "We will publish model cards, system cards, evaluation reports, "
                          "and safety cases.").material


def test_a_scope_defining_enumeration_shortened_is_a_scope_narrowing() -> None:
    j = judge("We review our safeguards every quarter, drawing on abuse reports, penetration "
              "test results, usage statistics and revised risk models.",
              "We review our safeguards every quarter, drawing on abuse reports.")
    assert j.dims == (1,) and j.direction == "weakened"
    assert "scope-defining enumeration shortened (narrowed)" in j.because
    assert "'usage statistics'" in j.because


def test_a_scope_defining_enumeration_at_semicolons_replaced_by_one_term_is_narrowed() -> None:
    j = judge("We review our safeguards every quarter, drawing on abuse reports; results of "
              "penetration tests; statistics about our triage, review and escalation queues; and "
              "revised risk models.",
              "We review our safeguards every quarter, drawing on field monitoring.")
    assert 1 in j.dims and j.direction == "weakened"
    assert "scope-defining enumeration shortened (narrowed)" in j.because


def test_a_scope_defining_enumeration_removed_with_its_introducer_is_a_scope_narrowing() -> None:
    j = judge("The review panel comprises the head of research, the general counsel and an "
              "outside ethicist.",
              "The review panel meets every month.")
    assert 1 in j.dims
    assert "scope-defining enumeration removed (narrowed)" in j.because


def test_a_scope_defining_enumeration_lengthened_is_a_scope_broadening() -> None:
    j = judge("Each quarterly review will draw on incident reports and usage statistics.",
              "Each quarterly review will draw on incident reports, usage statistics and staff "
              "interviews.")
    assert j.dims == (1,) and j.direction == "strengthened"
    assert ("scope-defining enumeration lengthened (broadened): 'staff interviews' added"
            in j.because)


def test_a_scope_defining_enumeration_reordered_or_reworded_around_its_heads_is_not_material(
) -> None:
    old = "Our incident log will include outages, jailbreak reports and data leaks."
    assert not judge(old, "Our incident log will include data leaks, outages and jailbreak "
                          "reports.").material
    assert not judge(old, "Our incident log will include outages, confirmed jailbreak reports, "
                          "and data leaks.").material


def test_a_scope_defining_list_whose_examples_are_reworded_is_not_lengthened() -> None:
    # "such as" is read as examples and cut; "metadata like" is not: the items are the same.
    assert not judge("Our logs include access records, alerts and metadata such as flow records "
                     "and lookups.",
                     "Our logs include access records, alerts and metadata like flow records and "
                     "lookups.").material


def test_a_list_after_may_include_is_not_read_as_scope_defining() -> None:
    assert not judge("Our incident log may include outages, jailbreak reports and data leaks.",
                     "Our incident log may include outages and data leaks.").material


def test_an_illustrative_list_shortened_is_not_material() -> None:
    assert not judge("We evaluate dangerous capabilities, such as biological, chemical, nuclear "
                     "and cyber uplift, before deployment.",
                     "We evaluate dangerous capabilities, such as biological uplift, before "
                     "deployment.").material


# --- a binding word replaced in place, another still standing ---------------------------------


def test_a_requirement_turned_into_encouragement_is_a_weakening_beside_a_kept_will() -> None:
    j = judge("For research use we will instead require logging of every query.",
              "For research use we will instead encourage logging of every query.")
    assert 4 in j.dims and j.direction == "weakened"


def test_must_turned_into_should_after_its_noun_is_a_weakening_beside_a_kept_required() -> None:
    j = judge("Each level has required safeguards, which must be in place before training.",
              "Each level has required safeguards, which should be in place before training.")
    assert 4 in j.dims and j.direction == "weakened"


def test_will_turned_into_may_is_a_weakening_while_another_clause_still_requires() -> None:
    j = judge("The safety team, with its advisers, will review each update that is required.",
              "The safety team, with its advisers, may review each update that is required.")
    assert 4 in j.dims and j.direction == "weakened"


def test_encouragement_turned_into_a_requirement_is_a_strengthening() -> None:
    j = judge("We will encourage partners to report incidents within a week.",
              "We will require partners to report incidents within a week.")
    assert 4 in j.dims and j.direction == "strengthened"


def test_a_modal_swapped_inside_a_describing_clause_moves_no_duty() -> None:
    assert not judge("We will test the systems that will reach the market.",
                     "We will test the systems that may reach the market.").material


# --- actors under abbreviations and glued labels ----------------------------------------------


def test_a_body_replaced_before_its_kept_abbreviation_is_an_actor_change() -> None:
    j = judge("We will send the report to our Board of Directors (Board) each quarter.",
              "We will send the report to our sales team (Board) each quarter.")
    assert 3 in j.dims and "'board'" in j.because


def test_an_abbreviation_introduced_after_a_body_is_no_actor_change() -> None:
    assert not judge("We will send the report to the Safety Council each quarter.",
                     "We will send the report to the Safety Council (SC) each quarter.").material


def test_a_label_glued_to_its_sentence_by_a_lost_space_is_still_a_label() -> None:
    assert not judge(f"CBRN-3:{BODY}", BODY).material


def test_a_body_dropped_after_a_glued_label_naming_it_is_an_actor_change() -> None:
    j = judge("Chief Risk Officer:We will keep the post of Chief Risk Officer, who signs off.",
              "Chief Risk Officer:We will keep the post of a project lead, who signs off.")
    assert 3 in j.dims


def test_a_body_replaced_in_one_of_two_places_it_is_named_is_an_actor_change() -> None:
    j = judge("We will report to the committee of the board and to the board of the subsidiary.",
              "We will report to the committee of the board and to management of the subsidiary.")
    assert 3 in j.dims and j.direction == "weakened"


def test_a_body_referred_to_again_by_a_pronoun_is_no_actor_change() -> None:
    assert not judge("The Board will approve each release, subject to the Board’s own review.",
                     "The Board will approve each release, subject to its own review.").material


def test_a_quantifier_narrowed_beside_another_of_the_same_extent_is_a_scope_change() -> None:
    j = judge("For each report we will ask for feedback and, in some cases, tell the Board.",
              "For certain reports we will ask for feedback and, in some cases, tell the Board.")
    assert 1 in j.dims


# --- officers, councils and line roles --------------------------------------------------------


def test_a_chief_scientist_replaced_by_a_product_manager_is_an_actor_weakening() -> None:
    j = judge("Authority is delegated by the CEO to the Chief Scientist.",
              "Authority is delegated by the CEO to a product manager.")
    assert j.dims == (3,) and j.direction == "weakened"
    assert "'chief scientist' → 'product manager'" in j.because


def test_a_head_of_a_function_replaced_by_a_team_lead_is_an_actor_weakening() -> None:
    j = judge("The Head of Security approves each release.", "A team lead approves each release.")
    assert j.dims == (3,) and j.direction == "weakened"


def test_a_council_replaced_by_the_product_team_is_an_actor_weakening() -> None:
    j = judge("The Safety Council reviews each capability report.",
              "The product team reviews each capability report.")
    assert j.dims == (3,) and j.direction == "weakened"


def test_one_head_of_a_function_replaced_by_another_is_an_actor_change() -> None:
    assert 3 in judge("The Head of Security approves each release.",
                      "The Head of Research approves each release.").dims


def test_an_officers_title_shortened_to_its_abbreviation_is_not_material() -> None:
    assert not judge("The Chief Security Officer (CSO) approves each release.",
                     "The CSO approves each release.").material


def test_an_officers_title_without_its_abbreviation_defined_is_still_the_same_officer() -> None:
    assert not judge("The Chief Security Officer approves each release.",
                     "The CSO approves each release.").material


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("The Safety Council reviews each report.", "Our Safety Council reviews each report."),
        ("The product manager approves each release.",
         "The product managers approve each release."),
        ("Each team lead approves each release.", "Each team leader approves each release."),
        ("The Head of Security approves each release.",
         "The Head of the Security Team approves each release."),
    ],
)
def test_one_role_named_in_another_form_is_not_material(old: str, new: str) -> None:
    assert not judge(old, new).material


# --- who a threshold is about -----------------------------------------------------------------


def test_a_threshold_moved_from_novices_to_experts_is_a_threshold_weakening() -> None:
    j = judge("A model that could significantly uplift novices to create biological weapons.",
              "A model that could significantly uplift experts to create biological weapons.")
    assert j.dims == (2,) and j.direction == "weakened"
    assert "population 'novices' → 'experts'" in j.because


def test_a_threshold_moved_from_non_state_actors_to_state_programmes_is_a_threshold_change() -> None:
    j = judge("The ability to provide uplift to non-state actors seeking chemical weapons.",
              "The ability to provide uplift to state programmes seeking chemical weapons.")
    assert j.dims == (2,) and j.direction == "weakened"


def test_a_threshold_moved_from_a_well_resourced_to_a_moderately_resourced_group_is_stronger() -> None:
    j = judge("The ability to enable a well-resourced group to disable a power grid.",
              "The ability to enable a moderately resourced group to disable a power grid.")
    assert j.dims == (2,) and j.direction == "strengthened"


def test_a_threshold_population_swapped_for_one_named_elsewhere_too_is_a_threshold_change() -> None:
    j = judge("A model that could uplift novices to make bioweapons, as judged by domain experts.",
              "A model that could uplift experts to make bioweapons, as judged by domain experts.")
    assert j.dims == (2,)


def test_external_experts_are_evaluators_not_a_threshold_population() -> None:
    j = judge("A model that could uplift novices to make bioweapons, as judged by external experts.",
              "A model that could uplift novices to make bioweapons, as judged by novices.")
    assert "population" not in j.because


def test_a_threshold_population_named_by_a_synonym_is_not_material() -> None:
    assert not judge("A model that could significantly uplift novices to create bioweapons.",
                     "A model that could significantly uplift non-experts to create bioweapons."
                     ).material


def test_people_with_basic_backgrounds_renamed_novices_is_not_material() -> None:
    assert not judge("The ability to significantly help individuals with basic technical "
                     "backgrounds create CBRN weapons.",
                     "The ability to significantly help novices create CBRN weapons.").material


@pytest.mark.parametrize(
    ("old", "new", "gone", "come"),
    [
        ("The ability to uplift moderately resourced state programs seeking nerve agents.",
         "The ability to uplift state programs seeking nerve agents.",
         "moderately resourced state programs", "state programs"),
        ("A capability that could enable low-resourced actors to take down a water utility.",
         "A capability that could enable actors to take down a water utility.",
         "low-resourced actors", "actors"),
        ("The ability to help individuals with basic technical backgrounds culture a pathogen.",
         "The ability to help individuals culture a pathogen.",
         "individuals with basic technical backgrounds", "individuals"),
    ],
)
def test_a_qualifier_dropped_from_a_threshold_population_is_a_threshold_change(
        old: str, new: str, gone: str, come: str) -> None:
    j = judge(old, new)
    assert j.dims == (2,)
    assert f"population qualifier dropped: '{gone}' → '{come}'" in j.because


def test_a_qualifier_raising_a_threshold_population_is_a_threshold_weakening() -> None:
    j = judge("The ability to uplift experts in synthesising a novel toxin.",
              "The ability to uplift top-tier experts in synthesising a novel toxin.")
    assert j.dims == (2,) and j.direction == "weakened"
    assert "population qualifier added: 'experts' → 'top-tier experts'" in j.because


def test_a_qualifier_lowering_a_threshold_population_is_a_threshold_strengthening() -> None:
    j = judge("The ability to uplift actors in synthesising a novel toxin.",
              "The ability to uplift unskilled actors in synthesising a novel toxin.")
    assert j.dims == (2,) and j.direction == "strengthened"


@pytest.mark.parametrize("qualifier", ["such", "relevant", "these"])
def test_a_qualifier_that_grades_no_capacity_leaves_a_threshold_population_alone(
        qualifier: str) -> None:
    assert not judge("The ability to uplift experts in synthesising a novel toxin.",
                     f"The ability to uplift {qualifier} experts in synthesising a novel toxin."
                     ).material


def test_a_population_qualifier_restated_in_other_words_is_not_material() -> None:
    assert not judge("The ability to uplift top-tier experts in synthesising a novel toxin.",
                     "The ability to uplift world-class experts in synthesising a novel toxin."
                     ).material


def test_a_population_qualifier_dropped_outside_a_threshold_definition_is_not_material() -> None:
    assert not judge("We will run a yearly workshop for low-resourced actors in our region.",
                     "We will run a yearly workshop for actors in our region.").material


def test_a_population_swapped_outside_a_threshold_definition_is_no_threshold_change() -> None:
    assert not judge("We will hold a workshop for novices every year.",
                     "We will hold a workshop for experts every year.").material
