"""A first comparison in a fresh process costs several times a later one: the classifier's
patterns are compiled, and their keyword gates read, on first use. A worker that will diff
pages runs this small revision first, while the run is still fetching, so the first changed
page it gets costs what the later ones do."""

from __future__ import annotations

_OLD = """# Frontier safety policy

Last updated: 1 March 2025

## 1. Capability thresholds

We will evaluate every frontier model before deployment. If a model scores above 50% on the
CBRN uplift evaluation, we must pause deployment until the Board approves safeguards.

## 2. Transparency

We will publish a system card for every model release, and we commit to notify the government
of any serious incident within 72 hours.

- Red-teaming by independent third parties.
- Reviews every 6 months.
"""

_NEW = """# Frontier safety policy

Last updated: 2 April 2025

## 1. Capability thresholds

We aim to evaluate frontier models before external deployment. If a model scores above 70% on
the CBRN uplift evaluation, we should pause deployment unless management approves safeguards.

## 2. Transparency

We may share a system card for major model releases with relevant government bodies.

- Red-teaming by our internal team.
- Reviews every 12 months.
- We will report model weight security incidents to regulators.
"""


def warm_up() -> int:
    """Compare the built-in revision; returns its hunk count (the work is the point)."""
    from differ.compare import compare

    return len(compare(_OLD, _NEW).hunks)
