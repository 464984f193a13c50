"""Keeping the commitments ledger: derive each version's commitments, trace them against the
previous version and mark each material change disclosed or silent.

The ledger is derived data, built behind the alerts. `framewatch run` stores a source's first
version without reading its commitments (the ledger is "pending" for it: no commitment set),
so a cold cycle is not held up by the model. A changed document whose base version already has
its commitments is read and traced in the run's worker, as the alert's disclosure line needs;
a change whose base is still pending waits with it. :func:`catch_up` then fills every pending
version and its traced pairs in worker processes — from `framewatch commitments --update`,
before the commands that read the ledger, after each scheduled cycle and from
`framewatch run --ledger`. :func:`rebuild` recomputes everything from the stored texts (a new
model, `framewatch reextract`).

The provider's account of a revision is what the codebook says it is: the new entries of the
document's own changelog section, plus the text of the source named by the framework's
``changelog`` key (a version-history page) as it stood when the new version was recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crawler.ledger_work import MAX_TEXT, TraceInputs, extract_json, trace_with_disclosure
from crawler.specs import source_spec
from storage.db import Database
from storage.ledger import (
    VersionLedger,
    clear_ledger,
    commitments_of,
    count_missing_ledger,
    has_ledger,
    previous_text_version,
    store_ledger,
    version_sources,
    versions_missing_ledger,
)
from storage.records import SourceInfo
from storage.repo import Repository

log = logging.getLogger("framewatch.ledger")

MODEL = "commitments-21"
"""Stored with every derived set; a new model version means `framewatch commitments --rebuild`."""


class TooLarge(Exception):
    """The text is beyond MAX_TEXT: no ledger for this version."""


def _bounded(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise TooLarge(f"{len(text):,} characters (over {MAX_TEXT:,}): not read for commitments")
    return text


def external_account(repo: Repository, source: SourceInfo) -> str | None:
    """The latest text of the source this one names as its changelog, if any."""
    changelog_id = source_spec(source).changelog
    if not changelog_id:
        return None
    latest = repo.latest_version(changelog_id, with_text=True)
    if latest is None or latest.kind == "removed":
        return None
    return latest.text


def account_for(repo: Repository, source: SourceInfo, old_text: str, new_text: str) -> str | None:
    from differ.disclosure import account_for_pair

    external = external_account(repo, source)
    return account_for_pair(old_text, new_text, [external] if external else [])


def trace_inputs(db: Database, source: SourceInfo, old_version_id: int) -> TraceInputs | None:
    """What a worker needs to trace a new version against ``old_version_id`` (the same reads
    :func:`ledger_for_version` makes); None when that version's commitments are not derived
    yet: the catch-up traces the pair after both are read, so nothing is sent for it."""
    old = stored_commitments(db, old_version_id)
    if old is None:
        return None
    return TraceInputs(old, external_account(Repository(db), source))


def stored_commitments(db: Database, version_id: int) -> tuple[dict[str, Any], ...] | None:
    """A version's stored commitments, or None when no ledger was derived for it."""
    if not has_ledger(db, version_id):
        return None
    return tuple(c.data for c in commitments_of(db, version_id))


def traced_ledger(commitments: Sequence[dict[str, Any]] | None,
                  traces: Sequence[dict[str, Any]] | None,
                  old_version_id: int | None) -> VersionLedger | None:
    """The ledger rows of a changed version as the run's worker traced them
    (:func:`crawler.work.with_diff`), or None — pending, for the catch-up — when the worker did
    not (a base still pending, a text over MAX_TEXT, the model failed)."""
    if commitments is None or traces is None or old_version_id is None:
        return None
    return VersionLedger(MODEL, tuple(commitments), tuple(traces), old_version_id)


def ledger_after(db: Database, source: SourceInfo, new_text: str, old_version_id: int,
                 old_text: str | None) -> VersionLedger | None:
    """A new version's ledger derived in this process when its base's commitments are stored
    (rare paths: re-extraction, changed rules); None, pending for the catch-up, otherwise."""
    if not has_ledger(db, old_version_id):
        return None
    return ledger_for_version(db, source, new_text, None, old_version_id, old_text)


