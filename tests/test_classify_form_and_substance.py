"""Form against substance, by the codebook's materiality rule (section 5).

Form: a paragraph a text layer repeats (or the repeat dropped again) stands word for word in
the other version, so it is cosmetic; a table of contents renumbered by moved page breaks is
layout; "will" → "commit to", an interchangeable term, a label or a cross-reference changed in
a commitment is low. A short phrase found elsewhere is not enough to call a sentence repeated.
Substance: scope narrowed at its boundary, a level suffix, timing moved later, one hedge
dropped to a weaker one are high."""

from __future__ import annotations

from differ.compare import compare

EVALS = ("Capability evaluations measure how well a model performs dangerous tasks, such as "
         "uplift on biology questions or autonomous replication in agentic settings.")
DOC = ("## 3. Evaluations\n\n"
       "Evaluations are how the company measures risk.\n\n"
       "{body}\n\n"
       "## 4. Review\n\n"
       "The board reviews this policy every year and records its conclusions.\n")


def test_a_repeated_background_paragraph_in_a_categorised_section_is_cosmetic() -> None:
    once = DOC.format(body=EVALS)
    twice = DOC.format(body=EVALS + "\n\n" + EVALS)
    result = compare(once, twice)
    assert [h.severity for h in result.hunks] == ["none"]
    assert result.hunks[0].signals == ("cosmetic",)


def test_the_repeat_removed_again_is_cosmetic() -> None:
    once = DOC.format(body=EVALS)
    twice = DOC.format(body=EVALS + "\n\n" + EVALS)
    assert [h.severity for h in compare(twice, once).hunks] == ["none"]


def test_a_new_sentence_in_the_section_stays_medium() -> None:
    once = DOC.format(body=EVALS)
    more = DOC.format(body=EVALS + "\n\nCyber evaluations measure how far a model gets in "
                      "capture-the-flag exercises and in finding vulnerabilities in real code.")
    assert [h.severity for h in compare(once, more).hunks] == ["medium"]


def test_a_short_item_found_inside_other_prose_is_not_taken_for_a_repeat() -> None:
    listed = DOC.format(body=EVALS + "\n\n- Uplift on biology questions.")
    bare = DOC.format(body=EVALS)
    [hunk] = compare(listed, bare).hunks
    assert hunk.severity != "none"


TOC = ("## Compliance framework contents\n\n"  # leaders glued to page numbers: the lines read as one sentence
       "    1 Scope........................{a}\n"
       "    2 Capability thresholds........{b}\n"
       "    3 Evaluations..................{c}\n\n"
       "## 1. Scope\n\n"
       "This policy covers every frontier model the company trains.\n")


def test_a_table_of_contents_renumbered_by_moved_page_breaks_is_no_change() -> None:
    result = compare(TOC.format(a=3, b=7, c=12), TOC.format(a=4, b=8, c=14))
    assert result.hunks == ()  # only leaders and page numbers differ: layout, no edit


def test_a_table_of_contents_entry_renamed_is_still_seen() -> None:
    old = TOC.format(a=3, b=7, c=12)
    new = old.replace("3 Evaluations....", "3 Model evaluations....")
    assert compare(old, new).hunks


SECTION = ("## 3. Capability thresholds and safeguards\n\n"
           "This section sets out our thresholds.\n\n{}\n\n"
           "## 4. Review\n\nThe board reviews this policy every year.\n")


def _worst(old: str, new: str) -> str:
    order = ["none", "low", "medium", "high"]
    hunks = compare(SECTION.format(old), SECTION.format(new)).hunks
    return max((h.severity for h in hunks), key=order.index, default="none")


def test_will_turned_commit_to_is_only_a_change_of_form() -> None:
    assert _worst("We will publish a system card for each model.",
                  "We commit to publish a system card for each model.") == "low"


def test_a_term_used_interchangeably_is_only_a_change_of_form() -> None:
    assert _worst("We will evaluate each model before its release.",
                  "We will evaluate each model before its deployment.") == "low"


def test_a_label_dropped_from_a_commitment_is_only_a_change_of_form() -> None:
    assert _worst("CBRN-3: We will deploy ASL-3 safeguards.",
                  "We will deploy ASL-3 safeguards.") == "low"


def test_a_cross_reference_renumbered_is_only_a_change_of_form() -> None:
    assert _worst("We publish the results as described in Section 4.2.",
                  "We publish the results as described in Section 5.1.") == "low"


def test_a_commitment_whose_domain_changed_is_still_high() -> None:
    assert _worst("We will evaluate biological risks before deployment.",
                  "We will evaluate chemical risks before deployment.") == "high"


