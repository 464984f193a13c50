"""The composition root: config → cycle → delivery.

`run`, `schedule` and `demo` all run a cycle through :func:`run_with_progress`, which builds the
cycle with the notifier's router, runs it, then delivers the outbox; :func:`update_ledger` reads
what the cycles left pending into the commitments ledger, behind the alerts;
:func:`config_problems` is what `sources check` and `run` both reject before anything is
fetched. This is the one module
that knows how the crawler, the notifier and the storage fit together.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

from crawler.config import Config, ConfigError
from crawler.terminal import terminal_safe

log = logging.getLogger("framewatch")


def _progress_bar(label: str, *, with_description: bool = False) -> Any:
    """The terminal progress bar of a cycle or a catch-up: label, bar, done/total, time elapsed,
    and (for a cycle) the source just finished. Transient: the summary replaces it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns: list[Any] = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    if with_description:
        columns.append(TextColumn("{task.description}"))
    return Progress(*columns, transient=True)


def run_with_progress(config: Config, db: Any, only: Sequence[str] | None, *, notify: bool,
                      show_progress: bool, pool: Any = None) -> Any:
    import asyncio

    from crawler.cycle import Cycle

    router = None
    if notify:  # the notifier is imported only when alerts will be sent
        from notifier.routing import make_router

        # The router validates every [notify.*] table before anything is fetched.
        router = make_router(config)
    cycle = Cycle(config, db, router=router or (lambda _s, _c: ()), pool=pool)
    total = len(only) if only else sum(1 for s in config.sources if s.enabled)
    if show_progress and sys.stderr.isatty():
        with _progress_bar("checking", with_description=True) as progress:
            task = progress.add_task("", total=total)

            def done(outcome: Any) -> None:
                # An index source discovers new sources mid-cycle: the total grows with them.
                seen = progress.tasks[0].completed + 1
                progress.update(task, advance=1, total=max(seen, progress.tasks[0].total or 0),
                                description=f"{outcome.source_id}: {outcome.status}")

            cycle.on_done = done
            report = asyncio.run(cycle.run(only))
    else:
        counter = {"n": 0}

        def done_plain(outcome: Any) -> None:
            counter["n"] += 1
            # Sources an index discovers mid-cycle are counted too: the total grows with them.
            counter["total"] = max(counter.get("total", total), counter["n"])
            # A failure's message is printed once, in the summary; here only its kind.
            detail = outcome.error_kind if outcome.status == "failed" else outcome.message
            log.info("[%d/%d] %s: %s%s", counter["n"], counter["total"], outcome.source_id,
                     outcome.status, f" ({terminal_safe(detail)})" if detail else "")

        cycle.on_done = done_plain
        report = asyncio.run(cycle.run(only))
    if notify:
        from dataclasses import replace

        from crawler.lock import current_lease
        from notifier.outbox import deliver_pending

        # Every delivery runs under the cycle lease: holding it, we know the process that left a
        # row in "sending" is gone (crashed mid-send), so it is retried now, not 15 minutes later.
        lease = current_lease()
        deliveries = deliver_pending(config, db, senders_gone=lease is not None and not lease.lost)
        report = replace(report, deliveries=deliveries)
    return report


def update_ledger(db: Any, *, show_progress: bool, workers: int = 0, wait: float = 0.0) -> Any:
    """Catch the commitments ledger up (crawler.ledger.catch_up) under the cycle lease — the
    one this process holds (`run --ledger`, the scheduler), or taken for it, so no cycle writes
    meanwhile. Stops between versions on SIGTERM/SIGINT (CycleInterrupted); what was written
    stays, and the next catch-up resumes. Raises LockBusy when a cycle holds the lease."""
    from crawler.ledger import catch_up
    from crawler.lock import CycleInterrupted, current_lease, exclusive_cycle

    lease = current_lease()
    if lease is None:
        with exclusive_cycle(db, wait=wait):
            return update_ledger(db, show_progress=show_progress, workers=workers)
    stop = lease.stop_request

    def should_stop() -> bool:
        return lease.lost or (stop is not None and stop.signum is not None)

    if show_progress and sys.stderr.isatty():
        with _progress_bar("ledger") as progress:
            task = progress.add_task("", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = catch_up(db, progress=advance, workers=workers, should_stop=should_stop)
    else:
        step = {"next": 0}

        def log_progress(done: int, total: int) -> None:
            # A line every 5 % (and the last): a catch-up after a cold cycle reads thousands.
            if done >= step["next"] or done == total:
                log.info("[%d/%d] ledger: versions read into the commitments ledger",
                         done, total)
                step["next"] = done + max(1, total // 20)

        report = catch_up(db, progress=log_progress, workers=workers, should_stop=should_stop)
    if report.interrupted and stop is not None and stop.signum is not None:
        raise CycleInterrupted(stop.signum)
    # The search index too, behind the alerts: else the first search after a big cycle waits
    # for it (~5 ms a version on PostgreSQL).
    from storage.search_index import catch_up as index_for_search

    index_for_search(db)
    return report


def ledger_line(report: Any) -> str:
    """The one-line account of a catch-up."""
    line = (f"ledger: {report.versions} version(s) read, {report.commitments} commitments, "
            f"{report.traced} material change(s) traced")
    if report.failures:
        line += f"; could not read {', '.join(report.failures)}"
    if report.interrupted:
        line += "; stopped before the end (the next catch-up resumes)"
    return line


def config_problems(config: Config, *,
                    secrets: bool = True) -> list[ConfigError]:
    """What `sources check` and `run` both reject beyond the file's own parsing: every
    ``[notify.*]`` table validated by its channel, then secret variables missing from the
    environment (those only matter when alerts will be sent)."""
    from crawler.envcheck import missing_secrets

    problems: list[ConfigError] = []
    if config.channels:  # the channel code (smtplib, ssl, ...) is only worth importing for one
        from notifier.channels import channel_problems

        problems += channel_problems(config)
    if secrets:
        bad = {p.field.rsplit(".", 1)[0] for p in problems if p.field}
        problems += [p for p in missing_secrets(config)
                     if p.field and p.field.rsplit(".", 1)[0] not in bad]
    return problems
