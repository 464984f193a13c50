"""A commitment whose responsible party, disclosure audience or modal force moves is material
(codebook 5: actor, disclosure scope, obligation strength): high, weakened, and ``because`` names
the dimension. That holds when the new wording no longer reads as a commitment on its own ("the
team may maintain"): it is still the old commitment's counterpart (codebook 3)."""

from __future__ import annotations

import pytest

from differ.compare import compare
from differ.model import Hunk

POLICY = ("## 4. Operations\n\n"
          "This part of the document sets out how the work is organised.\n\n"
          "{sentence}\n\n"
          "## 5. Other matters\n\n"
          "This document is revised from time to time.\n")


def hunk(old_sentence: str, new_sentence: str) -> Hunk:
    hunks = compare(POLICY.format(sentence=old_sentence),
                    POLICY.format(sentence=new_sentence)).hunks
    assert len(hunks) == 1, hunks
    return hunks[0]


def high_because(h: Hunk) -> str:
    return next(b for b in h.because if b.startswith("high because "))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("The Board will approve each deployment of a frontier model.",
         "Management will approve each deployment of a frontier model."),
        ("The Responsible Scaling Officer will review every capability report.",
         "A staff member will review every capability report."),
        ("An independent third party will audit our compliance with this policy every year.",
         "Our internal team will audit our compliance with this policy every year."),
    ],
)
def test_a_commitment_whose_responsible_party_changes_is_a_high_actor_weakening(
        old: str, new: str) -> None:
    h = hunk(old, new)
    assert h.severity == "high" and h.direction == "weakened"
    assert "3 actor" in high_because(h)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("We will give the AISI access to each model before release.",
         "We will give our internal red team access to each model before release."),
        ("Our controls will be audited by an external firm each year.",
         "Our controls will be audited by our internal audit group each year."),
    ],
)
def test_an_outside_party_replaced_by_the_companys_own_people_is_an_actor_weakening(
        old: str, new: str) -> None:
    h = hunk(old, new)
    assert h.severity == "high" and h.direction == "weakened"
    assert "3 actor" in high_because(h)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Authority to pause training is delegated by the CEO to the Chief Scientist.",
         "Authority to pause training is delegated by the CEO to a product manager."),
        ("The Head of Security approves each frontier model release.",
         "A team lead approves each frontier model release."),
        ("The Model Safety Council reviews each capability report before release.",
         "The product team reviews each capability report before release."),
    ],
)
def test_a_decision_handed_from_an_officer_or_council_to_line_staff_is_a_high_actor_weakening(
        old: str, new: str) -> None:
    h = hunk(old, new)
    assert h.severity == "high" and h.direction == "weakened"
    assert "3 actor" in high_because(h)


def test_an_officer_renamed_by_the_abbreviation_of_the_title_is_below_high() -> None:
    h = hunk("The Chief Security Officer (CSO) approves each frontier model release.",
             "The CSO approves each frontier model release.")
    assert h.severity != "high"


def test_a_permission_whose_holder_changes_is_a_high_actor_change() -> None:
    h = hunk("Where necessary, the Board may reverse a decision and mandate a revised course.",
             "Where necessary, management may reverse a decision and mandate a revised course.")
    assert h.severity == "high"
    assert "3 actor" in high_because(h)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("We will publish the results of our capability evaluations.",
         "We will share the results of our capability evaluations with relevant government "
         "bodies."),
        ("We will publicly release a summary of each risk assessment.",
         "We will make a summary of each risk assessment available on request."),
        ("We will publish the system card for each frontier model.",
         "We will make the system card for each frontier model available on request."),
    ],
)
def test_a_narrowed_disclosure_is_a_high_disclosure_weakening(old: str, new: str) -> None:
    h = hunk(old, new)
    assert h.severity == "high" and h.direction == "weakened"
    assert "5 disclosure scope" in high_because(h)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("We will run the full evaluation suite before each deployment.",
         "We aim to run the full evaluation suite before each deployment."),
        ("We will run the full evaluation suite before each deployment.",
         "We intend to run the full evaluation suite before each deployment."),
        ("Staff must report any incident to the Responsible Scaling Officer.",
         "Staff should report any incident to the Responsible Scaling Officer."),
        ("Staff must report any incident within 24 hours.",
         "Staff are expected to report any incident within 24 hours."),
        ("We will always conduct a review before deployment.",
         "We will typically conduct a review before deployment."),
        ("We will usually seek feedback from trusted external parties.",
         "We aim to usually seek feedback from trusted external parties."),
        ("We will conduct a review before every deployment.",
         "We would like to conduct a review before every deployment."),
    ],
)
def test_a_weakened_modal_is_a_high_obligation_weakening(old: str, new: str) -> None:
    h = hunk(old, new)
    assert h.severity == "high" and h.direction == "weakened"
    assert "4 obligation strength" in high_because(h)


