"""The classifier: categories, signals and severity for one change, including near misses."""

from __future__ import annotations

import pytest

from differ.classify import Classifier
from differ.compare import compare
from differ.lexicon import load_lexicon


def one(old: str, new: str):  # noqa: ANN201 - a Hunk; kept short for readable tests
    result = compare(old, new)
    assert len(result.hunks) == 1, result.hunks
    return result.hunks[0]


# --- categories -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "category"),
    [
        ("Reaching ASL-3 needs care.", "Reaching ASL-4 needs care.", "thresholds"),
        ("The Critical Capability Level is set.", "The Critical Capability Level is raised.", "thresholds"),
        ("We run elicitation with experts.", "We run elicitation with staff.", "evaluations"),
        ("The AISI tests our models.", "The AISI reviews our models.", "evaluations"),
        ("The system card is long.", "The system card is short.", "publication"),
        ("We notify government agencies.", "We brief government agencies.", "publication"),
        ("Safeguards protect model weights.", "Safeguards protect all model weights.", "mitigations"),
        ("Training may pause for a day.", "Training may pause for a week.", "response"),
        ("The Responsible Scaling Officer decides.", "The Responsible Scaling Officer advises.", "governance"),
        ("The policy covers internal deployment.", "The policy covers internal deployment too.", "scope"),
        ("We study scheming in models.", "We study scheming in agents.", "alignment"),
    ],
)
def test_each_category_is_recognised_from_its_terms(old: str, new: str, category: str) -> None:
    assert category in one(old, new).categories


@pytest.mark.parametrize(
    "role", ["The Chief Scientist", "The Head of Security", "The CISO", "The Model Safety Council"])
def test_an_officer_or_council_named_by_title_is_governance(role: str) -> None:
    assert "governance" in one(f"{role} decides.", f"{role} advises.").categories


def test_chief_as_an_ordinary_word_is_no_governance_role() -> None:
    assert "governance" not in one("Chief among the risks is misuse.",
                                   "Chief among the risks is theft.").categories


def test_section_path_alone_can_give_the_category() -> None:
    head = "## 4.2 Capability Thresholds\n\n"
    hunk = one(head + "The line is drawn early.", head + "The line is drawn late.")
    assert "thresholds" in hunk.categories
    assert any("in section" in b for b in hunk.because)


def test_seoul_paragraphs_follow_the_categories() -> None:
    result = compare("We publish a scorecard.", "We publish a scorecard monthly.")
    assert "VII" in result.seoul and "VIII" in result.seoul


def test_because_names_the_rule_id_and_the_words() -> None:
    hunk = one("The Responsible Scaling Officer decides.", "The Responsible Scaling Officer advises.")
    assert "governance: gov.roles matched 'Responsible Scaling Officer' in text" in hunk.because


def test_every_lexicon_rule_has_a_known_category() -> None:
    known = {"thresholds", "evaluations", "publication", "mitigations", "response", "governance",
             "scope", "alignment"}
    assert {r.category for r in load_lexicon().rules} <= known


# --- signals ----------------------------------------------------------------------------------


def test_an_inserted_paragraph_with_may_is_added_not_weakened() -> None:
    base = "## 3 Evaluations\n\nWe will evaluate every frontier model before deployment.\n\n"
    extra = ("Where the results are unclear, the team may run further elicitation with outside "
             "experts and may consult the board before a decision.\n\n")
    result = compare(base, base + extra)
    assert "weakened" not in result.signals
    assert result.severity == "medium"


def test_will_to_may_is_weakened_and_high_in_a_category() -> None:
    hunk = one("We will publish evaluation results.", "We may publish evaluation results.")
    assert "weakened" in hunk.signals
    assert hunk.severity == "high"


def test_aim_to_becoming_commit_to_is_strengthened() -> None:
    hunk = one("We aim to publish results.", "We commit to publish results.")
    assert "strengthened" in hunk.signals
    assert "weakened" not in hunk.signals


def test_added_hedge_where_possible_is_weakened() -> None:
    hunk = one("We will share results with the AISI.",
               "We will share results with the AISI where possible.")
    assert "weakened" in hunk.signals


def test_changed_multiplier_is_numeric() -> None:
    hunk = one("We evaluate at every 4x increase in effective compute.",
               "We evaluate at every 6x increase in effective compute.")
    assert "numeric" in hunk.signals
    assert hunk.severity == "high"


