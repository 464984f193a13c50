"""One cycle, top to bottom: fetch → snapshot → extract →
version → diff → classify → enqueue alerts. Delivery happens after the cycle (notifier/).

Network I/O is concurrent (asyncio + httpx); extraction and diffing run in a process pool so both
cores work; every database write for one source is one transaction (storage.Repository).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.config import Config, SourceConfig
from crawler.extract import ExtractRules
from crawler.fetch import Fetcher, FetchOptions, FetchResult
from crawler.fetch_errors import FetchError
from crawler.fetch_strategy import browser_for_cycle, fetch_for_source
from crawler.kinds import Document, FetchFailed, Found, NoLinks, kind_for
from crawler.ledger import (
    TraceInputs,
    ledger_after,
    ledger_diff_keys,
    refresh_disclosure,
    trace_inputs,
    traced_ledger,
)
from crawler.lock import LeaseLost, current_lease
from crawler.outcome import (
    CHANGED,
    FAILED,
    FIRST,
    NOT_MODIFIED,
    REMOVED,
    UNCHANGED,
    CycleReport,
    SourceOutcome,
)
from crawler.patterns import PatternTimeout
from crawler.specs import extract_rules, source_info, source_spec
from crawler.work import (
    ExtractJob,
    ExtractOutcome,
    extract_and_diff,
    text_hash,
    with_diff,
)
from crawler.workers import WorkerPool, worker_pool
from differ.policy import EMPTY_DIFF, NO_FACTS, Facts, decide
from storage.db import Database
from storage.records import (
    NewChange,
    NewCheck,
    NewSnapshot,
    NewVersion,
    Router,
    SourceInfo,
    VersionInfo,
)
from storage.repo import Repository

log = logging.getLogger("framewatch.cycle")


CHECK_BATCH = 200  # "nothing new" checks written per transaction
#: sources holding a fetched document not yet written: fetching pauses beyond this, so bodies
#: do not pile up in memory (and in the worker pool's queue) while extraction catches up
FETCHED_BACKLOG = 32


def _no_channels(_source: SourceInfo, _change: NewChange) -> tuple[str, ...]:
    return ()


@dataclass
class Cycle:
    """The state of one run: configuration, storage, the fetcher and the worker pool."""

    config: Config
    db: Database
    router: Router = _no_channels
    on_done: Callable[[SourceOutcome], None] | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    #: a worker pool started by the caller (before opening the database, so its workers load
    #: their modules meanwhile); None: the run starts its own when it has enough sources
    pool: Executor | None = None

    def __post_init__(self) -> None:
        self.repo = Repository(self.db)
        # Every write of this cycle first re-checks (and renews) the cycle lease in its own
        # transaction: a cycle that lost the lease stops writing (crawler/lock.py).
        self.lease = current_lease()
        if self.lease is not None:
            self.repo.fence = self.lease.fence
        self.settings = self.config.settings
        self._executor: Executor | None = None
        # Preloaded by run(): one query for all sources instead of several per source.
        self._latest: dict[str, VersionInfo] = {}
        self._validators: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        self._preloaded = False
        self._stale: set[str] = set()  # sources whose preload no longer holds (new version)
        self._pending_checks: list[NewCheck] = []
        self._specs: dict[str, SourceConfig] = {}  # typed, per source id, read once
        self._changelogs: frozenset[str] | None = None
        self._enabled: list[SourceInfo] | None = None  # as listed at the start of the run
        self._holding: set[str] = set()  # sources with a fetched document not yet written
        self._room: asyncio.Condition | None = None  # created in the running loop

    # ---- entry point ---------------------------------------------------------------------------
    async def run(self, only: Sequence[str] | None = None) -> CycleReport:
        started = datetime.now(UTC)
        sources = self.prepare_sources(only)
        self._latest, self._validators = self.repo.cycle_state()
        self._preloaded = True
        log.info("run %s: checking %d source(s)", self.run_id, len(sources))
        opts = fetch_options(self.config)
        with contextlib.nullcontext(self.pool) if self.pool is not None else worker_pool(
                self.settings.workers, len(sources)) as executor:
            self._executor = executor
            if self._latest and isinstance(executor, WorkerPool):
                executor.warm_up()  # pages with a version may be diffed: ready the differ
            # One headless browser per cycle, only if some source has fetcher =
            # "browser" / "auto" (None otherwise); Chromium itself starts on first use.
            async with Fetcher(opts) as fetcher, browser_for_cycle(
                    self.config, (self.spec(s).fetcher for s in sources)) as browser:
                self.fetcher = fetcher
                self.browser = browser
                tasks = [asyncio.create_task(self._guarded(s)) for s in sources]
                outcomes = []
                try:
                    for fut in asyncio.as_completed(tasks):
                        outcome = await fut
                        outcomes.append(outcome)
                        if self.on_done:
                            self.on_done(outcome)
                finally:
                    self.flush_checks()
        order = {s.id: i for i, s in enumerate(sources)}
        outcomes.sort(key=lambda o: order.get(o.source_id, 0))
        return CycleReport(self.run_id, started, datetime.now(UTC), tuple(outcomes))

    def changelog_ids(self) -> frozenset[str]:
        """The sources some source names as its changelog, read once per run: a changed page
        that is nobody's changelog re-judges nothing, without listing every source."""
        if self._changelogs is None:
            enabled = self._enabled if self._enabled is not None else \
                self.repo.list_sources(enabled_only=True)
            self._changelogs = frozenset(
                str(s.settings["changelog"]) for s in enabled
                if (s.settings or {}).get("changelog"))
        return self._changelogs

    def prepare_sources(self, only: Sequence[str] | None) -> list[SourceInfo]:
        self.repo.sync_sources(source_info(s) for s in self.config.sources)
        self._specs.clear()  # read again from what was just stored
        sources = self._enabled = self.repo.list_sources(enabled_only=True)
        if only:
            wanted = set(only)
            sources = [s for s in sources if s.id in wanted]
        return sources

    async def _guarded(self, source: SourceInfo) -> SourceOutcome:
        """One source's failure never stops the others: anything unexpected becomes a failed
        outcome with its reason, and the database transaction for that source is rolled back."""
        try:
            if self.lease is not None and self.lease.lost:
                raise LeaseLost(self.lease.name, self.lease.owner)
            try:
                return await self.check_source(source)
            finally:
                await self._let_go(source.id)
        except LeaseLost as exc:  # nothing is written: another cycle now owns the database
            log.error("source %s: %s", source.id, exc)
            return SourceOutcome(source.id, FAILED, str(exc), "lease_lost")
        except Exception as exc:  # noqa: BLE001 - the cycle must go on
            # A database failure (disk full, read-only file, connection lost) is not a
            # bug: report it as kind "database" with the driver's one-line reason, not a
            # traceback with the SQL statement and its parameters (crawled bytes).
            db_problem = database_error_text(exc)
            if isinstance(exc, PatternTimeout):
                kind, message = "pattern_timeout", str(exc)
                log.error("source %s: %s", source.id, message)
            elif db_problem is not None:
                kind, message = "database", f"database error: {db_problem}"
                log.error("source %s: %s", source.id, message)
            else:
                kind, message = "internal", f"internal error: {type(exc).__name__}: {exc}"
                log.exception("source %s: unexpected error", source.id)
            try:
                self.repo.record_check(
                    NewCheck(source_id=source.id, url=source.url, started_at=datetime.now(UTC),
                             status="error", error_kind=kind, error_message=message,
                             run_id=self.run_id), failed=True)
            except Exception as again:  # noqa: BLE001 - the database itself may be what failed
                log.error("source %s: could not record the failure either: %s", source.id,
                          database_error_text(again) or repr(again))
            return SourceOutcome(source.id, FAILED, message, kind)

    # ---- one source --------------------------------------------------------------------------------
    def spec(self, source: SourceInfo) -> SourceConfig:
        """The source's typed spec, read from its stored settings once per cycle."""
        spec = self._specs.get(source.id)
        if spec is None:
            spec = self._specs[source.id] = source_spec(source)
        return spec

    async def check_source(self, source: SourceInfo) -> SourceOutcome:
        """The source's kind finds its document; the cycle writes what it found."""
        spec = self.spec(source)
        started = datetime.now(UTC)
        found: Found = await kind_for(spec.kind).check(spec, _SourcePort(self, source))
        if isinstance(found, FetchFailed):
            return self.record_fetch_error(source, found.url, started, found.error)
        if isinstance(found, NoLinks):
            return self.record_no_links(source, found, started)
        return await self.record_document(source, found, started)

    async def record_document(self, source: SourceInfo, found: Document,
                              started: datetime) -> SourceOutcome:
        outcome = await self.process_document(source, found.result, started,
                                              document_url=found.document_url, facts=found.facts)
        if found.discovered and outcome.status in (FIRST, CHANGED):
            for discovered in found.discovered:
                self.repo.add_discovered_source(discovered)
        return outcome

    def record_no_links(self, source: SourceInfo, found: NoLinks,
                        started: datetime) -> SourceOutcome:
        self.repo.record_check(NewCheck(
            source_id=source.id, url=source.url, final_url=found.page.final_url,
            started_at=started, status="error", http_status=found.page.status_code,
            error_kind="select_empty", error_message=found.message, run_id=self.run_id),
            failed=True)
        return SourceOutcome(source.id, FAILED, found.message, "select_empty")

    def defer_check(self, check: NewCheck) -> None:
        """Checks that found nothing new are written in batches, not one transaction each:
        on a warm cycle they are 95 % of the writes. Losing a batch to a crash loses only
        "nothing changed" records, never a snapshot, version, change or alert."""
        self._pending_checks.append(check)
        if len(self._pending_checks) >= CHECK_BATCH:
            self.flush_checks()

    def flush_checks(self) -> None:
        """Write the batch; a failure is logged, not charged to whichever source filled it
        (only "nothing changed" records are at stake, never a version or an alert)."""
        if self._pending_checks:
            batch, self._pending_checks = self._pending_checks, []
            try:
                self.repo.record_checks(batch)
            except Exception as exc:  # noqa: BLE001 - the cycle goes on
                log.error("could not record %d unchanged check(s): %s", len(batch),
                          database_error_text(exc) or exc)

    def latest_version(self, source_id: str) -> VersionInfo | None:
        """The source's latest version, from the cycle's preload while it is still current."""
        if self._preloaded and source_id not in self._stale:
            return self._latest.get(source_id)
        return self.repo.latest_version(source_id)

    def validators(self, source_id: str, url: str) -> tuple[str | None, str | None]:
        if self._preloaded and source_id not in self._stale:
            return self._validators.get((source_id, url), (None, None))
        return self.repo.last_validators(source_id, url)

    async def fetch(self, source: SourceInfo, url: str, *, conditional: bool,
                    rules: ExtractRules | None = None) -> FetchResult:
        latest = self.latest_version(source.id)
        etag = last_modified = None
        # Validators only when a version exists that they vouch for.
        # …and only when that version came from this URL: validators kept for a URL the
        # source used before would answer 304 for text that is not the latest version's.
        if (conditional and latest is not None and latest.kind != "removed"
                and latest.document_url == url):
            etag, last_modified = self.validators(source.id, url)
        spec = self.spec(source)
        allow_private = spec.allows_private(self.settings)
        user_agent = spec.user_agent

        async def plain() -> FetchResult:
            return await self.fetcher.fetch(
                url, etag=etag, last_modified=last_modified,
                allow_private=allow_private, user_agent=user_agent,
            )

        await self._wait_for_room(source.id)
        self._holding.add(source.id)  # counted from now: every task reaches the wait at once
        # fetcher = "browser" renders with Chromium; "auto" tries plain HTTP first and
        # the browser when that is blocked or looks built by JavaScript (crawler/fetch_strategy.py).
        return await fetch_for_source(
            getattr(self, "browser", None), spec.fetcher, url, plain, wait_for=spec.wait_for,
            allow_private=allow_private, user_agent=user_agent, rules=rules)

    async def _wait_for_room(self, source_id: str) -> None:
        """Before a fetch: wait while ``FETCHED_BACKLOG`` sources are fetching or hold a
        document not yet written. Fetches are faster than extraction, and without this a cold
        cycle kept every page's body in memory until the workers reached it. A source that
        already holds one (an index page before its document) never waits, so no source waits
        on itself."""
        if source_id in self._holding:
            return
        if self._room is None:
            self._room = asyncio.Condition()
        async with self._room:
            # never fewer than twice the fetch concurrency, so fetching is not slowed
            limit = max(FETCHED_BACKLOG, 2 * self.settings.concurrency)
            await self._room.wait_for(lambda: len(self._holding) < limit)

    async def _let_go(self, source_id: str) -> None:
        """The source is done: its document no longer counts against the backlog."""
        if source_id in self._holding:
            self._holding.discard(source_id)
            if self._room is not None:
                async with self._room:
                    self._room.notify()

    def record_fetch_error(self, source: SourceInfo, url: str, started: datetime,
                           err: FetchError) -> SourceOutcome:
        self.repo.record_check(
            NewCheck(source_id=source.id, url=url, started_at=started, status="error",
                     http_status=err.http_status, error_kind=err.kind, error_message=err.message,
                     attempts=err.attempts, elapsed_ms=_ms_since(started), run_id=self.run_id),
            failed=True)
        # Debug only: the run summary prints each failure once (and `sources list`, the Check row
        # and the maintainer notice keep it); a warning here printed every failure twice more.
        log.debug("source %s: %s: %s", source.id, err.kind, err.message)
        return SourceOutcome(source.id, FAILED, err.message, err.kind, elapsed_ms=_ms_since(started))

    async def process_document(self, source: SourceInfo, result: FetchResult, started: datetime,
                               *, document_url: str | None = None,
                               facts: Facts = NO_FACTS) -> SourceOutcome:
        """Steps 2–7 for one fetched document: snapshot, extract, version, diff, enqueue.

        ``facts`` are what the source kind learnt while fetching (a re-upload, a replaced
        document, its own summary); the severity policy weighs them with the diff."""
        doc_url = document_url or result.url
        check = _check_from_result(source, result, started, self.run_id)
        if result.not_modified:
            self.defer_check(_replace(check, status="not_modified"))
            return SourceOutcome(source.id, NOT_MODIFIED, elapsed_ms=check.elapsed_ms or 0)
        if result.gone:
            return self.record_gone(source, result, check)

        latest = self.latest_version(source.id)
        raw_sha = hashlib.sha256(result.body).hexdigest()
        rules = extract_rules(self.spec(source))
        from crawler.extract import EXTRACTOR_VERSION
        from crawler.fingerprint import rules_changed, rules_fingerprint

        fingerprint = rules_fingerprint(rules)
        if (latest is not None and latest.kind not in ("removed", "archived")
                and latest.snapshot_sha256
                and rules_changed(latest.rules_fingerprint, latest.extractor_version, fingerprint)):
            latest = await self.catch_up_rules(source, latest, rules, fingerprint,
                                               before=check.started_at)

        # Same bytes as the latest version, same extractor: nothing to extract or diff.
        if (latest is not None and latest.snapshot_sha256 == raw_sha
                and latest.extractor_version == EXTRACTOR_VERSION and latest.kind != "removed"
                and not facts.news_without_text):
            self.defer_check(_replace(check, status="unchanged"))
            return SourceOutcome(source.id, UNCHANGED, elapsed_ms=check.elapsed_ms or 0)

        base = latest
        if base is not None and base.kind == "removed":
            base = self._last_with_text(source.id)
        # The previous text travels to the worker only when the new text differs from it:
        # most pages are unchanged, and loading 50 KB per page for nothing adds up.
        job = ExtractJob(body=result.body, content_type=result.content_type, rules=rules,
                         url=result.final_url or doc_url, previous_text=None,
                         previous_sha256=base.text_sha256 if base is not None else None,
                         max_pdf_pages=self.settings.max_pdf_pages,
                         pdf_timeout=self.settings.pdf_timeout,
                         # the same text as the latest version is recorded as "unchanged"
                         text_if_new=(latest is not None and latest is base
                                      and not facts.news_without_text))
        outcome = await self._run_cpu(job)
        if outcome.needs_diff and base is not None:
            # The worker reads and traces the commitments too (when the base's are stored):
            # the run's own process, which every source waits on, then only writes the rows.
            outcome = await self._run_diff(outcome, self.repo.version_text(base.id),
                                           trace_inputs(self.db, source, base.id))
        snapshot = NewSnapshot(raw_sha, result.content_type, result.body, outcome.snapshot_data)
        if outcome.error_kind is not None:
            # Say that the raw bytes were kept, so a reader knows nothing is lost and
            # where to find them (`framewatch` keeps the snapshot; re-extraction can retry it).
            message = (f"{doc_url}: {outcome.error_message} (no version recorded; the raw "
                       f"snapshot sha256 {raw_sha[:12]}… is kept)")
            self.repo.record_check(
                _replace(check, status="error", error_kind=outcome.error_kind, error_message=message),
                snapshot=snapshot, failed=True)  # the raw bytes are kept, so nothing is lost
            return SourceOutcome(source.id, FAILED, message, outcome.error_kind,
                                 elapsed_ms=check.elapsed_ms or 0)
        assert outcome.text_sha256 is not None
        warnings = tuple(check.warnings) + outcome.warnings
        if rules.select and not outcome.select_matched:
            why = ("the page layout probably changed" if latest is not None else
                   "check the selector against the page with `framewatch try URL --select …`")
            message = (f"{doc_url}: the `select` selector(s) {list(rules.select)} matched nothing; "
                       f"{why} (no version recorded)")
            self.repo.record_check(
                _replace(check, status="error", error_kind="select_empty", error_message=message),
                snapshot=snapshot, failed=True)
            return SourceOutcome(source.id, FAILED, message, "select_empty",
                                 elapsed_ms=check.elapsed_ms or 0)
        if latest is not None and latest.kind != "removed" and latest.text_sha256 == outcome.text_sha256 \
                and not facts.news_without_text:
            self.defer_check(_replace(check, status="unchanged", warnings=warnings))
            return SourceOutcome(source.id, UNCHANGED, elapsed_ms=check.elapsed_ms or 0)
        assert outcome.text is not None
        return self.record_version(source, check, snapshot, outcome, latest, base, doc_url,
                                   warnings, facts)

    def record_version(self, source: SourceInfo, check: NewCheck, snapshot: NewSnapshot,
                       outcome: ExtractOutcome, latest: VersionInfo | None,
                       base: VersionInfo | None, doc_url: str, warnings: tuple[str, ...],
                       facts: Facts) -> SourceOutcome:
        now = datetime.now(UTC)
        assert outcome.text is not None and outcome.text_sha256 is not None
        kind = "first" if latest is None else "change"
        # A first version's ledger, and a change's whose base is still pending, is left to the
        # catch-up behind the alerts (crawler/ledger.py): the model is off the run's path.
        ledger = traced_ledger(outcome.commitments, outcome.traces, base.id if base else None)
        change = None
        if base is not None:
            # The traced commitments and their disclosure travel with the change, so alerts can
            # say which changes the provider's changelog does not mention.
            diff = {**(outcome.diff or EMPTY_DIFF), **ledger_diff_keys(ledger)}
            reverted_to = self._reverted_to(source.id, outcome.text_sha256, latest)
            change = NewChange.decided(decide(diff, _replace(facts, reverted=reverted_to)), now)
            if reverted_to is not None:
                kind = "reverted"
            change = _replace(change, channels=self.router(source, change))
        from crawler.fingerprint import rules_fingerprint

        version = NewVersion(document_url=doc_url, text=outcome.text,
                             text_sha256=outcome.text_sha256,
                             extractor_version=outcome.extractor_version, kind=kind,
                             fetched_at=check.started_at, title=outcome.title or None,
                             rules_fingerprint=rules_fingerprint(extract_rules(self.spec(source)),
                                                                 outcome.extractor_version),
                             ledger=ledger)
        _, version_id, change_id = self.repo.record_check(
            _replace(check, status="ok", warnings=warnings), snapshot=snapshot, version=version,
            change=change, previous_version_id=latest.id if latest else None)
        self._stale.add(source.id)
        if latest is not None:
            if source.id in self.changelog_ids():  # another document's changelog
                refresh_disclosure(self.db, source.id)
        status = FIRST if latest is None else CHANGED
        return SourceOutcome(source.id, status, version_id=version_id, change_id=change_id,
                             severity=change.severity if change else None,
                             summary=change.summary if change else "",
                             elapsed_ms=check.elapsed_ms or 0)

    async def catch_up_rules(self, source: SourceInfo, latest: VersionInfo, rules: ExtractRules,
                             fingerprint: str, *, before: datetime) -> VersionInfo:
        """The rules changed since `latest` was made: re-extract its stored snapshot with the
        current rules and record the result as a ``technical`` version (no alert), so the fetch
        is compared against text made the same way and only the company's edits are news.

        Returns the version to compare against: the technical one, or `latest` itself when the
        text came out the same (its fingerprint is updated, so this is done once) or the old
        bytes cannot be extracted under the new rules (a `select` that matches nothing there:
        the fetch's own extraction reports it)."""
        body, content_type = self.repo.snapshot_bytes(latest.snapshot_sha256)  # type: ignore[arg-type]
        job = ExtractJob(body=body, content_type=content_type, rules=rules,
                         url=latest.document_url, previous_text=self.repo.version_text(latest.id),
                         max_pdf_pages=self.settings.max_pdf_pages,
                         pdf_timeout=self.settings.pdf_timeout)
        outcome = await self._run_cpu(job)
        if (outcome.error_kind is not None or outcome.text is None or outcome.text_sha256 is None
                or (rules.select and not outcome.select_matched)):
            return latest
        if outcome.text_sha256 == latest.text_sha256:
            self.repo.set_rules_fingerprint(latest.id, fingerprint)
            return _replace(latest, rules_fingerprint=fingerprint)
        now = datetime.now(UTC)
        # History is ordered by fetch time: the technical version sits between the latest
        # version and this fetch (`before`), whose version must stay the newest.
        tick = timedelta(microseconds=1)
        when = max(latest.fetched_at + tick, min(now, before - tick))
        version = NewVersion(document_url=latest.document_url, text=outcome.text,
                             text_sha256=outcome.text_sha256,
                             extractor_version=outcome.extractor_version, kind="technical",
                             fetched_at=when, title=outcome.title or latest.title,
                             rules_fingerprint=fingerprint,
                             ledger=ledger_after(self.db, source, outcome.text, latest.id,
                                                 job.previous_text))
        vid, _ = self.repo.insert_history_version(
            source.id, version, snapshot_sha256=latest.snapshot_sha256,
            change=NewChange.decided(decide(outcome.diff or {}, Facts(
                technical="new extraction rules (select, remove, ignore or the extractor "
                          "changed)")), now),
            previous_version_id=latest.id)
        self._stale.add(source.id)
        log.info("source %s: extraction rules changed; re-extracted version %d as technical "
                 "version %d (not alerted)", source.id, latest.id, vid)
        caught_up = self.repo.get_version(vid, with_text=False)
        assert caught_up is not None
        return caught_up

    def record_gone(self, source: SourceInfo, result: FetchResult, check: NewCheck) -> SourceOutcome:
        """404/410: a document that disappears is itself a change, recorded once."""
        latest = self.latest_version(source.id)
        code = result.status_code
        if latest is None:
            message = f"{result.url}: HTTP {code} — the document does not exist (check the URL)"
            self.repo.record_check(_replace(check, status="error", error_kind="gone",
                                            error_message=message), failed=True)
            return SourceOutcome(source.id, FAILED, message, "gone", elapsed_ms=check.elapsed_ms or 0)
        if latest.kind == "removed":
            self.repo.record_check(_replace(check, status="unchanged",
                                            error_message=f"still gone (HTTP {code})"))
            return SourceOutcome(source.id, UNCHANGED, f"still gone (HTTP {code})",
                                 elapsed_ms=check.elapsed_ms or 0)
        now = datetime.now(UTC)
        change = NewChange.decided(decide(None, Facts(removed=f"{result.url} answers HTTP {code}")),
                                   now)
        change = _replace(change, channels=self.router(source, change))
        summary = change.summary
        version = NewVersion(document_url=result.url, text="", text_sha256=text_hash(""),
                             extractor_version="-", kind="removed", fetched_at=check.started_at)
        _, vid, cid = self.repo.record_check(_replace(check, status="ok"), version=version,
                                             change=change, previous_version_id=latest.id)
        self._stale.add(source.id)
        return SourceOutcome(source.id, REMOVED, summary, version_id=vid, change_id=cid,
                             severity=change.severity, summary=summary,
                             elapsed_ms=check.elapsed_ms or 0)

    # ---- helpers ---------------------------------------------------------------------------------
    def _last_with_text(self, source_id: str) -> VersionInfo | None:
        for vid, _ in self.repo.recent_text_hashes(source_id, 50):
            v = self.repo.get_version(vid, with_text=False)
            if v is not None and v.kind != "removed":
                return v
        return None

    def _reverted_to(self, source_id: str, text_sha: str, latest: VersionInfo | None) -> int | None:
        """A → B → A: the id of an earlier version (within the revert window) with this text.

        Not when the text equals the latest version's (a re-upload or a moved document with the
        same words): nothing was reverted, and calling it one would downgrade it to "low"."""
        if latest is None or (latest.kind != "removed" and latest.text_sha256 == text_sha):
            return None
        recent = self.repo.recent_text_hashes(source_id, self.settings.revert_window + 1)
        for vid, sha in recent[1:]:
            if sha == text_sha:
                return vid
        return None

    async def _run_cpu(self, job: ExtractJob) -> ExtractOutcome:
        if self._executor is None:
            return extract_and_diff(job)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, extract_and_diff, job)

    async def _run_diff(self, outcome: ExtractOutcome, previous_text: str,
                        trace: TraceInputs | None = None) -> ExtractOutcome:
        if self._executor is None:
            return with_diff(outcome, previous_text, trace)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, with_diff, outcome, previous_text,
                                          trace)