def test_a_weakened_modal_in_an_uncategorised_commitment_is_high() -> None:
    h = hunk("The team will maintain the list of tracked risks.",
             "The team may maintain the list of tracked risks.")
    assert h.categories == ()
    assert h.severity == "high" and h.direction == "weakened"
    assert "4 obligation strength" in high_because(h)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("CBRN-3: A model that could significantly uplift novices to create biological weapons.",
         "CBRN-3: A model that could significantly uplift experts to create biological weapons."),
        ("Critical capability level: the model can enable a moderately resourced group to "
         "disable a power grid.",
         "Critical capability level: the model can enable a well-resourced group to disable a "
         "power grid."),
    ],
)
def test_a_threshold_about_more_capable_actors_is_a_high_threshold_weakening(
        old: str, new: str) -> None:
    h = hunk(old, new)
    assert h.severity == "high" and h.direction == "weakened"
    assert "2 threshold/trigger: population" in high_because(h)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Cyber uplift level 1: A model that could enable moderately resourced state programs "
         "to disrupt a national grid.",
         "Cyber uplift level 1: A model that could enable state programs to disrupt a national "
         "grid."),
        ("CBRN-4: The ability to substantially uplift experts in building a radiological device.",
         "CBRN-4: The ability to substantially uplift top-tier experts in building a "
         "radiological device."),
    ],
)
def test_a_qualifier_dropped_or_added_to_a_threshold_population_is_high(
        old: str, new: str) -> None:
    h = hunk(old, new)
    assert h.severity == "high"
    assert "2 threshold/trigger: population qualifier" in high_because(h)


def test_a_qualifier_that_grades_no_capacity_on_a_threshold_population_is_below_high() -> None:
    h = hunk("CBRN-4: The ability to substantially uplift experts in building a radiological "
             "device.",
             "CBRN-4: The ability to substantially uplift relevant experts in building a "
             "radiological device.")
    assert h.severity != "high"


def test_a_population_qualifier_dropped_outside_a_threshold_definition_is_below_high() -> None:
    h = hunk("We will offer moderately resourced state programs a briefing on our safeguards.",
             "We will offer state programs a briefing on our safeguards.")
    assert h.severity != "high"


def test_a_scope_defining_enumeration_shortened_in_a_commitment_is_a_high_scope_narrowing(
) -> None:
    h = hunk("We review our safeguards every quarter, drawing on abuse reports; results of "
             "penetration tests; usage statistics; and revised risk models.",
             "We review our safeguards every quarter, drawing on field monitoring.")
    assert h.severity == "high" and h.direction == "weakened"
    assert "1 scope: scope-defining enumeration shortened (narrowed)" in high_because(h)


def test_an_item_dropped_from_what_a_commitment_includes_is_high() -> None:
    h = hunk("We will audit our vendors, including hosting providers and annotation "
             "contractors, every year.",
             "We will audit our vendors, including hosting providers, every year.")
    assert h.severity == "high" and h.direction == "weakened"
    assert "'annotation contractors' dropped" in high_because(h)


def test_a_scope_defining_enumeration_lengthened_in_a_commitment_is_a_high_scope_broadening(
) -> None:
    h = hunk("Each quarterly review will draw on incident reports and usage statistics.",
             "Each quarterly review will draw on incident reports, usage statistics and staff "
             "interviews.")
    assert h.severity == "high" and h.direction == "strengthened"
    assert "1 scope: scope-defining enumeration lengthened (broadened)" in high_because(h)


@pytest.mark.parametrize("marker", ["such as", "for example"])
def test_an_item_dropped_from_an_illustrative_list_in_a_commitment_is_below_high(
        marker: str) -> None:
    h = hunk(f"We will audit our vendors, {marker} hosting providers and annotation "
             "contractors, every year.",
             f"We will audit our vendors, {marker} hosting providers, every year.")
    assert h.severity != "high"


def test_a_threshold_population_named_by_a_synonym_is_below_high() -> None:
    h = hunk("CBRN-3: A model that could significantly uplift novices to create biological weapons.",
             "CBRN-3: A model that could significantly uplift non-experts to create biological "
             "weapons.")
    assert h.severity != "high"
