"""The CPU-bound half of a cycle: extraction and diffing, run in worker processes.

Kept free of I/O and of the database so that it can run in a process pool (both cores of a
small machine) and be tested without any server.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from crawler.extract import EXTRACTOR_VERSION, ExtractError, ExtractRules, extract
from storage.records import compress

if TYPE_CHECKING:
    from crawler.ledger_work import TraceInputs


@dataclass(frozen=True)
class ExtractJob:
    body: bytes
    content_type: str | None
    rules: ExtractRules
    url: str
    previous_text: str | None  # None: first version, or diff later (see previous_sha256)
    previous_sha256: str | None = None  # text differs from this → outcome.needs_diff
    max_pdf_pages: int = 500
    pdf_timeout: float = 60.0
    #: the text travels back only when it differs from ``previous_sha256``: a page re-sent
    #: with new noise and the same words needs none of its 30–80 KB in the run's process
    text_if_new: bool = False


@dataclass(frozen=True)
class ExtractOutcome:
    text: str | None
    text_sha256: str | None
    format: str | None
    title: str
    select_matched: bool
    warnings: tuple[str, ...]
    diff: dict[str, Any] | None  # DiffResult.to_json(), when the text changed
    error_kind: str | None = None
    error_message: str | None = None
    extractor_version: str = EXTRACTOR_VERSION
    needs_diff: bool = False  # the text changed but the previous text was not sent along
    commitments: tuple[dict[str, Any], ...] | None = None  # a new text's, for the ledger
    traces: tuple[dict[str, Any], ...] | None = None  # traced against the previous text's
    #: the body as the snapshot stores it, made here when the text is new (a version will be
    #: written): compressing is CPU work the run's own process, which writes every source,
    #: need not do
    snapshot_data: bytes | None = None


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def extract_and_diff(job: ExtractJob) -> ExtractOutcome:
    """Extract the text; if it differs from the previous text, diff and classify it."""
    try:
        ex = extract(job.body, job.content_type, job.rules, url=job.url,
                     max_pdf_pages=job.max_pdf_pages, pdf_timeout=job.pdf_timeout)
    except ExtractError as exc:
        return ExtractOutcome(None, None, None, "", True, (), None, exc.kind, str(exc))
    digest = text_hash(ex.text)
    diff = None
    needs_diff = job.previous_sha256 is not None and job.previous_sha256 != digest
    if job.previous_text is not None and text_hash(job.previous_text) != digest:
        diff = diff_texts(job.previous_text, ex.text)
        needs_diff = False
    new_text = digest != job.previous_sha256
    # No commitments here: a first version's are read by the ledger's catch-up, behind the
    # alerts (crawler/ledger.py), and a changed text's in with_diff, when its base has them.
    text = None if job.text_if_new and not new_text else ex.text
    return ExtractOutcome(text, digest, ex.format, ex.title, ex.select_matched,
                          tuple(ex.warnings), diff, needs_diff=needs_diff,
                          snapshot_data=compress(job.body) if new_text else None)


def new_text_commitments(text: str) -> tuple[dict[str, Any], ...] | None:
    """The commitments of a text that will become a new version (None if the model fails:
    the version is then left to the ledger's catch-up, `framewatch commitments --update`)."""
    try:
        from crawler.ledger_work import MAX_TEXT, extract_json

        return extract_json(text) if len(text) <= MAX_TEXT else None
    except Exception:  # noqa: BLE001 - derived data never costs a version
        return None


def with_diff(outcome: ExtractOutcome, previous_text: str,
              trace: TraceInputs | None = None) -> ExtractOutcome:
    """The second half of a changed page's work: diff and classify against the previous text,
    and, when the previous version's commitments are stored (``trace.old_commitments``), read
    the new text's commitments and trace them, so that the alert can tell what the provider's
    changelog leaves out and the run's own process only writes the rows. A base still waiting
    for the ledger's catch-up leaves both to the catch-up."""
    assert outcome.text is not None
    diff = diff_texts(previous_text, outcome.text)
    commitments = traces = None
    if trace is not None and trace.old_commitments is not None:
        commitments = new_text_commitments(outcome.text)
        if commitments is not None:
            traces = traced_commitments(commitments, previous_text, outcome.text, trace)
    return replace(outcome, diff=diff, needs_diff=False, commitments=commitments, traces=traces)


def traced_commitments(new_items: tuple[dict[str, Any], ...], old_text: str, new_text: str,
                       trace: TraceInputs) -> tuple[dict[str, Any], ...] | None:
    """The ledger's traced pairs (None if the model fails: the run then traces them itself)."""
    try:
        from crawler.ledger_work import MAX_TEXT, extract_json, trace_with_disclosure
        from differ.disclosure import account_for_pair

        if len(old_text) > MAX_TEXT or len(new_text) > MAX_TEXT:
            return None
        old_items = (list(trace.old_commitments) if trace.old_commitments is not None
                     else list(extract_json(old_text)))
        account = account_for_pair(old_text, new_text,
                                   [trace.external_account] if trace.external_account else [])
        rows, _ = trace_with_disclosure(old_items, new_items, account, old_text, new_text)
        return tuple(rows)
    except Exception:  # noqa: BLE001 - derived data never costs a version
        return None


def diff_texts(old: str, new: str) -> dict[str, Any]:
    from differ.compare import compare

    return compare(old, new).to_json()
