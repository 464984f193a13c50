"""A heading or a sentence that only announces a list is not itself a high change.

"## Transparency — To enable public examination of our evaluations, we commit to the
following:" inserted over items that were already there commits to nothing new: its
obligations are the items, judged in their own hunks (codebook 5, reorganisation). A new item
still rates high, and so does a lead-in that binds someone to act ("The board will decide ...
based on:").
"""

from __future__ import annotations

from differ.compare import compare

HEAD = (
    "## 4. Evaluations\n\n"
    "We will evaluate every frontier model for dangerous capabilities before deployment.\n\n"
)
ITEMS = (
    "1. We will appoint a Responsible Scaling Officer to oversee model evaluations.\n\n"
    "2. We will notify the board before deploying any model that crosses a capability "
    "threshold.\n\n"
)
LEAD_IN = (
    "## 5. Transparency\n\n"
    "To enable public examination of our evaluations, we commit to the following:\n\n"
)


def highs(old: str, new: str) -> list[str]:
    return [h.summary for h in compare(old, new).hunks if h.severity == "high"]


def test_a_heading_and_lead_in_inserted_over_unchanged_items_is_not_high() -> None:
    assert highs(HEAD + ITEMS, HEAD + LEAD_IN + ITEMS) == []


def test_a_heading_and_lead_in_removed_from_unchanged_items_is_not_high() -> None:
    assert highs(HEAD + LEAD_IN + ITEMS, HEAD + ITEMS) == []


def test_a_new_item_under_an_inserted_lead_in_is_still_high() -> None:
    new_item = "3. We will publish a summary of every capability report within 30 days.\n"
    found = highs(HEAD + ITEMS, HEAD + LEAD_IN + ITEMS + new_item)
    assert len(found) == 1 and "We will publish a summary" in found[0]


def test_a_lead_in_that_binds_someone_to_act_is_still_high() -> None:
    lead_in = (
        "## 5. Transparency\n\n"
        "The board will decide whether to publish our evaluations based on:\n\n"
    )
    assert len(highs(HEAD + ITEMS, HEAD + lead_in + ITEMS)) == 1


def test_a_lead_in_ending_with_its_purpose_inserted_over_unchanged_items_is_not_high() -> None:
    lead_in = (
        "## 5. Transparency\n\n"
        "We commit to the following transparency measures to support outside scrutiny of our "
        "work.\n\n"
    )
    assert highs(HEAD + ITEMS, HEAD + lead_in + ITEMS) == []


def test_a_commitment_to_the_following_named_thing_with_an_object_is_still_high() -> None:
    lead_in = (
        "## 5. Transparency\n\n"
        "We commit to publishing the following reports to the public within 30 days.\n\n"
    )
    assert len(highs(HEAD + ITEMS, HEAD + lead_in + ITEMS)) == 1


# --- illustrative lists -------------------------------------------------------------------------

TESTS = (
    "## 6. Honesty testing\n\n"
    "We will test every frontier model for deception before deployment.\n\n"
    "{lead}\n\n"
    "● Pressure test: we will check whether the model lies when pressured.\n\n"
    "● Flattery test: we will measure how often the model flatters the user.\n\n"
    "## 7. Governance\n\nThe board reviews this policy every year.\n"
)
EXAMPLES = "The following are example tests that we may run to measure honesty:"
OPERATIVE = "We run the following tests to measure honesty:"
FLATTERY = "● Flattery test: we will measure how often the model flatters the user.\n\n"


def test_an_item_dropped_from_a_list_of_examples_is_not_high() -> None:
    old = TESTS.format(lead=EXAMPLES)
    assert highs(old, old.replace(FLATTERY, "")) == []


def test_an_item_added_to_a_list_of_examples_is_not_high() -> None:
    new = TESTS.format(lead=EXAMPLES)
    assert highs(new.replace(FLATTERY, ""), new) == []


def test_an_item_dropped_from_a_numbered_list_of_examples_is_not_high() -> None:
    # A numbered item's marker stands on a line of its own: the text after it opens the item.
    old = (TESTS.format(lead=EXAMPLES).replace("● Pressure", "1.\nPressure")
           .replace("● Flattery", "2.\nFlattery"))
    assert highs(old, old.replace("2.\n" + FLATTERY.removeprefix("● "), "")) == []


def test_a_commitment_added_after_the_last_example_in_its_paragraph_is_high() -> None:
    # A text layer that lost the break after the last item runs the next sentences into it:
    # a sentence there that binds on its own is a rule, not one of the examples.
    old = TESTS.format(lead=EXAMPLES)
    new = old.replace("flatters the user.", "flatters the user. We will share the results "
                      "of every honesty test with the board within ten days.")
    assert len(highs(old, new)) == 1


def test_an_item_dropped_from_a_list_the_commitment_consists_of_is_still_high() -> None:
    old = TESTS.format(lead=OPERATIVE)
    assert len(highs(old, old.replace(FLATTERY, ""))) == 1


REVIEWERS = (
    "## 6. Outside scrutiny\n\n"
    "We will select external reviewers that:\n\n"
    "● Have deep experience with evaluations of dangerous capabilities.\n\n"
    "● Have no stake in the outcome of the risk assessment they review.\n\n"
    "## 7. Governance\n\nThe board reviews this policy every year.\n"
)
NO_STAKE = "● Have no stake in the outcome of the risk assessment they review.\n\n"