def test_changed_duration_in_words_is_numeric() -> None:
    hunk = one("We test models every three months.", "We test models every six months.")
    assert "numeric" in hunk.signals


def test_changed_level_name_is_numeric() -> None:
    assert "numeric" in one("Models must meet ASL-3 safeguards.",
                            "Models must meet ASL-2 safeguards.").signals


def test_deleted_commitment_sentence_is_removed_and_high() -> None:
    old = "We test models. We will notify the government before deployment. Then we deploy."
    new = "We test models. Then we deploy."
    hunk = one(old, new)
    assert hunk.signals == ("removed",)
    assert hunk.severity == "high"


def test_deleted_sentence_without_a_binding_word_is_not_removed() -> None:
    hunk = one("We test models. Public reports are nice to read. Then we deploy.",
               "We test models. Then we deploy.")
    assert "removed" not in hunk.signals
    assert hunk.severity == "medium"


def test_inserted_commitment_sentence_is_added_and_high() -> None:
    hunk = one("We test models.", "We test models. We will publish a system card for each model.")
    assert "added" in hunk.signals
    assert hunk.severity == "high"
    assert hunk.direction == "added"


def test_other_words_of_a_commitment_changed_is_reworded() -> None:
    hunk = one("We will not deploy a model that reaches a catastrophic outcome threshold.",
               "We will not deploy a model that reaches a threat scenario threshold.")
    assert "reworded" in hunk.signals
    assert hunk.severity == "high"


def test_new_heading_with_its_section_is_section_added() -> None:
    hunk = one("Intro.\n", "Intro.\n\n## Disclosure\n\nWe will notify authorities.\n")
    assert "section_added" in hunk.signals


def test_removed_section_is_section_removed_and_high_when_categorized() -> None:
    hunk = one("Intro.\n\n## Safety drills\n\nThe board runs safety drills.\n", "Intro.\n")
    assert "section_removed" in hunk.signals
    assert hunk.severity == "high"


def test_renamed_heading_is_heading_changed() -> None:
    hunk = one("## Deceptive alignment\n\nText stays.\n", "## Misalignment risk\n\nText stays.\n")
    assert "heading_changed" in hunk.signals


def test_uncategorized_substantive_change_is_low() -> None:
    hunk = one("The sky is blue.", "The sky is green.")
    assert hunk.categories == ()
    assert hunk.severity == "low"


def test_categorized_background_reworded_without_a_commitment_is_low() -> None:
    hunk = one("Our system card describes the model.", "Our system card explains the model.")
    assert hunk.categories == ("publication",)
    assert hunk.severity == "low"


def test_categorized_prose_whose_approving_body_changes_is_not_background() -> None:
    hunk = one("Each release requires sign-off from the Board.",
               "Each release requires sign-off from management.")
    assert hunk.severity == "medium"


def test_categorized_commitment_reworded_without_a_high_signal_is_medium() -> None:
    hunk = one("We will describe the model in our system card.",
               "We will explain the model in our system card.")
    assert hunk.categories == ("publication",)
    assert hunk.severity == "medium"


def test_categorized_list_item_of_a_commitment_reworded_is_medium() -> None:
    lead = "We commit to the following safeguards:\n\n"
    hunk = one(lead + "- Access logging for the weights.\n- Two-party control.",
               lead + "- Access auditing for the weights.\n- Two-party control.")
    assert hunk.severity == "medium"


# --- cosmetic and near misses -----------------------------------------------------------------


def test_typo_fix_next_to_an_unchanged_may_publish_is_cosmetic_none() -> None:
    hunk = one("We may publish the reslts of evaluations.", "We may publish the results of evaluations.")
    assert hunk.signals == ("cosmetic",)
    assert hunk.severity == "none"
    assert hunk.categories == ()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("We will publish results.", "We will publish results!"),  # punctuation
        ("We will publish results.", "We Will Publish Results."),  # case
        ("We will red-team models.", "We will redteam models."),  # hyphenation
        ('We publish "system cards".', "We publish \u201csystem cards\u201d."),  # quotes
        ("We publish reports, e.g. cards.", "We publish reports, e.g., cards."),  # e.g. → e.g.,
        ("We will notify the government.", "We willnotify thegovernment."),  # merged words
        ("We publish risks1 reports.", "We publish risks2 reports."),  # footnote renumbering
    ],
)
def test_rendering_and_punctuation_edits_are_cosmetic(old: str, new: str) -> None:
    result = compare(old, new)
    assert result.severity == "none"
    assert all(h.signals == ("cosmetic",) for h in result.hunks)


