"""Prose the codebook calls not material never rates high, however binding its words look.

Background, history, rationale, forecasts, descriptions of the document and other actors'
duties hold modals ("a public commitment not to", "so will the need", "must") without binding
the author; the commitments they sit next to still rate high when they change.
"""

from __future__ import annotations

import pytest

from differ.compare import compare

KEPT = (
    "## 4. Deployment Safeguards\n\n"
    "We will apply classifier guards to every deployed model before release.\n\n"
)


def removed(paragraph: str) -> list[str]:
    """Severities when ``paragraph`` is deleted from a categorized section."""
    old = KEPT + paragraph + "\n\nWe will publish a summary of our safeguards each year.\n"
    new = KEPT + "We will publish a summary of our safeguards each year.\n"
    return [h.severity for h in compare(old, new).hunks]


def test_a_history_of_the_policys_release_is_not_a_removed_commitment() -> None:
    severities = removed(
        "In September 2023, we released our scaling policy, a public commitment not to deploy "
        "models capable of catastrophic harm unless safeguards keep risks acceptable."
    )
    assert "high" not in severities


def test_a_correlative_forecast_of_stronger_safeguards_is_not_a_commitment() -> None:
    severities = removed(
        "As model capabilities increase, so will the need for stronger deployment safeguards."
    )
    assert "high" not in severities


def test_a_will_that_only_states_an_effect_is_not_a_commitment() -> None:
    severities = removed(
        "Setting a pass-fail threshold for these safeguards will depend on other factors, such "
        "as the quality of monitoring."
    )
    assert "high" not in severities


def test_what_an_adversary_must_do_binds_no_one() -> None:
    severities = removed(
        "To misuse a deployed model, a malicious actor must first bypass the classifier "
        "safeguards and then chain many requests."
    )
    assert "high" not in severities


def test_a_description_of_the_documents_own_appendix_is_not_a_commitment() -> None:
    severities = removed(
        "The examples aim to provide insight on our thinking but should not be construed as a "
        "definitive checklist of the safeguards we will apply."
    )
    assert "high" not in severities


def test_a_real_commitment_removed_from_the_same_place_is_still_high() -> None:
    severities = removed(
        "We will restrict deployment of any model whose safeguards fail red-teaming."
    )
    assert "high" in severities


def test_adoption_made_to_depend_on_others_is_a_conditional_commitment() -> None:
    severities = removed(
        "Our adoption of the safeguards described in this Framework may depend on whether "
        "other developers across the field adopt similar safeguards."
    )
    assert "high" in severities


# --- numbers that place or cite, not quantities ------------------------------------------------


def one_hunk(old: str, new: str):
    hunks = compare(old, new).hunks
    assert len(hunks) == 1
    return hunks[0]


def test_a_changed_web_address_in_a_footnote_is_no_threshold_change() -> None:
    hunk = one_hunk(
        "## Capability Thresholds\n\nWe will evaluate models against each Critical Capability "
        "Level.\n\n1 See https://metr.org/blog/2023-09-26-rsp/ for background on thresholds.\n",
        "## Capability Thresholds\n\nWe will evaluate models against each Critical Capability "
        "Level.\n\n1 See https://metr.org/faisc for background on thresholds.\n",
    )
    assert "numeric" not in hunk.signals
    assert hunk.severity != "high"


def test_section_numbers_of_contents_entries_run_into_a_line_are_no_quantity() -> None:
    hunk = one_hunk(
        "## Capability Levels\n\nWe will evaluate models against each Critical Capability "
        "Level.\n\nMisuse: Mitigation approach and Critical Capability Levels\n",
        "## Capability Levels\n\nWe will evaluate models against each Critical Capability "
        "Level.\n\nMisuse: 2.1 Mitigation Approach 2.2 Critical Capability Levels\n",
    )
    assert "numeric" not in hunk.signals
    assert hunk.severity != "high"


def test_a_cross_reference_run_into_the_next_word_is_no_quantity() -> None:
    hunk = one_hunk(
        "## Capability Assessment\n\nIn general, as noted inSections 7.1.4and7.2.2,we will "
        "solicit expert feedback on each capability threshold report.\n",
        "## Capability Assessment\n\nExecutive approval: each capability threshold report will "
        "be sent to the CEO for final review.\n",
    )
    assert "numeric" not in hunk.signals


def test_a_changed_quantity_next_to_a_web_address_is_still_a_threshold_change() -> None:
    hunk = one_hunk(
        "## Capability Thresholds\n\nWe will evaluate at every 4x increase in Effective Compute "
        "(see https://example.org/compute).\n",
        "## Capability Thresholds\n\nWe will evaluate at every 6x increase in Effective Compute "
        "(see https://example.org/compute).\n",
    )
    assert "numeric" in hunk.signals and hunk.severity == "high"


def test_a_dropped_footnote_citing_sources_is_no_threshold_change() -> None:
    hunk = one_hunk(
        "## Capability Thresholds\n\nWe will evaluate models against each Critical Capability "
        "Level.\n\nMitigations Future work Acknowledgements 1 See https://example.org/a for "
        "thresholds.\n",
        "## Capability Thresholds\n\nWe will evaluate models against each Critical Capability "
        "Level.\n\nMisuse: Mitigation approach Misuse Critical Capability Levels\n",
    )
    assert "numeric" not in hunk.signals


# --- two different sentences set side by side ---------------------------------------------------