# ---- pure helpers (easy to test) ----------------------------------------------------------------

def database_error_text(exc: BaseException) -> str | None:
    """The driver's one-line reason when ``exc`` is a database error, else None.

    SQLAlchemy wraps driver errors with ``.orig``; its own text appends the SQL statement and
    parameters, which may hold crawled bytes, so only the driver's first line is kept. Duck-typed
    so that SQLAlchemy stays in storage/.
    """
    if not type(exc).__module__.startswith("sqlalchemy"):
        return None
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:500]



def fetch_options(config: Config) -> FetchOptions:
    s = config.settings
    return FetchOptions(
        user_agent=s.user_agent, connect_timeout=s.connect_timeout, read_timeout=s.read_timeout,
        total_timeout=s.total_timeout, max_bytes=s.max_bytes, retries=s.retries, backoff=s.backoff,
        concurrency=s.concurrency, per_host=s.per_host, allow_private=s.allow_private,
    )


def _check_from_result(source: SourceInfo, result: FetchResult, started: datetime,
                       run_id: str) -> NewCheck:
    return NewCheck(
        source_id=source.id, url=result.url, final_url=result.final_url, started_at=started,
        status="ok", http_status=result.status_code, fetcher=result.fetcher,
        elapsed_ms=result.elapsed_ms, attempts=result.attempts, etag=result.etag,
        last_modified=result.last_modified, headers=dict(result.headers), run_id=run_id,
    )


def _replace(obj: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(obj, **changes)


def _ms_since(started: datetime) -> int:
    return int((datetime.now(UTC) - started).total_seconds() * 1000)


class _SourcePort:
    """What one source's kind may ask of the cycle (crawler.kinds.Port): fetch with the
    source's fetcher and validators, read its latest version."""

    def __init__(self, cycle: Cycle, source: SourceInfo) -> None:
        self._cycle, self._source = cycle, source

    async def fetch(self, url: str, *, conditional: bool,
                    rules: ExtractRules | None = None) -> FetchResult:
        return await self._cycle.fetch(self._source, url, conditional=conditional, rules=rules)

    def latest_version(self) -> VersionInfo | None:
        return self._cycle.latest_version(self._source.id)

    def version_text(self, version_id: int) -> str:
        return self._cycle.repo.version_text(version_id)
