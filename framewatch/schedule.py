"""`framewatch schedule`: run cycles on the cron expression of sources.toml until stopped.

APScheduler (3.x) only keeps time: its job sets an event, and the main thread runs the cycle.
That way a cycle is exactly `framewatch run` (framewatch.pipeline.run_with_progress, under the same
``cycle`` lease), and SIGTERM/SIGINT reach the thread that runs it, so a stop request cancels the
cycle between two sources' transactions (crawler.lock.GracefulStop) rather than killing it.

* coalescing: runs missed while a cycle was still going, or while the machine slept, collapse
  into one; a run later than the misfire grace time is skipped, not replayed;
* jitter: a random delay so many installations do not hit the same sites at 06:00:00;
* sources.toml is re-read before every cycle, so edits take effect without a restart (a broken
  file skips that cycle with an error; the scheduler keeps going). The schedule itself is read
  at start.
"""

from __future__ import annotations

import argparse
import logging
import re
import threading
from datetime import datetime
from typing import Any

from crawler.config import Config, ConfigError

log = logging.getLogger("framewatch.schedule")

MISFIRE_GRACE = 3600  # seconds: a 06:00 run may still start at 06:59 (after a suspend, say)
DEFAULT_JITTER = 120


def register(subparsers: Any) -> None:
    from framewatch.common import add_common

    p = subparsers.add_parser(
        "schedule", help="run cycles on the [settings] schedule (cron) until stopped",
        description="Run `framewatch run` cycles on the cron expression of [settings] schedule "
                    "in [settings] timezone. SIGTERM or Ctrl-C stops after the current "
                    "transaction; a second signal stops at once.")
    add_common(p)
    p.add_argument("--run-now", action="store_true", help="also run one cycle right away")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="if another cycle is running when one is due, wait up to SECONDS "
                        "(default 0: skip this cycle)")
    p.add_argument("--jitter", type=int, default=DEFAULT_JITTER, metavar="SECONDS",
                   help=f"start each cycle up to SECONDS late, at random (default {DEFAULT_JITTER})")
    # For tests and demos: a seconds-level interval instead of the cron schedule, and a cap.
    p.add_argument("--every", type=float, help=argparse.SUPPRESS)
    p.add_argument("--cycles", type=int, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_schedule)


def make_trigger(config: Config, every: float | None, jitter: int) -> Any:
    """The cron trigger of [settings] (or a seconds interval for tests), with jitter."""
    from zoneinfo import ZoneInfo  # the time zone database: only when scheduling

    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    tz = ZoneInfo(config.settings.timezone)
    if every:
        return IntervalTrigger(seconds=every, timezone=tz, jitter=jitter or None)
    return CronTrigger(**cron_fields(config.settings.schedule), timezone=tz, jitter=jitter or None)


_DOW = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_fields(expr: str) -> dict[str, str]:
    """Five crontab fields → CronTrigger keywords.

    Day-of-week numbers follow crontab (0 or 7 = Sunday), not APScheduler 3 (0 = Monday), so
    "0 6 * * 1-5" means weekdays as it does in crontab; they become names to say so."""
    minute, hour, day, month, day_of_week = expr.split()
    day_of_week = re.sub(r"(?<![/\d])([0-7])(?!\d)", lambda m: _DOW[int(m.group(1))], day_of_week)
    return {"minute": minute, "hour": hour, "day": day, "month": month,
            "day_of_week": day_of_week}


def describe(when: datetime | None, tz: str) -> str:
    if when is None:
        return "never"
    from zoneinfo import ZoneInfo

    local = when.astimezone(ZoneInfo(tz))
    return f"{local.isoformat(timespec='seconds')} ({tz})"


def cmd_schedule(args: argparse.Namespace) -> int:
    from apscheduler.schedulers.background import BackgroundScheduler

    from crawler.lock import GracefulStop
    from framewatch.common import config_from_args, database_url

    config = config_from_args(args)
    tz = config.settings.timezone
    jitter = 0 if args.every and args.jitter == DEFAULT_JITTER else args.jitter
    trigger = make_trigger(config, args.every, jitter)
    due = threading.Event()
    from zoneinfo import ZoneInfo

    scheduler = BackgroundScheduler(timezone=ZoneInfo(tz))
    job = scheduler.add_job(due.set, trigger, id="framewatch-cycle", name="framewatch cycle",
                            coalesce=True, max_instances=1, misfire_grace_time=MISFIRE_GRACE)
    stop = GracefulStop()
    stop.install()
    scheduler.start()
    what = f"every {args.every:g} s" if args.every else f"'{config.settings.schedule}'"
    say(f"framewatch schedule: {what} in {tz}; next cycle at {describe(job.next_run_time, tz)}")
    if args.run_now:
        due.set()
    cycles = 0
    try:
        while stop.signum is None:
            if not due.wait(0.5):
                continue
            due.clear()
            run_scheduled_cycle(args, database_url(args, config), stop)
            cycles += 1
            if args.cycles and cycles >= args.cycles:
                break
            if stop.signum is None:
                say(f"next cycle at {describe(job.next_run_time, tz)}")
    finally:
        scheduler.shutdown(wait=False)
        stop.restore()
    say(f"framewatch schedule: stopped after {cycles} cycle(s)")
    return 0


def say(message: str) -> None:
    print(message, flush=True)


def run_scheduled_cycle(args: argparse.Namespace, url: str, stop: Any) -> None:
    """One cycle, like `framewatch run`. Whatever goes wrong is logged; the scheduler goes on."""
    from crawler.lock import CycleInterrupted, LockBusy, exclusive_cycle
    from framewatch.common import config_from_args
    from framewatch.pipeline import ledger_line, run_with_progress, update_ledger
    from framewatch.summary import failure_lines
    from storage.db import DatabaseError, open_database

    try:
        config = config_from_args(args)
    except ConfigError as exc:
        log.error("cycle skipped: configuration error: %s", exc)
        return
    try:
        db = open_database(url)
    except DatabaseError as exc:
        log.error("cycle skipped: %s", exc)
        return
    try:
        with exclusive_cycle(db, wait=args.wait, stop=stop):
            report = run_with_progress(config, db, None, notify=True, show_progress=False)
            say(f"cycle {report.run_id}: {len(report.outcomes)} checked, "
                f"{report.count('first', 'changed', 'removed')} new version(s), "
                f"{len(report.changes)} change(s), {len(report.failures)} failure(s)")
            for line in failure_lines(report):
                say(line)
            # The commitments ledger, behind the alerts just delivered, under the same lease.
            ledger = update_ledger(db, show_progress=False, workers=config.settings.workers)
            if ledger.versions or ledger.failures or ledger.interrupted:
                say(ledger_line(ledger))
    except LockBusy as exc:
        log.warning("cycle skipped: %s", exc)
    except CycleInterrupted as exc:
        say(f"cycle stopped: {exc}")
    except Exception:  # noqa: BLE001 - one bad cycle must not end months of scheduling
        log.exception("cycle failed; the next one runs on schedule")
    finally:
        db.dispose()