def test_a_deleted_duty_next_to_an_unrelated_new_line_is_a_removal_not_a_weakening() -> None:
    hunk = one_hunk(
        "## Risk Reports\n\nWe will publish a risk report every six months.\n\nOutside "
        "advice:We will collect advice from outsidespecialists when we design capability tests. We "
        "may also collect such advice before we take final decisions on the capability tests.\n\n"
        "We will share each report with the Board.\n",
        "## Risk Reports\n\nWe will publish a risk report every six months.\n\nClarity: The "
        "quality of the report’s writing and structure;\n\nWe will share each report with the "
        "Board.\n",
    )
    assert "weakened" not in hunk.signals
    assert "removed" in hunk.signals and hunk.severity == "high"


def test_two_unrelated_commitments_side_by_side_are_judged_as_removed_and_added() -> None:
    hunk = one_hunk(
        "## Risk Reports\n\nWe will publish a risk report every six months.\n\nThe report will be "
        "escalated to the CEO, who will decide any deployment-related issues.\n",
        "## Risk Reports\n\nWe will publish a risk report every six months.\n\nOverall risk "
        "assessment: We will provide an overall risk assessment.\n",
    )
    assert not any(b.startswith("materiality:") for b in hunk.because)
    assert {"removed", "added"} <= set(hunk.signals) and hunk.severity == "high"


# --- a section heading over background prose ----------------------------------------------------


def test_a_categorized_section_of_background_prose_removed_is_not_high() -> None:
    old = (
        "## 1. Approach\n\nWe will evaluate every model before deployment.\n\n"
        "## Addressing Risks of Loss of Control\n\nOne of the most salient risks of AI in the "
        "public mind is the loss of control of advanced systems. It is also possible that AI "
        "systems develop values misaligned with human interests.\n\n"
        "## 2. Governance\n\nThe Board reviews this policy every year.\n"
    )
    new = (
        "## 1. Approach\n\nWe will evaluate every model before deployment.\n\n"
        "## 2. Governance\n\nThe Board reviews this policy every year.\n"
    )
    assert all(h.severity != "high" for h in compare(old, new).hunks)


def test_a_categorized_section_where_the_author_acts_removed_is_high() -> None:
    old = (
        "## 1. Approach\n\nWe will evaluate every model before deployment.\n\n"
        "## Loss of Control Safeguards\n\nAcme trains its models to be honest and to obey an "
        "instruction hierarchy set by the operator.\n\n"
        "## 2. Governance\n\nThe Board reviews this policy every year.\n"
    )
    new = (
        "## 1. Approach\n\nWe will evaluate every model before deployment.\n\n"
        "## 2. Governance\n\nThe Board reviews this policy every year.\n"
    )
    assert "high" in [h.severity for h in compare(old, new).hunks]


def _without_section(section: str) -> tuple[str, str]:
    head = "## 1. Approach\n\nWe will evaluate every model before deployment.\n\n"
    tail = "## 2. Governance\n\nThe Board reviews this policy every year.\n"
    return head + section + tail, head + tail


def test_a_section_removed_whose_only_number_is_a_level_name_is_not_high() -> None:
    # "Level 2" names a threshold; in prose that binds nothing it is no quantity.
    old, new = _without_section(
        "## Level 2 Deployment Safeguards\n\nAlthough Level 2 models pose little risk of "
        "catastrophe, their use still raises legal and ethical concerns.\n\n")
    assert all(h.severity != "high" for h in compare(old, new).hunks)


def test_a_section_removed_holding_only_a_level_named_label_is_not_high() -> None:
    old, new = _without_section("## Appendix A: Level 2 Standard\n\nLevel 2 Security Standard:\n\n")
    assert all(h.severity != "high" for h in compare(old, new).hunks)


def test_a_section_removed_with_a_real_quantity_beside_a_level_is_still_high() -> None:
    old, new = _without_section(
        "## Level 2 Deployment Safeguards\n\nLevel 2 safeguards cover the 40 largest "
        "customers of the deployment platform.\n\n")
    assert "high" in [h.severity for h in compare(old, new).hunks]


# --- advice to others ---------------------------------------------------------------------------


def test_deleted_advice_to_other_developers_is_no_removed_commitment() -> None:
    severities = removed(
        "For each misuse risk, AI developers should run safeguard evaluations and report the "
        "results to their boards."
    )
    assert "high" not in severities


def test_a_deleted_recommendation_of_a_security_level_is_no_removed_commitment() -> None:
    severities = removed(
        "We recommend a security level for each of these deployment safeguards, reflecting the "
        "minimum appropriate protection."
    )
    assert "high" not in severities


def test_what_a_task_will_take_is_a_forecast_not_a_commitment() -> None:
    severities = removed(
        "Getting this right will be hard. It will take time, consultation "
        "with experts and continual updating."
    )
    assert "high" not in severities


def test_a_present_tense_disclaimer_is_no_commitment() -> None:
    severities = removed(
        "There are likely to be levels beyond these. We make no attempt to define them yet, "
        "except to note that some systems might be classed above them."
    )
    assert "high" not in severities


@pytest.mark.parametrize(("old", "new"), [
    ("described in Section 4.2", "described in Section 5.3"),
    ("(see Appendix B)", "(see Appendix C)"),
])
def test_a_renumbered_cross_reference_in_a_commitment_is_no_threshold_change(old: str,
                                                                           new: str) -> None:
    text = "## Capability Thresholds\n\nWe will apply the safeguards {} to such models.\n"
    hunk = one_hunk(text.format(old), text.format(new))
    assert "numeric" not in hunk.signals
    assert hunk.severity != "high"


def test_an_example_after_for_example_changed_is_not_high() -> None:
    text = ("## Capability Thresholds\n\nWe will evaluate models for dangerous capabilities, "
            "for example the ability to {}.\n")
    hunk = one_hunk(text.format("synthesise pathogens"), text.format("write malware"))
    assert hunk.severity != "high"
