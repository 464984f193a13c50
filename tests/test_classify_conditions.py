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