def test_list_renumbering_only_is_cosmetic() -> None:
    old = "Intro.\n\n3. We will publish a report.\n"
    new = "Intro.\n\n4. We will publish a report.\n"
    assert compare(old, new).severity == "none"


def test_list_numbers_left_on_lines_of_their_own_and_dropped_are_cosmetic() -> None:
    # A PDF text layer that lost a list's items leaves its numbers in a run: "3.\n4.\n".
    old = "## 3.2 Assessment\n\nIntro.\n\n3.\n4.\nWe will test every model before deployment.\n"
    new = "## 3.2 Assessment\n\nIntro.\n\nWe will test every model before deployment.\n"
    result = compare(old, new)
    assert result.hunks and result.severity == "none"


def test_a_level_number_changed_at_a_sentence_end_is_not_a_list_number() -> None:
    hunk = one("We will apply enhanced security to models at Level 2.",
               "We will apply enhanced security to models at Level 3.")
    assert "numeric" in hunk.signals


def test_unrelated_word_change_near_may_is_not_weakened() -> None:
    hunk = one("We may publish the annual report.", "We may publish the full report.")
    assert "weakened" not in hunk.signals
    assert "strengthened" not in hunk.signals


def test_may_as_a_month_is_not_a_hedge() -> None:
    hunk = one("We will publish on 3 March 2025.", "We will publish on 14 May 2025.")
    assert "weakened" not in hunk.signals
    assert "numeric" in hunk.signals


def test_digit_inside_a_plural_typo_is_still_numeric() -> None:
    hunk = one("We keep 10 copies of the weights.", "We keep 12 copies of the weights.")
    assert "numeric" in hunk.signals


def test_summary_names_category_signal_words_and_section() -> None:
    head = "## 4.2 Capability Thresholds\n\n"
    hunk = one(head + "We will act at ASL-3.", head + "We may act at ASL-3.")
    assert hunk.summary == "Thresholds · weakened: 'will' → 'may' in 4.2 Capability Thresholds"


# --- precision: what is *not* high (calibration) --------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("As Section 2.1 says, we will publish evaluations.",
         "As Section 2.2 says, we will publish evaluations."),  # section number
        ("Table 1 lists the evaluations we will run.",
         "Table 2 lists the evaluations we will run."),  # table number
        ("We will run the evaluations in 2.1.2 first.",
         "We will run the evaluations in 3.1.2 first."),  # outline number
        ("We will (1) publish evaluations.", "We will (2) publish evaluations."),  # list marker
    ],
)
def test_document_place_numbers_are_not_numeric(old: str, new: str) -> None:
    hunk = one(old, new)
    assert "numeric" not in hunk.signals
    assert hunk.severity != "high"


def test_run_in_heading_number_glued_to_a_sentence_is_not_numeric() -> None:
    hunk = one("3 - Applying Mitigations When a CCL is reached, we will assess the risk.",
               "When a CCL is reached, we will assess the risk.")
    assert "numeric" not in hunk.signals
    assert "reworded" not in hunk.signals


def test_acknowledgements_change_is_not_high() -> None:
    old = "Intro.\n\n## Acknowledgements\n\nWe thank the AI Safety Institute for their evaluations.\n"
    new = "Intro.\n\n## Acknowledgements\n\nWe thank the AISI staff for their evaluations.\n"
    hunk = one(old, new)
    assert hunk.categories == ()
    assert hunk.severity == "low"


def test_number_change_with_category_only_from_the_section_path_is_medium() -> None:
    head = "## 4.2 Capability Thresholds\n\n"
    hunk = one(head + "The meeting lasts 5 hours.", head + "The meeting lasts 7 hours.")
    assert "numeric" in hunk.signals
    assert hunk.severity == "medium"


def test_removed_binding_sentence_in_a_categorized_section_is_still_high() -> None:
    head = "## 4.2 Capability Thresholds\n\nWe test models.\n\n"
    hunk = one(head + "We will stop at the line.\n", head)
    assert "removed" in hunk.signals
    assert hunk.severity == "high"


