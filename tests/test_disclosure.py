"""Disclosed or silent: traced commitment changes matched against the provider's account, by
the coders' rule (ANN / ANN-P / SIL / NCL), through the real commitment model."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import corpus_text

from differ.commitments import extract_commitments
from differ.disclosure import (
    account_for_pair,
    changelog_section,
    classify,
    in_changelog,
    is_empty_account,
    new_entries,
    rate_of_codes,
    silent_rate,
    universe_of,
)
from differ.trace import trace_commitments

OLD = """# Frontier Safety Policy

## 1. Capability thresholds

If a model reaches the Critical Capability Level for autonomy, we will pause training within 30 days.

We will publish a capability report for every frontier model.

We will give the AI Safety Institute access to our models for pre-deployment testing.
"""
NEW = """# Frontier Safety Policy

## 1. Capability thresholds

If a model reaches the Critical Capability Level for autonomy, we may pause training within 90 days.

We may share a capability report for some frontier models.
"""


def judged(account: str | None, old: str = OLD, new: str = NEW) -> dict[str, tuple[str, str]]:
    traced = trace_commitments(extract_commitments(old), extract_commitments(new))
    verdicts = classify(traced, account, universe_of(old, new))
    return {(t.new or t.old).text: (d.code, d.announced_by)  # type: ignore[union-attr]
            for t, d in zip(traced, verdicts, strict=True) if t.material}


def test_an_account_naming_the_commitment_and_its_direction_announces_it() -> None:
    line = "We replaced the 30-day pause commitment with a 90-day window."
    verdicts = judged(f"Version 2\n\n{line}\n")
    pause = next(v for k, v in verdicts.items() if "pause training" in k)
    assert pause == ("ANN", line)


def test_generic_lines_identify_no_change() -> None:
    verdicts = judged("Clarified language throughout. This is a comprehensive rewrite of the "
                      "policy with minor editorial updates.")
    assert {code for code, _ in verdicts.values()} == {"SIL"}
    assert all(words == "" for _, words in verdicts.values())


def test_naming_the_commitment_without_its_direction_is_partial() -> None:
    line = "We have updated our commitments on capability reports."
    verdicts = judged(line)
    report = next(v for k, v in verdicts.items() if "capability report" in k)
    assert report == ("ANN-P", line)


def test_no_account_at_all_is_no_changelog_and_the_rate_undefined() -> None:
    traced = trace_commitments(extract_commitments(OLD), extract_commitments(NEW))
    verdicts = classify(traced, None, universe_of(OLD, NEW))
    assert {d.code for t, d in zip(traced, verdicts, strict=True) if t.material} == {"NCL"}
    assert silent_rate(traced, verdicts).strict is None
    assert is_empty_account("# SOURCE: x\n\nNONE. Checked: the document itself.")


def test_strict_rate_counts_partial_announcements_as_silent_lenient_does_not() -> None:
    rate = rate_of_codes(["ANN", "ANN-P", "SIL", "SIL"])
    assert (rate.strict, rate.lenient, rate.material, rate.silent) == (0.75, 0.5, 4, 3)


def test_changelog_section_runs_over_its_entries_and_stops_at_the_next_appendix() -> None:
    text = ("# Policy\n\nWe will test.\n\n## A\n## Change log\n\nWe removed drills.\n\n"
            "## May 14, 2025 (v2)\n\nWe added reports.\n\n## B\n## Decision-making\n\nOther.\n")
    section = changelog_section(text)
    assert section is not None
    assert "removed drills" in section and "added reports" in section
    assert "Decision-making" not in section and "Other." not in section


def test_only_the_changelog_entries_new_in_this_version_account_for_it() -> None:
    old = "## Changelog\n\n## May 1, 2025 (v1)\n\nInitial version.\n"
    new = old + "\n## June 1, 2026 (v2)\n\nWe removed the pause commitment.\n"
    fresh = new_entries(changelog_section(old), changelog_section(new))
    assert fresh is not None and "removed the pause" in fresh and "Initial version" not in fresh
    assert account_for_pair(old, old) is None


def test_changelog_sentences_are_not_commitments_of_the_version() -> None:
    text = ("# Policy\n\n## 2. Evaluations\n\nWe will evaluate every frontier model before deployment.\n\n"
            "## Changelog\n\n## October 15, 2024\n\n"
            "Adjusted cadence: we will now evaluate every six months, and we require an affirmative case.\n\n"
            "## Appendix A\n\nWe will publish a capability report for every frontier model.\n")
    texts = [c.text for c in extract_commitments(text)]
    assert texts == ["We will evaluate every frontier model before deployment.",
                     "We will publish a capability report for every frontier model."]


def test_changelog_runs_over_entry_headings_and_ends_at_the_next_section() -> None:
    assert in_changelog("## Version history", False)
    assert in_changelog("## May 14, 2025 (RSP v2.2)", True)
    assert not in_changelog("## May 14, 2025 (RSP v2.2)", False)
    assert not in_changelog("## Appendix B: ASL-2 Standard", True)


# ---- the real corpus --------------------------------------------------------------------------

def pair(corpus: Path, old: str, new: str) -> tuple[str, str, list[str]]:
    account = corpus / f"{new}.revision-account.md"
    return (corpus_text(corpus / f"{old}.txt"), corpus_text(corpus / f"{new}.txt"),
            [account.read_text(encoding="utf-8")] if account.exists() else [])


def corpus_rate(corpus: Path, old: str, new: str) -> float | None:
    o, n, external = pair(corpus, old, new)
    traced = trace_commitments(extract_commitments(o), extract_commitments(n))
    verdicts = classify(traced, account_for_pair(o, n, external), universe_of(o, n))
    return silent_rate(traced, verdicts).strict


@pytest.mark.parametrize(("old", "new", "coders"), [
    ("anthropic-rsp__2023-09__v1.0", "anthropic-rsp__2024-10__v2.0", 42 / 75),
    ("openai-preparedness__2023-12__beta", "openai-preparedness__2025-04__v2", 25 / 41),
], ids=["rsp-v1-v2", "openai-beta-v2"])
def test_silent_revision_rate_is_near_the_coders_figure(corpus: Path, old: str, new: str,
                                                        coders: float) -> None:
    """changes.md quotes the coders' totals (silent / material) for these pairs; each pair's
    account is the in-document changelog."""
    rate = corpus_rate(corpus, old, new)
    assert rate is not None and abs(rate - coders) <= 0.15, (rate, coders)


def test_rsp_v3_2_external_review_is_announced_by_the_version_history(corpus: Path) -> None:
    o, n, external = pair(corpus, "anthropic-rsp__2026-04__v3.1", "anthropic-rsp__2026-04b__v3.2")
    traced = trace_commitments(extract_commitments(o), extract_commitments(n))
    verdicts = classify(traced, account_for_pair(o, n, external), universe_of(o, n))
    review = [(t, d) for t, d in zip(traced, verdicts, strict=True)
              if t.new is not None and "external review" in t.new.text and t.material]
    assert review and all(d.code == "ANN" and "LTBT" in d.announced_by for _, d in review)


def test_xai_publishes_no_account_so_every_change_is_no_changelog(corpus: Path) -> None:
    o, n, external = pair(corpus, "xai-faif__2025-12__v1", "xai-faif__2026-06__v2")
    assert external and is_empty_account(external[0])
    assert account_for_pair(o, n, external) is None
    assert corpus_rate(corpus, "xai-faif__2025-12__v1", "xai-faif__2026-06__v2") is None