def test_a_scope_narrowed_at_its_boundary_is_high() -> None:
    # "at or above" → "above": the models at the threshold itself are no longer covered
    assert _worst("These safeguards apply to models at or above the ASL-3 threshold.",
                  "These safeguards apply to models above the ASL-3 threshold.") == "high"


def test_a_level_suffix_added_under_a_thresholds_heading_is_high() -> None:
    # the sentence names no category itself; the level it names is a threshold
    assert _worst("Models at Level 2 require enhanced security.",
                  "Models at Level 2+ require enhanced security.") == "high"


def test_an_obligation_moved_from_before_to_after_deployment_is_high() -> None:
    assert _worst("We will run these evaluations before deployment.",
                  "We will run these evaluations after deployment.") == "high"


def test_immediately_softened_to_promptly_is_high() -> None:
    assert _worst("We will immediately pause training if the threshold is crossed.",
                  "We will promptly pause training if the threshold is crossed.") == "high"


def test_before_reworded_as_prior_to_is_not() -> None:
    assert _worst("We will run these evaluations before deployment.",
                  "We will run these evaluations prior to deployment.") != "high"


def test_intend_to_dropped_to_may_is_high() -> None:
    # two hedges of different rungs (codebook 5.4): intend to > may
    assert _worst("We intend to publish these results.", "We may publish these results.") == "high"


def test_advice_to_others_reworded_is_no_rung_of_the_authors() -> None:
    assert _worst("Developers should evaluate models before deployment.",
                  "Developers should consider evaluating models before deployment.") != "high"



CONTENTS = ("[[page 1]]\n## 2. Frontier safety\n\nTable of Contents:\n\n{}\n\n[[page 2]]\n"
            "## 3. Misuse\n\nWe test every model.\n")  # paged: lone numbers are page furniture


def test_contents_page_numbers_joined_to_their_titles_are_layout() -> None:
    lines = "Misuse:\n5\nMitigation approach\n5\nCritical Capability Levels\n6\nSecurity\n7\nGovernance\n9"
    joined = "Misuse: 5 Mitigation approach 5 Critical Capability Levels 6 Security 7 Governance 9"
    assert compare(CONTENTS.format(lines), CONTENTS.format(joined)).hunks == ()


def test_numbers_in_prose_are_never_taken_for_page_numbers() -> None:
    old = "We run 2 Evaluations, 3 Reviews, 4 Audits and 5 Drills each year."
    assert _worst(old, old.replace("5 Drills", "6 Drills")) != "none"


def test_a_connective_swapped_in_a_commitment_is_form() -> None:
    old = DOC.format(body="We will also evaluate every model for autonomous replication.")
    new = DOC.format(body="We will additionally evaluate every model for autonomous replication.")
    assert [h.severity for h in compare(old, new).hunks] == ["low"]


def test_a_connective_swapped_beside_a_dropped_negation_is_still_substance() -> None:
    old = DOC.format(body="We will also not deploy a model that fails its evaluations.")
    new = DOC.format(body="We will additionally deploy a model that fails its evaluations.")
    assert [h.severity for h in compare(old, new).hunks] == ["high"]


WRAPPED = ("Evaluations are run by the safety team on every candidate model. The results go\n"
           "to the review board with the team's notes. Cyber evaluations\n")
"""A block a text layer cut mid-sentence: its last line opens a sentence the next block ends."""


def test_a_block_doubled_right_after_itself_is_cosmetic_though_cut_mid_sentence() -> None:
    tail = "measure how far a model gets in capture-the-flag exercises.\n"
    once = DOC.format(body=WRAPPED + tail)
    twice = DOC.format(body=WRAPPED + "\n" + WRAPPED + tail)
    assert all(h.severity == "none" for h in compare(once, twice).hunks)


def test_a_page_footer_doubled_right_after_itself_is_cosmetic() -> None:
    # A running footer (page number and title) is shorter than a paragraph; doubled by the
    # text layer it is still only a repeat.
    footer = "\n\n                    12\n          Acme Compliance Framework\n\n"
    once = DOC.format(body=EVALS + footer + "Cyber evaluations run nightly.")
    twice = DOC.format(body=EVALS + footer + footer.lstrip("\n") + "Cyber evaluations run "
                       "nightly.")
    result = compare(once, twice)
    assert result.hunks and all(h.severity == "none" for h in result.hunks)


def test_a_short_sentence_found_far_from_its_copy_is_not_taken_for_a_repeat() -> None:
    once = DOC.format(body=EVALS + "\n\nCyber evaluations run nightly.")
    more = DOC.format(body="Cyber evaluations run nightly.\n\n" + EVALS
                      + "\n\nCyber evaluations run nightly.")
    assert [h.severity for h in compare(once, more).hunks] == ["medium"]