def test_a_removed_commitment_naming_no_category_is_high_as_outcome_x() -> None:
    # A commitment deleted with no counterpart is material at any strength and on any subject
    # (codebook 4, X); the category the context gives it ("Evaluations are hard") decides nothing.
    hunk = one("We test.\n\nEvaluations are hard. We will meet on Fridays.\n\nThen we deploy.",
               "We test.\n\nThen we deploy.")
    assert "removed" in hunk.signals
    assert hunk.severity == "high"
    assert any("outcome X" in b and "codebook 4" in b for b in hunk.because)


def test_capitalised_required_in_a_defined_term_does_not_bind() -> None:
    hunk = one("Intro.\n\nCapability Thresholds Required Safeguards\n", "Intro.\n")
    assert "removed" not in hunk.signals


def test_a_prediction_with_will_does_not_bind() -> None:
    hunk = one("We test models. Some domains will become more relevant for evaluation. Done.",
               "We test models. Done.")
    assert "removed" not in hunk.signals


def test_descriptive_require_and_does_not_do_not_bind() -> None:
    hunk = one("We test models. Cyberattacks currently require expertise. The model does not pose "
               "a threat to evaluations. Done.", "We test models. Done.")
    assert "removed" not in hunk.signals


def test_noun_commitments_alone_does_not_bind_but_commitment_to_does() -> None:
    assert "removed" not in one("We test. We thank ARC for our commitments on evaluations. Go.",
                                "We test. Go.").signals
    assert "removed" in one("We test. We made a commitment to publish evaluations. Go.",
                            "We test. Go.").signals


def test_function_words_only_in_a_commitment_is_not_reworded() -> None:
    hunk = one("We will evaluate the models at the checkpoint.",
               "We will evaluate these models at a checkpoint.")
    assert "reworded" not in hunk.signals
    assert hunk.severity == "low"  # only the form changed: nothing to weigh


def test_adjacent_high_hunks_in_one_section_merge_into_one() -> None:
    head = "## Evaluations\n\nIntro stays.\n\n"
    old = head + "We will publish evaluation results.\n\nWe will run 4 evaluations.\n\nEnd stays.\n"
    new = head + "We may publish evaluation results.\n\nWe will run 2 evaluations.\n\nEnd stays.\n"
    result = compare(old, new)
    high = [h for h in result.hunks if h.severity == "high"]
    assert len(high) == 1
    assert {"weakened", "numeric"} <= set(high[0].signals)
    assert "We will run 2 evaluations." in high[0].new


def test_high_hunks_separated_by_unchanged_text_stay_separate() -> None:
    head = "## Evaluations\n\n"
    old = head + "We will publish evaluation results.\n\nMiddle stays.\n\nWe will run 4 evaluations.\n"
    new = head + "We may publish evaluation results.\n\nMiddle stays.\n\nWe will run 2 evaluations.\n"
    assert [h.severity for h in compare(old, new).hunks] == ["high", "high"]


# --- calibration rules: descriptions and forecasts are not commitments ---------------


@pytest.mark.parametrize(
    "sentence",
    [
        "We believe monitoring gradations of risk will enable us to apply tailored mitigations.",
        "There is a risk that they will be used to intentionally cause harm with cyber weapons.",
        "Our early guess (to be updated later) is that ASL-4 will involve state-level actors.",
        "Safety features however will be very important in the deployment measures for ASL-3.",
        "If the model misunderstands the evaluation task, we will consider updating it.",
        "We do not yet know the right deployment measures for ASL-4 systems.",
    ],
)
def test_a_forecast_or_epistemic_sentence_does_not_bind(sentence: str) -> None:
    assert not Classifier().is_commitment(sentence)


def test_a_will_after_a_condition_clause_and_comma_still_binds() -> None:
    text = "Before we first train ASL-3 models (i.e. when ASL-3 evaluations are triggered), we will define ASL-4."
    assert Classifier().is_commitment(text)


def test_they_will_binds_when_they_are_named_officers() -> None:
    assert Classifier().is_commitment("Each quarter, they will share a report with the board.")


def test_a_rewritten_definition_with_must_possess_is_not_high() -> None:
    h = one(
        "Intro.\n\nWe determine CCLs by analyzing several high-risk domains: we identify the paths through which a model could cause harm, and define the CCLs as the minimal set of capabilities a model must possess to do so.\n",
        "Intro.\n\nCCLs can be determined by identifying and analyzing the foreseeable paths through which a model could cause severe harm, and defining the CCLs as the minimal set of capabilities a model must possess to do so.\n",
    )
    assert "thresholds" in h.categories
    assert h.severity == "medium"


