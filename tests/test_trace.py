"""Tracing commitments across two versions: counterparts, outcomes and the dimensions that moved."""

from __future__ import annotations

from pathlib import Path

from differ.commitments import extract_commitments
from differ.segment import strip_header
from differ.trace import TracedCommitment, trace_commitments

OLD = """# Policy

## 2. Evaluations

We will evaluate every frontier model for CBRN and cyber capabilities before deployment.
We will conduct a comprehensive assessment every 3 months.
We will give the AI Safety Institute pre-deployment access to our models.

## 3. Transparency

We will publish a capability report for every frontier model.
We will notify the board of any noncompliance within 30 days.
We will pause training if a model crosses a Capability Threshold.
"""


def trace(old: str, new: str) -> list[TracedCommitment]:
    return trace_commitments(extract_commitments(old), extract_commitments(new))


def one(traced: list[TracedCommitment], fragment: str) -> TracedCommitment:
    found = [t for t in traced if fragment in ((t.old.text if t.old else "") + (t.new.text if t.new else ""))]
    assert len(found) == 1, [(t.outcome, t.old and t.old.text, t.new and t.new.text) for t in found]
    return found[0]


def test_identical_versions_retain_everything() -> None:
    assert {t.outcome for t in trace(OLD, OLD)} == {"R"}


def test_renumbering_and_relocation_keep_the_counterpart() -> None:
    new = OLD.replace("## 2. Evaluations", "## 5. Testing").replace(
        "We will publish a capability report for every frontier model.\n", ""
    ) + "\n## 9. Reports\n\nWe will publish a capability report for every frontier model.\n"
    t = one(trace(OLD, new), "capability report")
    assert t.outcome == "R"
    assert t.old is not None and t.new is not None and t.old.section != t.new.section


def test_rewording_with_same_force_is_retained() -> None:
    new = OLD.replace("We will publish a capability report", "We commit to publishing a capability report")
    assert one(trace(OLD, new), "capability report").outcome == "R"


def test_modal_drift_will_to_aim_is_weakened_on_obligation_strength() -> None:
    new = OLD.replace("We will publish a capability report", "We aim to publish a capability report")
    t = one(trace(OLD, new), "capability report")
    assert (t.outcome, t.dims) == ("W", (4,))
    assert "'will'" in t.because and "aim to" in t.because


def test_cadence_lengthened_is_weakened_on_trigger() -> None:
    new = OLD.replace("every 3 months", "every 6 months")
    t = one(trace(OLD, new), "comprehensive assessment")
    assert t.outcome == "W" and 2 in t.dims
    assert "lengthened" in t.because


def test_cadence_shortened_is_strengthened() -> None:
    new = OLD.replace("every 3 months", "every 1 month")
    assert one(trace(OLD, new), "comprehensive assessment").outcome == "S"


def test_scope_narrowed_by_a_dropped_domain_is_weakened() -> None:
    new = OLD.replace("for CBRN and cyber capabilities", "for CBRN capabilities")
    t = one(trace(OLD, new), "evaluate every frontier model")
    assert t.outcome == "W" and 1 in t.dims


def test_third_party_removed_is_weakened_on_actor() -> None:
    new = OLD.replace(
        "We will give the AI Safety Institute pre-deployment access to our models.",
        "We will give internal teams pre-deployment access to our models.",
    )
    t = one(trace(OLD, new), "pre-deployment access")
    assert t.outcome == "W" and 3 in t.dims


def test_carve_out_added_is_weakened_on_consequence() -> None:
    new = OLD.replace(
        "We will pause training if a model crosses a Capability Threshold.",
        "We will pause training if a model crosses a Capability Threshold, unless another "
        "developer releases a comparable model.",
    )
    t = one(trace(OLD, new), "pause training")
    assert t.outcome == "W" and 6 in t.dims


def test_strengthening_and_weakening_together_code_weakened() -> None:
    new = OLD.replace("We will conduct a comprehensive assessment every 3 months.",
                      "We may conduct a comprehensive assessment every 1 month.")
    t = one(trace(OLD, new), "comprehensive assessment")
    assert t.outcome == "W" and {2, 4} <= set(t.dims)
    assert "MIX" in t.because


def test_deleted_commitment_is_removed_and_new_one_added() -> None:
    new = OLD.replace("We will notify the board of any noncompliance within 30 days.\n",
                      "We will publish a safeguards report before each external deployment.\n")
    traced = trace(OLD, new)
    assert one(traced, "noncompliance").outcome == "X"
    added = one(traced, "safeguards report")
    assert added.outcome == "A" and added.material


def test_move_into_recommendations_part_is_relocated() -> None:
    new = OLD.replace("We will pause training if a model crosses a Capability Threshold.\n", "") + (
        "\n## 6. Recommendations for industry\n\n"
        "Developers should pause training if a model crosses a Capability Threshold.\n"
    )
    t = one(trace(OLD, new), "pause training")
    assert t.outcome == "L" and t.material


