"""Commitments per version: what counts, its strength, category, codebook code and quantities."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from differ.commitments import Commitment, commitment_id, enumerations, extract_commitments
from differ.segment import segment

POLICY = """# Frontier Safety Policy

## 1. Capability Thresholds

CBRN-4: The ability to substantially uplift a moderately resourced state programme in developing
chemical or biological weapons.

AI systems are becoming more capable every year, and many organisations use them.

## 2. Evaluations

We conduct comprehensive capability evaluations before every external deployment.
We will evaluate each frontier model every 6 months or after a 4x increase in effective compute.
We aim to share evaluation methods with external experts where possible.
We may run additional evaluations on request of the AI Safety Institute.

## 3. Transparency

We will publish a capability report for every frontier model.
We believe that transparency will become an industry norm.
In September 2023, we published our first policy.

## 4. Recommendations for industry

Developers should implement ASL-3 security for models at this level.
"""


def by_text(items: list[Commitment], fragment: str) -> Commitment:
    found = [c for c in items if fragment in c.text]
    assert found, f"no commitment containing {fragment!r}"
    return found[0]


def test_present_tense_policy_statement_is_a_top_rung_commitment() -> None:
    c = by_text(extract_commitments(POLICY), "We conduct comprehensive")
    assert (c.strength, c.strength_word) == (4, "present tense")


def test_threshold_definition_counts_without_a_modal_verb() -> None:
    c = by_text(extract_commitments(POLICY), "CBRN-4")
    assert c.category == "thresholds"
    assert c.codebook == "EC2"
    assert "CBRN-4" in c.quantities


def test_landscape_beliefs_and_past_reports_are_not_commitments() -> None:
    texts = " | ".join(c.text for c in extract_commitments(POLICY))
    assert "becoming more capable" not in texts
    assert "We believe" not in texts
    assert "first policy" not in texts


def test_strength_scale_follows_the_modal() -> None:
    items = extract_commitments(POLICY)
    assert by_text(items, "We will evaluate each").strength == 4
    assert by_text(items, "We may run additional").strength == 2
    assert by_text(items, "We aim to share").strength in (2, 3)


def test_recommendation_to_others_is_strength_one() -> None:
    c = by_text(extract_commitments(POLICY), "Developers should")
    assert c.strength == 1


def test_cadence_multiplier_and_level_quantities_are_named() -> None:
    c = by_text(extract_commitments(POLICY), "every 6 months")
    assert "every 6 months" in c.quantities
    assert "4x" in c.quantities


def test_publication_commitment_maps_to_ec5_and_seoul_vii_viii() -> None:
    c = by_text(extract_commitments(POLICY), "publish a capability report")
    assert c.category == "publication"
    assert c.codebook == "EC5"
    assert {"VII", "VIII"} <= set(c.seoul)


def test_third_party_evaluation_maps_to_ec4() -> None:
    c = by_text(extract_commitments(POLICY), "AI Safety Institute")
    assert c.codebook == "EC4"


def test_section_path_names_the_headings_above() -> None:
    c = by_text(extract_commitments(POLICY), "We will publish")
    assert c.section.endswith("3. Transparency")


def test_id_is_stable_content_hash_of_section_and_text() -> None:
    c = by_text(extract_commitments(POLICY), "We will publish")
    assert c.id == commitment_id(c.section, c.text)
    assert re.fullmatch(r"c[0-9a-f]{10}", c.id)
    reflowed = POLICY.replace("We will publish a capability report", "We  will publish a\ncapability report")
    assert by_text(extract_commitments(reflowed), "We will publish").id == c.id


def test_long_sentence_is_cut_at_a_word_boundary() -> None:
    long = "We will " + " ".join(f"evaluate{i}" for i in range(120)) + "."
    c = extract_commitments(f"# Evaluations\n\n{long}\n")[0]
    assert len(c.text.split()) == 80
    assert c.text.endswith("…")


def test_duplicated_paragraph_is_one_commitment() -> None:
    para = "We will publish a capability report for every frontier model."
    items = extract_commitments(f"# Transparency\n\n{para}\n\n{para}\n")
    assert len(items) == 1


def test_json_round_trip_keeps_every_key() -> None:
    for c in extract_commitments(POLICY):
        d = c.to_json()
        assert set(d) == {"id", "text", "section", "category", "categories", "codebook", "seoul",
                          "strength", "strength_word", "quantities"}
        assert Commitment.from_json(d) == c


CODER_COUNTS = {
    "anthropic-rsp__2023-09__v1.0.txt": 73,
    "openai-preparedness__2023-12__beta.txt": 41,
    "gdm-fsf__2025-02__v2.0.txt": 33,
}
"""The corpus coders' commitment totals for the documents whose totals they published."""