def test_a_criterion_dropped_from_a_list_the_commitment_consists_of_is_high() -> None:
    # "Have no stake ..." binds nothing by itself: the list is what "We will select external
    # reviewers that:" commits to, and it is shorter (codebook 11.2).
    assert len(highs(REVIEWERS, REVIEWERS.replace(NO_STAKE, ""))) == 1


def test_a_criterion_added_to_a_list_the_commitment_consists_of_is_high() -> None:
    assert len(highs(REVIEWERS.replace(NO_STAKE, ""), REVIEWERS)) == 1


def test_an_action_dropped_from_steps_such_as_the_following_is_still_high() -> None:
    old = TESTS.format(lead="If a model deceives users, we may take steps such as the following:")
    assert len(highs(old, old.replace(FLATTERY, ""))) == 1


def test_a_condition_dropped_from_a_rule_that_holds_if_for_example_is_still_high() -> None:
    # The rule is the list: without its items "acceptable if" says nothing.
    old = TESTS.format(lead="A model is deemed honest enough to deploy if, for example:")
    assert len(highs(old, old.replace(FLATTERY, ""))) == 1


# --- lead-ins deleted ---------------------------------------------------------------------------
# A lead-in that carries an obligation of its own ("we will need to satisfy the following
# criteria:") is what makes its list binding: deleting it removes that commitment even where
# the items stay. One that only announces its list ("Key measures include:") does not.

CRITERIA = (
    "1. Plausible: the capability could cause serious harm at scale.\n\n"
    "2. Measurable: the capability can be tested with existing evaluations.\n\n"
)
CLOSING = "## 9. Review\n\nThe board reviews this policy every year.\n"
OBLIGED = "To make the required showing, we will need to satisfy the following criteria:"


def listed(lead: str, items: str = CRITERIA) -> str:
    return HEAD + (lead + "\n\n" if lead else "") + items + CLOSING


def hunks_of(old: str, new: str) -> list[tuple[str, str]]:
    return [(h.severity, " ".join(h.because)) for h in compare(old, new).hunks]


def test_a_lead_in_with_its_own_obligation_deleted_over_unchanged_items_is_high() -> None:
    found = hunks_of(listed(OBLIGED), listed(""))
    assert [severity for severity, _ in found] == ["high"]


def test_the_reason_for_a_deleted_binding_lead_in_says_its_items_are_no_longer_bound() -> None:
    [(_, because)] = hunks_of(listed(OBLIGED), listed(""))
    assert "carries its own obligation" in because and "no longer bound" in because


def test_a_lead_in_using_methods_including_a_list_deleted_over_its_items_is_high() -> None:
    lead = "We will use a range of methods to identify risks, including:"
    assert len(highs(listed(lead), listed(""))) == 1


def test_a_lead_in_with_its_own_obligation_inserted_over_unchanged_items_is_high() -> None:
    assert len(highs(listed(""), listed(OBLIGED))) == 1


def test_a_heading_like_lead_in_deleted_over_unchanged_items_is_not_high() -> None:
    assert highs(listed("Key measures include:"), listed("")) == []


def test_a_lead_in_committing_to_the_following_deleted_over_self_binding_items_is_not_high() -> None:
    # The items each bind with "we will": the announcement added no obligation of its own.
    lead = "We commit to the following governance measures to promote accountability."
    assert highs(listed(lead, ITEMS), listed("", ITEMS)) == []


def test_a_lead_in_committing_to_the_following_deleted_over_items_that_bind_nothing_is_high() -> None:
    # "Quarterly audits ..." binds only through "we commit to the following:": without the
    # lead-in the items that stay are no longer committed to.
    items = (
        "1. Quarterly audits of model access by an external firm.\n\n"
        "2. Annual red-team exercises on deployed models.\n\n"
    )
    assert len(highs(listed("We commit to the following:", items), listed("", items))) == 1


def test_a_binding_lead_in_reworded_with_the_same_meaning_is_not_high() -> None:
    reworded = "To make the required showing, we will have to satisfy the following criteria:"
    assert highs(listed(OBLIGED), listed(reworded)) == []


def test_a_binding_lead_in_deleted_with_its_items_is_high() -> None:
    assert highs(listed(OBLIGED), listed("", "")) != []


def test_a_lead_in_committing_to_the_following_deleted_with_its_items_is_high() -> None:
    items = (
        "1. Quarterly audits of model access by an external firm.\n\n"
        "2. Annual red-team exercises on deployed models.\n\n"
    )
    found = highs(listed("We commit to the following:", items), listed("", ""))
    assert len(found) == 1 and "Quarterly audits" in found[0]


def test_a_heading_like_lead_in_deleted_with_its_items_is_not_high() -> None:
    assert highs(listed("Key measures include:"), listed("", "")) == []


def test_the_items_of_a_binding_lead_in_re_bulleted_are_cosmetic() -> None:
    bulleted = CRITERIA.replace("1. ", "● ").replace("2. ", "● ")
    found = hunks_of(listed(OBLIGED), listed(OBLIGED, bulleted))
    assert found and all(severity in ("none", "low") for severity, _ in found)