def test_a_bullet_given_a_run_in_label_and_number_is_not_high() -> None:
    result = compare(
        "## Security\n\n● Segmented system isolation must ensure limited blast radius of security measures.\n",
        "## Security\n\n4. Compartmentalization: Segmented system isolation must ensure limited blast radius of security measures.\n",
    )
    assert all(h.severity != "high" for h in result.hunks), result.hunks
    assert all("numeric" not in h.signals for h in result.hunks)


def test_a_removed_heading_without_binding_text_or_quantity_is_not_high() -> None:
    old = "## Intro\n\nText stays.\n\n## ASL-2 Commitments\n\n## Other\n\nMore text stays.\n"
    new = "## Intro\n\nText stays.\n\n## Other\n\nMore text stays.\n"
    hunks = [h for h in compare(old, new).hunks if "section_removed" in h.signals]
    assert hunks and hunks[0].severity == "medium"


def test_a_removed_section_that_binds_stays_high() -> None:
    old = "## Intro\n\nText stays.\n\n## ASL-3 Evaluations\n\nWe will run ASL-3 evaluations every three months.\n\n## Other\n\nMore text stays.\n"
    new = "## Intro\n\nText stays.\n\n## Other\n\nMore text stays.\n"
    hunks = [h for h in compare(old, new).hunks if "section_removed" in h.signals]
    assert hunks and hunks[0].severity == "high"


def test_a_hedged_duty_deleted_with_its_clause_is_weakened_not_strengthened() -> None:
    h = one(
        "Intro.\n\nDisk encryption provides a baseline but should be extended further by monitoring for scaled abuse of the model.\n",
        "Intro.\n\nDisk encryption provides a baseline.\n",
    )
    assert "weakened" in h.signals and "strengthened" not in h.signals
    assert h.severity == "high"


def test_dropping_a_lone_hedge_is_still_strengthened() -> None:
    h = one("We publish results where possible.", "We publish results.")
    assert "strengthened" in h.signals


def test_a_removed_description_under_an_uncategorized_heading_is_not_high() -> None:
    old = "## Intro\n\nText stays.\n\n## Framework\n\nWe define a series of capability thresholds that represent increasing risks.\n\n## Other\n\nMore text stays.\n"
    new = "## Intro\n\nText stays.\n\n## Other\n\nMore text stays.\n"
    hunks = [h for h in compare(old, new).hunks if "section_removed" in h.signals]
    assert hunks and "thresholds" in hunks[0].categories
    assert hunks[0].severity == "medium"


def test_label_prefix_dropped_is_not_high() -> None:
    hunk = one("CBRN-3: We will apply ASL-3 safeguards to such models.",
               "We will apply ASL-3 safeguards to such models.")
    assert hunk.severity in ("none", "low", "medium")
    assert "numeric" not in hunk.signals


@pytest.mark.parametrize("label", ["CBRN Tier 3:", "Chemical and biological weapons:"])
def test_a_label_renamed_for_the_same_level_is_not_high(label: str) -> None:
    head = "# Capability thresholds\n\n"
    hunk = one(head + "CBRN-3: We will apply ASL-3 safeguards to such models.",
               head + f"{label} We will apply ASL-3 safeguards to such models.")
    assert hunk.severity != "high"


@pytest.mark.parametrize("label", ["CBRN-4:", "Cyber-3:"])
def test_a_label_renamed_to_another_level_or_domain_is_still_high(label: str) -> None:
    head = "# Capability thresholds\n\n"
    hunk = one(head + "CBRN-3: We will apply ASL-3 safeguards to such models.",
               head + f"{label} We will apply ASL-3 safeguards to such models.")
    assert hunk.severity == "high"


def test_renamed_term_with_same_meaning_is_not_high() -> None:
    hunk = one("We will run evaluations before each release of a frontier model.",
               "We will run evaluations before each deployment of a frontier model.")
    assert hunk.severity != "high"


def test_publication_date_change_is_not_high() -> None:
    hunk = one("Published: 12 May 2025. We will publish a report.",
               "Published: 3 June 2025. We will publish a report.")
    assert hunk.severity != "high"