def ledger_for_version(db: Database, source: SourceInfo, new_text: str,
                       commitments: Sequence[dict[str, Any]] | None,
                       old_version_id: int | None, old_text: str | None,
                       traces: Sequence[dict[str, Any]] | None = None) -> VersionLedger | None:
    """The ledger rows for a new version, or None when the model fails on this text (the
    version is still recorded; `framewatch commitments --rebuild` retries it). ``traces``:
    already traced by a worker against ``old_version_id`` (:func:`crawler.work.with_diff`)."""
    try:
        _bounded(new_text)
        items = tuple(commitments) if commitments is not None else extract_json(new_text)
        if old_version_id is None or old_text is None or len(old_text) > MAX_TEXT:
            return VersionLedger(MODEL, items)
        if traces is not None and commitments is not None:
            return VersionLedger(MODEL, items, tuple(traces), old_version_id)
        repo = Repository(db)
        old_items = stored_commitments(db, old_version_id)
        if old_items is None:
            old_items = extract_json(old_text)
        traces, _ = trace_with_disclosure(old_items, items, account_for(repo, source, old_text,
                                                                         new_text),
                                          old_text, new_text)
        return VersionLedger(MODEL, items, tuple(traces), old_version_id)
    except TooLarge as exc:
        log.info("source %s: %s", source.id, exc)
        return None
    except Exception:  # noqa: BLE001 - derived data must never cost a version
        log.exception("source %s: could not derive commitments; the version is kept "
                      "(`framewatch commitments --rebuild` retries)", source.id)
        return None


@dataclass
class RebuildReport:
    versions: int = 0
    commitments: int = 0
    traced: int = 0
    failures: list[str] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # versions whose text is over MAX_TEXT
    interrupted: bool = False  # stopped before the end (a signal, the lease lost): resumable

    def to_json(self) -> dict[str, Any]:
        return {"versions": self.versions, "commitments": self.commitments,
                "traced": self.traced, "failures": self.failures, "skipped": self.skipped,
                "interrupted": self.interrupted}


def rebuild(db: Database, source_id: str | None = None, *, missing_only: bool = False,
            progress: Callable[[int, int], None] | None = None, workers: int = 0,
            should_stop: Callable[[], bool] | None = None) -> RebuildReport:
    """Recompute the ledger from stored version texts: every version traced against the one
    before it. ``missing_only``: only versions never derived (what `framewatch run` leaves
    pending) or derived by an older model — that is :func:`catch_up`."""
    if not missing_only:
        clear_ledger(db, source_id)
    return catch_up(db, source_id, progress=progress, workers=workers, should_stop=should_stop)


def pending_versions(db: Database, source_ids: Sequence[str] | None = None) -> int:
    """How many versions wait for the ledger's catch-up (texts the model reads, not yet read
    by this model)."""
    return count_missing_ledger(db, MODEL, source_ids, max_chars=MAX_TEXT)


CHAIN = 16
"""Versions of one source handed to a worker at once (in order, each traced against the one
before): a long pending history goes out in pieces, so texts are loaded as workers free up."""


@dataclass(frozen=True)
class _Step:
    """One pending version as a worker derives it, with what it is traced against."""

    version_id: int
    text: str
    prev_id: int | None
    prev_text: str | None
    prev_items: tuple[dict[str, Any], ...] | None  # stored and current; None: derive or chain
    external: str | None  # the text of the source named as its changelog


def derive_chain(steps: Sequence[_Step]) -> list[tuple[int, VersionLedger | str | None]]:
    """Worker: the ledger of each step, in order, as :func:`ledger_for_version` makes it; a
    step's predecessor derived earlier in the chain lends its commitments. Per step: the
    ledger, None (text over MAX_TEXT) or the failure's reason."""
    from differ.disclosure import account_for_pair

    done: dict[int, tuple[dict[str, Any], ...]] = {}
    out: list[tuple[int, VersionLedger | str | None]] = []
    for step in steps:
        if len(step.text) > MAX_TEXT:
            out.append((step.version_id, None))
            continue
        try:
            items = extract_json(step.text)
            if step.prev_id is None or step.prev_text is None or len(step.prev_text) > MAX_TEXT:
                ledger = VersionLedger(MODEL, items)
            else:
                old_items = done.get(step.prev_id, step.prev_items)
                if old_items is None:
                    old_items = extract_json(step.prev_text)
                account = account_for_pair(step.prev_text, step.text,
                                           [step.external] if step.external else [])
                traces, _ = trace_with_disclosure(old_items, items, account, step.prev_text,
                                                  step.text)
                ledger = VersionLedger(MODEL, items, tuple(traces), step.prev_id)
        except Exception as exc:  # noqa: BLE001 - derived data: reported, retried next time
            out.append((step.version_id, f"{type(exc).__name__}: {exc}"))
            continue
        done[step.version_id] = items
        out.append((step.version_id, ledger))
    return out


