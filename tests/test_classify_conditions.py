"""The classifier on conditions and criteria: what a commitment depends on is part of it."""

from __future__ import annotations

from differ.compare import compare


def one(old: str, new: str):  # noqa: ANN201 - a Hunk; kept short for readable tests
    result = compare(old, new)
    assert len(result.hunks) == 1, result.hunks
    return result.hunks[0]


def test_a_condition_on_other_developers_is_the_commitments_trigger() -> None:
    kept = "We will not deploy a model that crosses the line without strong safeguards."
    hunk = one(
        kept,
        kept + " If another frontier developer releases such a model first, we may relax this.",
    )
    assert {"response", "thresholds"} <= set(hunk.categories)
    assert hunk.severity == "high"


def test_a_section_of_commitments_tied_to_competitors_is_about_triggers() -> None:
    hunk = one(
        "## Appendix B: Glossary\n\nTerms are defined here.",
        "## Appendix B: Glossary\n\nTerms are defined here.\n\n"
        "## Appendix C: Commitments Related to Competitors\n\n"
        "We will match the safeguards of the most careful competitor.",
    )
    assert "thresholds" in hunk.categories


CRITERIA = (
    "## 2. Tracked capabilities\n\n"
    "We treat a capability as a Tracked Category if it creates a risk that meets these criteria:\n\n"
    "1. Plausible: A causal pathway to a severe harm can be identified.\n\n"
    "2. Measurable: Evaluations can track the potential for the harm.\n\n"
    "3. Severe: The harm would reach thousands of people.\n\n"
    "4. Irremediable: Once realized, the harm cannot be undone.\n"
)


def _criterion_hunk(old: str, new: str):  # noqa: ANN202 - a Hunk
    (hunk,) = [h for h in compare(old, new).hunks if "Irremediable" in h.old + h.new]
    return hunk


def test_a_criterion_added_to_a_threshold_definition_is_high_without_a_modal() -> None:
    old = CRITERIA.replace("\n4. Irremediable: Once realized, the harm cannot be undone.\n", "")
    hunk = _criterion_hunk(old, CRITERIA)
    assert hunk.severity == "high" and "added" in hunk.signals
    assert any("item of the list the commitment" in b for b in hunk.because)


def test_a_criterion_removed_from_a_threshold_definition_is_high() -> None:
    old = CRITERIA
    new = CRITERIA.replace("\n4. Irremediable: Once realized, the harm cannot be undone.\n", "")
    assert _criterion_hunk(old, new).severity == "high"


def test_items_of_a_list_that_defines_no_threshold_stay_below_high() -> None:
    old = CRITERIA.replace("We treat a capability as a Tracked Category if it creates a risk "
                           "that meets these criteria:", "This report describes four themes:")
    new = old.replace("\n4. Irremediable: Once realized, the harm cannot be undone.\n", "")
    assert _criterion_hunk(old, new).severity != "high"


def test_a_criterion_added_far_below_its_lead_in_is_judged_with_it() -> None:
    from differ.compare import _compare_full

    before = "".join(f"Paragraph {i} describes the background at length.\n\n" for i in range(20))
    more = "".join(f"\n{n}. Criterion {n}: The harm is of kind {n}.\n" for n in range(5, 12))
    old = before + CRITERIA + more
    new = old + "\n12. Lasting: The harm persists for years.\n"
    result = compare(old, new)
    assert result == _compare_full(old, new)
    (hunk,) = [h for h in result.hunks if "Lasting" in h.new]
    assert hunk.severity == "high"


POLICY = "## 1. Reporting\n\nWe will investigate every report within 30 days.\n\n## Change Log\n\n"


def _entry_hunk(entry: str, old: str = POLICY):  # noqa: ANN202 - a Hunk
    first = "March 2025 First version of this policy, setting out its purpose.\n"
    (hunk,) = compare(old + first, old + first + "\n" + entry + "\n").hunks
    return hunk


def test_a_new_changelog_entry_naming_a_class_of_commitments_is_high() -> None:
    hunk = _entry_hunk("June 2026 Introduced a pathway for informal inquiries and added two "
                       "reporting channels.")
    assert hunk.severity == "high"
    assert any("changelog announces a revision" in b for b in hunk.because)


def test_an_editorial_changelog_entry_stays_below_high() -> None:
    assert _entry_hunk("June 2026 Fixed typos and formatting.").severity != "high"


def test_the_same_account_outside_a_changelog_is_no_announcement() -> None:
    old = POLICY.replace("## Change Log", "## Background")
    hunk = _entry_hunk("June 2026 Introduced a pathway for informal inquiries and added two "
                       "reporting channels.", old)
    assert not any("changelog announces" in b for b in hunk.because)


def test_a_number_changed_in_a_criterion_is_high() -> None:
    old = CRITERIA.replace("reach thousands of people", "reach at least 1000 people")
    hunk = one(old, old.replace("at least 1000", "at least 100000"))
    assert hunk.severity == "high" and "numeric" in hunk.signals


def test_a_criterion_narrowed_in_scope_is_a_high_weakening() -> None:
    old = CRITERIA.replace("the harm cannot be undone", "the harm cannot be undone in every country")
    hunk = one(old, old.replace("in every country", "in some countries"))
    assert hunk.severity == "high" and "weakened" in hunk.signals