def test_a_publication_date_changed_in_a_heading_is_low_at_most() -> None:
    result = compare("## Safety Policy\n\n## Published: March 4, 2025\n\n## Overview\n\n"
                     "We will publish a report on each model.\n",
                     "## Safety Policy\n\n## Published: March 4, 2026\n\n## Overview\n\n"
                     "We will publish a report on each model.\n")
    assert result.hunks and result.severity in ("none", "low")


def test_an_exception_added_after_a_commitments_examples_is_high() -> None:
    old = ("## Deployment safeguards\n\nWe will filter the outputs of each frontier model, "
           "e.g. for weapons uplift and for malware.\n")
    new = ("## Deployment safeguards\n\nWe will filter the outputs of each frontier model, "
           "e.g. for weapons uplift and for malware, unless a customer opts out.\n")
    hunk = one(old, new)
    assert hunk.severity == "high" and hunk.direction == "weakened"


def test_carve_out_added_to_a_commitment_is_high_and_weakened() -> None:
    hunk = one("We will publish the evaluation results for each frontier model.",
               "We will publish the evaluation results for each frontier model, unless the "
               "information is already public.")
    assert hunk.severity == "high"
    assert hunk.direction == "weakened"
    assert any("6 consequence" in b for b in hunk.because)


def test_scope_narrowed_from_all_to_external_deployments_is_high() -> None:
    hunk = one("We will evaluate models before all deployments for CBRN risks.",
               "We will evaluate models before external deployments for CBRN risks.")
    assert hunk.severity == "high"
    assert hunk.direction == "weakened"


def test_level_suffix_is_material() -> None:
    hunk = one("Models at Level 2 require enhanced security measures that we will apply.",
               "Models at Level 2+ require enhanced security measures that we will apply.")
    assert hunk.severity == "high"


def test_level_suffix_in_a_commitment_naming_no_category_is_material() -> None:
    hunk = one("We will apply enhanced protections to models at Level 2.",
               "We will apply enhanced protections to models at Level 2+.")
    assert hunk.severity == "high"
    assert any("2+" in b for b in hunk.because if b.startswith("high because"))


def test_will_to_commit_is_not_material_but_will_to_aim_is() -> None:
    same = one("We will publish a capability report for every model.",
               "We commit to publish a capability report for every model.")
    assert same.severity != "high"
    weaker = one("We will publish a capability report for every model.",
                 "We aim to publish a capability report for every model.")
    assert weaker.severity == "high" and weaker.direction == "weakened"


def test_added_threshold_definition_is_high() -> None:
    hunk = one("# Capability Thresholds\n\nCBRN-3: The ability to significantly assist novices.",
               "# Capability Thresholds\n\nCBRN-3: The ability to significantly assist novices.\n\n"
               "CBRN-4: The ability to substantially uplift state programmes in weapons development.")
    assert hunk.severity == "high"
    assert hunk.direction == "added"


def test_result_reports_direction_and_old_json_without_it_still_loads() -> None:
    from differ import DiffResult

    result = compare("We will publish a capability report for every model.",
                     "We may publish a capability report for every model.")
    assert result.direction == "weakened"
    data = result.to_json()
    assert data["direction"] == "weakened"
    legacy = {k: v for k, v in data.items() if k != "direction"}
    legacy["hunks"] = [{k: v for k, v in h.items() if k != "direction"} for h in data["hunks"]]
    assert DiffResult.from_json(legacy).direction == ""


ALIGN_BASE = """# Policy

## Evaluations

We will evaluate every frontier model for CBRN risks before deployment.

We will publish a capability report for every frontier model.

## Governance

The board will review this policy every year.

Our staff may report noncompliance to the RSO anonymously.

## Recommendations for industry

Developers should share safety research with each other.
"""


@pytest.mark.parametrize("marker", ["- ", "1. ", "(a) ", "● "])
def test_rebulleted_or_renumbered_commitments_are_cosmetic(marker: str) -> None:
    new = ALIGN_BASE.replace("We will evaluate every", marker + "We will evaluate every")
    result = compare(ALIGN_BASE, new)
    assert result.severity == "none"
    assert not any({"removed", "weakened"} & set(h.signals) for h in result.hunks)


def test_commitment_moved_verbatim_to_another_section_is_moved_not_removed() -> None:
    sentence = "We will publish a capability report for every frontier model.\n\n"
    new = ALIGN_BASE.replace(sentence, "").replace("Our staff may", sentence + "Our staff may")
    result = compare(ALIGN_BASE, new)
    assert result.severity != "high"
    assert all("moved" in h.signals and "removed" not in h.signals for h in result.hunks)