def catch_up(db: Database, source_id: str | None = None, *,
             progress: Callable[[int, int], None] | None = None, workers: int = 0,
             should_stop: Callable[[], bool] | None = None) -> RebuildReport:
    """Fill the ledger behind the alerts: every version not yet read (a source's first
    versions after `framewatch run`, a change whose base was still pending, a version derived
    by an older model) gets its commitments and its traced pairs, exactly as the run would
    have derived them. The model runs in worker processes; each version is written in its own
    transaction, so an interrupted catch-up keeps what it wrote and the next one resumes.
    The alerts already sent or queued are not touched.

    ``should_stop`` is asked between versions (a signal, a lost lease); ``progress`` gets
    (done, total)."""
    from crawler.workers import worker_pool

    repo = Repository(db)
    report = RebuildReport()
    todo = versions_missing_ledger(db, source_id, MODEL)
    if not todo:
        return report
    pending = set(todo)
    chains: list[list[int]] = []
    current: str | None = None
    for vid, sid in version_sources(db, todo):
        if sid != current or len(chains[-1]) >= CHAIN:
            chains.append([])
            current = sid
        chains[-1].append(vid)
    sources: dict[str, SourceInfo | None] = {}
    accounts: dict[str, str | None] = {}

    def steps_of(chain: list[int]) -> list[_Step]:
        steps = []
        for vid in chain:
            version = repo.get_version(vid, with_text=True)
            if version is None or version.text is None:
                continue
            sid = version.source_id
            if sid not in sources:
                sources[sid] = repo.get_source(sid)
                source = sources[sid]
                accounts[sid] = external_account(repo, source) if source is not None else None
            if sources[sid] is None:
                continue
            prev_id = previous_text_version(db, vid)
            prev_text = repo.version_text(prev_id) if prev_id is not None else None
            prev_items = (stored_commitments(db, prev_id)
                          if prev_id is not None and prev_id not in pending else None)
            steps.append(_Step(vid, version.text, prev_id, prev_text, prev_items, accounts[sid]))
        return steps

    done = 0
    with worker_pool(workers, len(todo)) as executor:
        inflight: list[Any] = []
        queue = iter(chains)
        limit = 2 * (workers or 2) + 2

        def submit() -> bool:
            chain = next(queue, None)
            if chain is None:
                return False
            steps = steps_of(chain)
            if executor is None:
                from concurrent.futures import Future

                future: Future[Any] = Future()
                future.set_result(derive_chain(steps))
                inflight.append(future)
            else:
                inflight.append(executor.submit(derive_chain, steps))
            return True

        while len(inflight) < limit and submit():
            pass
        while inflight:
            future = inflight.pop(0)
            for vid, ledger in future.result():
                if should_stop is not None and should_stop():
                    report.interrupted = True
                    for f in inflight:
                        f.cancel()
                    return report
                done += 1
                if ledger is None:
                    report.skipped.append(vid)
                elif isinstance(ledger, str):
                    log.error("version %d: could not derive commitments (%s); the next "
                              "catch-up retries", vid, ledger)
                    report.failures.append(f"version {vid}")
                else:
                    store_ledger(db, vid, ledger)
                    report.versions += 1
                    report.commitments += len(ledger.commitments)
                    report.traced += sum(1 for t in ledger.traces if t.get("material"))
                if progress is not None:
                    progress(done, len(todo))
            submit()
    return report


MAX_DIFF_COMMITMENTS = 60
"""Material commitment changes kept in a change's diff JSON (alerts, webhook bodies); the full
list is in the ledger tables."""


def ledger_diff_keys(ledger: VersionLedger | None) -> dict[str, Any]:
    """What a change's diff JSON gains from the ledger: the material traced commitments (the
    `framewatch diff --format json` shape) and the pair's silent revision rate."""
    if ledger is None or ledger.old_version_id is None:
        return {}
    from differ.disclosure import rate_of_codes

    material = [t for t in ledger.traces if t.get("material")]
    rate = rate_of_codes([str(t.get("disclosure") or "SIL") for t in material])
    return {"commitments": [{"outcome": t["outcome"], "dims": t.get("dims", []),
                             "old": t.get("old"), "new": t.get("new"),
                             "disclosure": t.get("disclosure"),
                             "announced_by": t.get("announced_by")}
                            for t in material[:MAX_DIFF_COMMITMENTS]],
            "silent_revision_rate": rate.to_json()}


def refresh_disclosure(db: Database, changelog_id: str) -> int:
    """A changelog page changed: re-judge the newest traced pair of every source that names it
    (providers often post the version-history entry after the document itself). Returns how
    many pairs were re-judged. The change's alert, already queued, keeps what it said."""
    from storage.ledger import latest_traced_pair, traces_of

    repo = Repository(db)
    refreshed = 0
    for source in repo.list_sources(enabled_only=True):
        if source_spec(source).changelog != changelog_id:
            continue
        pair = latest_traced_pair(db, source.id)
        if pair is None or versions_missing_ledger(db, source.id, MODEL):
            # Nothing traced yet, or a newer version waits for the catch-up, which judges it
            # against the changelog as it now stands.
            continue
        old_id, new_id = pair
        old_text, new_text = repo.version_text(old_id), repo.version_text(new_id)
        before = {t.position: t.disclosure for t in traces_of(db, new_id)}
        ledger = ledger_for_version(db, source, new_text, [c.data for c in commitments_of(db, new_id)],
                                    old_id, old_text)
        if ledger is None:
            continue
        after = {i: t.get("disclosure") for i, t in enumerate(ledger.traces)}
        if after != before:
            store_ledger(db, new_id, ledger)
            refreshed += 1
    return refreshed