def test_split_commitment_traces_both_halves_to_the_original() -> None:
    old = "# Transparency\n\nWe will publish a capability report and a safeguards report for every frontier model before deployment.\n"
    new = ("# Transparency\n\nWe will publish a capability report for every frontier model before deployment.\n\n"
           "Separately, we will also publish a safeguards report for every frontier model.\n")
    traced = trace(old, new)
    assert not [t for t in traced if t.outcome in ("A", "X")], [(t.outcome, t.because) for t in traced]


def test_merged_commitments_trace_to_the_merged_sentence() -> None:
    old = ("# Transparency\n\nWe will publish a capability report for every frontier model.\n\n"
           "Moreover, we will publish a safeguards report for every frontier model.\n")
    new = "# Transparency\n\nWe will publish a capability report and a safeguards report for every frontier model.\n"
    traced = trace(old, new)
    assert not [t for t in traced if t.outcome in ("A", "X")], [(t.outcome, t.because) for t in traced]


def test_to_json_shape_and_round_trip() -> None:
    new = OLD.replace("We will publish a capability report", "We may publish a capability report")
    for t in trace(OLD, new):
        d = t.to_json()
        assert set(d) == {"outcome", "dims", "old", "new", "because", "material"}
        assert TracedCommitment.from_json(d) == t


def test_silent_reupload_is_all_retained(corpus: Path) -> None:
    old = strip_header((corpus / "gdm-fsf__2025-02__v2.0.txt").read_text(encoding="utf-8"))
    new = strip_header(
        (corpus / "gdm-fsf__2025-02__v2.0-reupload-20250213.txt").read_text(encoding="utf-8"))
    assert {t.outcome for t in trace(old, new)} == {"R"}


def test_removed_unilateral_pause_in_rsp_v3_is_material(corpus: Path) -> None:
    old = strip_header((corpus / "anthropic-rsp__2025-05__v2.2.txt").read_text(encoding="utf-8"))
    new = strip_header((corpus / "anthropic-rsp__2026-02__v3.0.txt").read_text(encoding="utf-8"))
    traced = trace(old, new)
    pauses = [t for t in traced if t.old and "pause" in t.old.text.lower()]
    assert pauses and all(t.material for t in pauses if t.old and t.old.category == "response")


def test_disclosure_dropped_is_weakened_on_disclosure_scope() -> None:
    old = "# Transparency\n\nWe will notify the board and publish a summary of every safeguards report.\n"
    new = "# Transparency\n\nWe will notify the board of every safeguards report.\n"
    (t,) = trace(old, new)
    assert t.outcome == "W" and 5 in t.dims


def test_quantitative_anchor_dropped_from_a_threshold_is_weakened() -> None:
    old = ("# Capability Levels\n\nML R&D uplift level 1: can be used to accelerate AI progress "
           "substantially (e.g. 2x) relative to 2020-2024 rates.\n")
    new = ("# Capability Levels\n\nML R&D uplift level 1: can be used to accelerate AI progress "
           "substantially relative to historical rates.\n")
    (t,) = trace(old, new)
    assert t.outcome == "W" and 2 in t.dims
    assert "2x" in t.because


def test_will_to_present_tense_is_not_material() -> None:
    old = "# Evaluations\n\nWe will conduct red-teaming of every frontier model before deployment.\n"
    new = "# Evaluations\n\nWe conduct red-teaming of every frontier model before deployment.\n"
    (t,) = trace(old, new)
    assert t.outcome == "R"


def counted(traced: list[TracedCommitment]) -> list[TracedCommitment]:
    return [t for t in traced if t.material]


def test_summary_restating_a_commitment_is_counted_once() -> None:
    old = "# Reports\n\nWe will publish a capability report for every frontier model.\n"
    new = ("# Summary\n\nWe will publish a capability report for every frontier model before "
           "its deployment.\n\n# Reports\n\nWe will publish a capability report for every "
           "frontier model.\n")
    traced = trace(old, new)
    assert len(traced) == 2
    assert counted(traced) == [], [(t.outcome, t.because) for t in traced]


def test_rewritten_commitment_on_the_same_object_is_its_counterpart_not_a_removal() -> None:
    old = ("# Governance\n\nThe Responsible Scaling Officer will approve each deployment "
           "decision after reviewing the evidence.\n")
    new = ("# Internal governance\n\nWe will maintain the position of Responsible Scaling "
           "Officer, who signs off on launches and reports to the Board.\n")
    traced = trace(old, new)
    assert [t.outcome for t in traced if t.outcome in ("X", "A")] == []
    (t,) = traced
    assert t.old is not None and t.new is not None and t.material  # the Board is a new actor


def test_new_sentence_beside_a_retained_commitment_is_an_addition() -> None:
    old = "# Review\n\nWe will seek external review of every risk report.\n"
    new = ("# Review\n\nWe will seek external review of every risk report.\n\n"
           "Upon the board's request, we will also commission an external review of any "
           "report section.\n")
    traced = trace(old, new)
    assert [t.outcome for t in counted(traced)] == ["A"]


