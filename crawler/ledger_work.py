"""The ledger's share of a worker's job: read a text's commitments and trace them against the
previous version's. Pure functions of texts and JSON, with no database import, so an
extraction worker that traces a change (or unpickles the inputs for one) never loads
SQLAlchemy; the run process reads the inputs and writes the rows (crawler/ledger.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.records import MAX_LEDGER_TEXT

MAX_TEXT = MAX_LEDGER_TEXT
"""Texts longer than this (a framework is 50–150 KB) are not read for commitments: the model's
cost grows with the text, and a page that size is a dump or an archive, not a policy. The
version is recorded as usual; `framewatch commitments FILE` still reads such a text on request."""


@dataclass(frozen=True)
class TraceInputs:
    """What tracing a new version's commitments needs from the database, read by the run: the
    previous version's stored commitments (None: derive them from its text) and the text of
    the source named as its changelog, if any."""

    old_commitments: tuple[dict[str, Any], ...] | None
    external_account: str | None


def extract_json(text: str) -> tuple[dict[str, Any], ...]:
    """A version's commitments as stored (``Commitment.to_json()`` each). Cheap enough to run in
    the extraction worker for every new text."""
    from differ.commitments import extract_commitments

    return tuple(c.to_json() for c in extract_commitments(text))


def trace_with_disclosure(old_items: Sequence[dict[str, Any]], new_items: Sequence[dict[str, Any]],
                          account: str | None, old_text: str, new_text: str,
                          ) -> tuple[list[dict[str, Any]], Any]:
    """Traced commitments (JSON, each with ``disclosure`` and ``announced_by``) and the pair's
    silent revision rate."""
    from differ import disclosure
    from differ.commitments import Commitment
    from differ.trace import trace_commitments

    old = [Commitment.from_json(c) for c in old_items]
    new = [Commitment.from_json(c) for c in new_items]
    traced = trace_commitments(old, new, old_text=old_text, new_text=new_text)
    verdicts = disclosure.classify(traced, account, disclosure.universe_of(old_text, new_text))
    rows = []
    for t, d in zip(traced, verdicts, strict=True):
        row = t.to_json()
        row["disclosure"] = d.code if t.material else None
        row["announced_by"] = d.announced_by if t.material and d.announced_by else None
        rows.append(row)
    return rows, disclosure.silent_rate(traced, verdicts)