@pytest.mark.parametrize("name", sorted(CODER_COUNTS))
def test_commitment_count_is_near_the_coders_count(corpus: Path, name: str) -> None:
    from differ.segment import strip_header

    text = strip_header((corpus / name).read_text(encoding="utf-8"))
    n = len(extract_commitments(text))
    assert abs(n - CODER_COUNTS[name]) <= 0.25 * CODER_COUNTS[name], n


def test_newer_corpus_header_line_is_not_a_commitment_or_heading() -> None:
    from differ.segment import strip_header

    text = "# SOURCE: some/repo@abc path/to/file.txt\n\n# Policy\n\nWe will publish a report for every model.\n"
    body = strip_header(text)
    assert not body.startswith("# SOURCE")
    assert [c.section for c in extract_commitments(body)] == ["Policy"]


_LIST_THEN_PROSE = """# Security

We commit to the following security controls:

- Model weights are encrypted at rest and in transit.
- Access to weights requires two-person approval.

Access to production systems is audited every quarter by an independent firm.
"""


def test_a_bulleted_list_under_a_lead_in_is_one_commitment() -> None:
    texts = [c.text for c in extract_commitments(_LIST_THEN_PROSE)]
    assert any(t.startswith("We commit to the following security controls") for t in texts)
    assert not any("encrypted at rest" in t or "two-person approval" in t for t in texts)


def test_the_list_under_a_lead_in_ends_with_its_bulleted_items() -> None:
    texts = [c.text for c in extract_commitments(_LIST_THEN_PROSE)]
    assert any(t.startswith("Access to production systems is audited every quarter") for t in texts)


def test_an_items_further_sentences_stay_in_the_list() -> None:
    text = ("# Security\n\nWe commit to the following security controls:\n\n"
            "- Model weights are encrypted at rest. Keys are rotated every 90 days.\n")
    texts = [c.text for c in extract_commitments(text)]
    assert not any("Keys are rotated" in t for t in texts)


_NUMBERED_RUN_IN = """## 2. Risk analysis

We assess each identified risk based on the following:

(1)model-independent information: we gather what incident databases record about the risk.

(2)model evaluations: we run evaluations of the model's capabilities.

## 3. Governance

The board reviews this policy every year.
"""


def test_numbered_items_whose_marker_runs_into_the_first_word_are_the_lead_ins_items() -> None:
    sentences = segment(_NUMBERED_RUN_IN)
    items, _ = enumerations(sentences)
    listed = [s.text for s in sentences if id(s) in items]
    assert [t[:6] for t in listed] == ["(1)mod", "(2)mod"]
    assert all(items[id(s)].text.startswith("We assess each identified risk")
               for s in sentences if id(s) in items)


def test_a_list_that_lost_its_bullets_still_runs_over_its_impersonal_items() -> None:
    # A PDF text layer often drops the bullets: the items are then impersonal requirements
    # in paragraphs of their own, and the list runs on until a sentence with its own subject.
    text = ("# Security\n\nWe commit to the following security controls:\n\n"
            "Storage of weights must be centralized.\n\n"
            "Access to weights must be logged.\n\n"
            "We will review these controls every year.\n")
    texts = [c.text for c in extract_commitments(text)]
    assert not any("centralized" in t or "logged" in t for t in texts)
    assert any(t.startswith("We will review these controls every year") for t in texts)