def test_elaboration_of_an_addition_is_one_addition() -> None:
    old = "# Policy\n\nWe will evaluate every frontier model before deployment.\n"
    new = (old + "\n# Readiness\n\nWe will develop internal procedures for incident scenarios."
           "\nWe will run drills each year to test our readiness for incident scenarios.\n")
    traced = trace(old, new)
    added = [t for t in traced if t.outcome == "A"]
    assert len(added) == 2 and len(counted(traced)) == 1


def test_uncounted_row_keeps_its_status_through_json() -> None:
    old = "# Reports\n\nWe will publish a capability report for every frontier model.\n"
    new = ("# Summary\n\nWe will publish a capability report for every frontier model.\n\n"
           "# Reports\n\nWe will publish a capability report for every frontier model.\n\n"
           "# Readiness\n\nWe will develop internal procedures for incident scenarios."
           "\nWe will run drills each year to test our readiness for incident scenarios.\n")
    for t in trace(old, new):
        assert TracedCommitment.from_json(t.to_json()) == t


def test_words_run_together_by_a_text_layer_are_retained() -> None:
    old = ("# Input\n\nExpert input: We will solicit input from external experts before each "
           "deployment (see Section 3).\n")
    new = ("# Input\n\nExpert input:We will solicit input from externalexperts before each "
           "deployment (seeSection 3).\n")
    (t,) = trace(old, new)
    assert t.outcome == "R"


def test_glued_words_do_not_hide_a_real_change() -> None:
    old = "# Input\n\nWe will solicit input from external experts every 3 months.\n"
    new = "# Input\n\nWe will solicit input from externalexperts every 6 months.\n"
    (t,) = trace(old, new)
    assert t.outcome == "W" and t.dims == (2,)


def test_commitment_whose_words_still_stand_is_not_removed() -> None:
    old = "# Security\n\nSegmented system isolation must ensure limited blast radius.\n"
    new = "# Security\n\nSegmented system isolation mustensure limited blast radius.\n"
    old_items, new_items = extract_commitments(old), extract_commitments(new)
    assert len(old_items) == 1 and new_items == []  # the glued modal is not read as one
    (t,) = trace_commitments(old_items, new_items, old_text=old, new_text=new)
    assert t.outcome == "R" and not t.material


def test_sentence_cut_by_a_page_break_keeps_its_counterpart() -> None:
    old = "# Governance\n\nOpenAI leadership might choose to re-appoint\n"
    new = ("# Governance\n\nOpenAI leadership may choose to re-appoint someone from previous "
           "years to ensure continuity.\n")
    (t,) = trace(old, new)
    assert t.old is not None and t.new is not None


def test_a_removed_lead_in_to_a_list_is_not_a_removal() -> None:
    items = ("We will encrypt model weights at rest.\n\n"
             "We will review vendor security every year.\n")
    old = f"# Security\n\nWe commit to the following security themes.\n\n{items}"
    new = f"# Security\n\n{items}"
    assert counted(trace(old, new)) == []


def test_an_added_lead_in_is_not_counted_but_its_new_items_are() -> None:
    old = "# Security\n\nWe will encrypt model weights at rest.\n"
    new = ("# Security\n\nWe will encrypt model weights at rest.\n\n"
           "To facilitate implementation, we commit to the following:\n\n"
           "We will maintain the position of Responsible Scaling Officer.\n")
    rows = counted(trace(old, new))
    assert [t.outcome for t in rows] == ["A"]
    assert rows[0].new is not None and "Responsible Scaling Officer" in rows[0].new.text


def test_a_removed_sentence_carrying_its_own_list_is_still_a_removal() -> None:
    old = ("# Scope\n\nWe will protect model weights against the following groups: criminal "
           "hacker groups, terrorist organizations and insiders.\n\n"
           "# Reports\n\nWe will publish a capability report for every frontier model.\n")
    new = "# Reports\n\nWe will publish a capability report for every frontier model.\n"
    rows = counted(trace(old, new))
    assert [t.outcome for t in rows] == ["X"]


def test_a_removed_obligation_ending_in_a_definition_is_still_a_removal() -> None:
    old = ("# Review\n\nWe will complete a full external review with at least one external "
           "reviewer whenever a report is significantly redacted, defined as follows:\n\n"
           "# Reports\n\nWe will publish a capability report for every frontier model.\n")
    new = "# Reports\n\nWe will publish a capability report for every frontier model.\n"
    rows = counted(trace(old, new))
    assert [t.outcome for t in rows] == ["X"]


def test_a_commitment_whose_words_stand_in_the_newer_text_is_retained_not_merged() -> None:
    old = ("# Security\n\nThe ASL-3 Security Standard is required.\n\n"
           "If capabilities are greater, we will pause training until the ASL-3 Security "
           "Standard is required and implemented.\n")
    new = ("# Security\n\nTheASL-3 Security Standardis required.\n\n"
           "If capabilities are greater, we will pause training until the ASL-3 Security "
           "Standard is required and implemented.\n")
    traced = trace_commitments(extract_commitments(old), extract_commitments(new),
                               old_text=old, new_text=new)
    assert counted(traced) == [], [(t.outcome, t.because) for t in traced]