def test_commitment_moved_into_the_recommendations_part_is_weakened() -> None:
    sentence = "We will publish a capability report for every frontier model.\n\n"
    new = ALIGN_BASE.replace(sentence, "").replace("Developers should", sentence + "Developers should")
    result = compare(ALIGN_BASE, new)
    assert result.severity == "high"
    assert result.direction == "weakened"
    assert any("non-binding part" in b for h in result.hunks for b in h.because)


def test_added_carve_out_sentence_is_a_weakening_not_an_addition() -> None:
    new = ALIGN_BASE.replace(
        "for every frontier model.\n",
        "for every frontier model.\n\nModels fine-tuned from a model below the High threshold "
        "will ordinarily not require additional safety measures.\n",
    )
    result = compare(ALIGN_BASE, new)
    assert result.severity == "high"
    assert result.direction == "weakened"


def test_advice_to_others_added_in_a_recommendations_part_is_not_high() -> None:
    old = "# Policy\n\n## Recommendations for industry\n\nDevelopers should share research.\n"
    new = old + "\nDevelopers should also publish their safety frameworks and update them yearly.\n"
    assert compare(old, new).severity != "high"


def test_scope_word_above_in_a_cross_reference_is_not_a_narrowing() -> None:
    hunk = one("All reports are kept on a secure platform, accessible only to the case manager.",
               "All reports are kept on a secure platform, accessible only to the case manager "
               "named above.")
    assert not any("scope narrowed" in b for b in hunk.because)


@pytest.mark.parametrize(
    ("sentence", "category"),
    [
        ("We will make the evaluation results public within a month.", "publication"),
        ("We will release a public summary of each risk assessment.", "publication"),
        ("We report serious incidents as required by regulation.", "publication"),
        ("We track risks of loss of control over advanced systems.", "alignment"),
    ],
)
def test_lexicon_gaps_are_categorised(sentence: str, category: str) -> None:
    assert category in Classifier().text_categories([sentence])


def test_cadence_lengthened_is_high_and_weakened() -> None:
    hunk = one("We will run comprehensive evaluations of each frontier model every 3 months.",
               "We will run comprehensive evaluations of each frontier model every 6 months.")
    assert hunk.severity == "high"
    assert "numeric" in hunk.signals


def test_quantitative_anchor_dropped_is_high() -> None:
    hunk = one("# ML R&D\n\nUplift level 1: can accelerate AI development, substantially "
               "accelerating progress (e.g. 2x) from 2020-2024 rates.",
               "# ML R&D\n\nUplift level 1: can accelerate AI development, substantially "
               "accelerating progress from historical rates.")
    assert hunk.severity == "high"


def test_removed_present_tense_policy_statement_is_high() -> None:
    old = ("# Evaluations\n\nIntro stays here for context.\n\n"
           "We conduct red-teaming of every frontier model before external deployment.\n\n"
           "Outro stays here too.\n")
    new = "# Evaluations\n\nIntro stays here for context.\n\nOutro stays here too.\n"
    result = compare(old, new)
    assert result.severity == "high"
    assert result.direction == "removed"


def test_removed_threshold_definition_is_high() -> None:
    old = ("# Capability Thresholds\n\nCBRN-3: The ability to significantly assist novices in "
           "creating weapons.\n\nCBRN-4: The ability to substantially uplift state programmes in "
           "weapons development.\n")
    new = ("# Capability Thresholds\n\nCBRN-3: The ability to significantly assist novices in "
           "creating weapons.\n")
    result = compare(old, new)
    assert result.severity == "high"
    assert result.direction == "removed"


def test_change_to_an_illustrative_example_is_not_material() -> None:
    hunk = one("We will evaluate models for dangerous capabilities (e.g., biology, chemistry).",
               "We will evaluate models for dangerous capabilities (e.g., biology, cyber).")
    assert not any(b.startswith("materiality:") for b in hunk.because)
    assert hunk.severity != "high"


def test_scope_defining_enumeration_shortened_is_still_high() -> None:
    hunk = one("We will evaluate models for dangerous capabilities, including biology and "
               "cyber offence, before deployment.",
               "We will evaluate models for dangerous capabilities, including biology, before "
               "deployment.")
    assert hunk.severity == "high"
