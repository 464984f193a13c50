"""The severity policy: the differ's verdict on two texts, weighed with the cycle's facts."""

from __future__ import annotations

from differ.compare import compare
from differ.model import SIGNALS
from differ.policy import Facts, decide

OLD = "We will evaluate every model before release. We publish results within 90 days."
NEW = "We will evaluate every model before release. We publish results within 30 days."


def test_without_facts_the_differs_verdict_stands() -> None:
    diff = compare(OLD, NEW)
    decision = decide(diff)
    assert (decision.severity, decision.signals, decision.summary) == (
        diff.severity, diff.signals, diff.summary)


def test_a_reupload_with_the_same_words_is_medium() -> None:
    decision = decide(None, Facts(reupload=True))
    assert decision.severity == "medium"
    assert decision.signals == ("silent_reupload",)


def test_a_replaced_document_is_medium_and_its_summary_names_both_urls() -> None:
    decision = decide(None, Facts(replaced=("https://a.example/v1.pdf", "https://a.example/v2.pdf")))
    assert decision.severity == "medium"
    assert "document_replaced" in decision.signals
    assert decision.summary == "Document replaced: https://a.example/v1.pdf → https://a.example/v2.pdf"


def test_a_reupload_never_lowers_a_high_change() -> None:
    high = {"severity": "high", "categories": ["thresholds"], "signals": ["numeric"],
            "summary": "threshold lowered", "hunks": []}
    assert decide(high, Facts(reupload=True)).severity == "high"


def test_a_revert_is_low_whatever_the_diff_says_and_names_the_version() -> None:
    high = {"severity": "high", "categories": ["thresholds"], "signals": ["numeric"],
            "summary": "threshold lowered", "hunks": []}
    decision = decide(high, Facts(reverted=7, reupload=True))
    assert decision.severity == "low"
    assert decision.signals[0] == "reverted"
    assert decision.summary.startswith("Reverted to the text of version 7; ")
    assert decision.diff["reverted_to"] == 7


def test_a_technical_reextraction_is_never_alerted() -> None:
    decision = decide(compare(OLD, NEW), Facts(technical="new rules"))
    assert (decision.severity, decision.signals) == ("none", ("technical",))
    assert decision.summary.startswith("Technical: re-extracted with new rules (")
    assert decision.diff["technical"] is True


def test_a_removed_document_is_high_with_no_hunks() -> None:
    decision = decide(None, Facts(removed="https://a.example/ answers HTTP 404"))
    assert (decision.severity, decision.signals) == ("high", ("removed",))
    assert decision.summary == "Document removed: https://a.example/ answers HTTP 404"
    assert decision.diff["hunks"] == []


def test_a_kinds_lead_comes_first_and_keeps_the_severity() -> None:
    decision = decide(compare(OLD, NEW), Facts(lead="new document published: Policy v2"))
    assert decision.summary.startswith("new document published: Policy v2; ")
    assert decision.severity == compare(OLD, NEW).severity


def test_the_stored_diff_says_what_the_change_says() -> None:
    decision = decide(compare(OLD, NEW), Facts(reupload=True, lead="lead"))
    assert decision.diff["severity"] == decision.severity
    assert tuple(decision.diff["signals"]) == decision.signals
    assert decision.diff["summary"] == decision.summary


def test_extra_diff_keys_are_kept() -> None:
    diff = {**compare(OLD, NEW).to_json(), "commitments": [{"outcome": "weakened"}]}
    assert decide(diff, Facts(reupload=True)).diff["commitments"] == [{"outcome": "weakened"}]


def test_every_signal_the_policy_adds_is_in_the_vocabulary() -> None:
    facts = [Facts(reupload=True), Facts(replaced=("a", "b")), Facts(reverted=1),
             Facts(technical="x"), Facts(removed="gone")]
    added = {s for f in facts for s in decide(None, f).signals}
    assert added <= set(SIGNALS)
