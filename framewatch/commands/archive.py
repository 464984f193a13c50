"""History commands: `framewatch backfill`, `framewatch reextract`, `framewatch export`.

They work on the stored history rather than on today's web, so they live apart from `run`; the
work itself is in crawler/backfill.py, crawler/reextract.py and crawler/export.py. Backfill and
reextract write versions, so they take the cycle lock like `run` does (never two writers at once).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from framewatch.common import (
    NotFound,
    UsageError,
    add_common,
    config_from_args,
    open_db,
    parse_date,
    print_json,
    run_locked,
)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "backfill", help="import earlier versions of a source from the Internet Archive")
    add_common(p, formats=True)
    p.add_argument("source", help="source id (kind page or pdf)")
    p.add_argument("--from", dest="since", type=parse_date, metavar="DATE",
                   help="first capture date to import (ISO date)")
    p.add_argument("--to", dest="until", type=parse_date, metavar="DATE",
                   help="last capture date to import (ISO date)")
    p.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                   help="pause between archive requests (default 1; be polite)")
    p.add_argument("--allow-private-backfill", action="store_true",
                   help="send the URL of a source on a private address to the archive anyway")
    p.set_defaults(func=cmd_backfill)

    p = subparsers.add_parser(
        "reextract", help="rebuild versions from stored raw snapshots with the current "
                          "extractor and selectors (marked technical, never alerted)")
    add_common(p, formats=True)
    p.add_argument("source", nargs="?", help="only this source (default: all)")
    p.set_defaults(func=cmd_reextract)

    p = subparsers.add_parser(
        "export", help="write the history as an open dataset (Markdown + manifest.csv)")
    add_common(p, formats=True)
    p.add_argument("dir", help="output directory (created if missing)")
    p.add_argument("--git", action="store_true",
                   help="commit each version to a git repository in DIR (fetch time as date)")
    p.set_defaults(func=cmd_export)


def _finish(report: Any, as_json: bool, summary: str) -> int:
    """Print the report (one JSON document, or the summary and each failure); exit 1 on any."""
    if as_json:
        print_json(report.to_json())
    else:
        print(summary)
        for failure in report.failures:
            print(f"FAILED {failure}")
    return 1 if report.failures else 0


def cmd_backfill(args: argparse.Namespace) -> int:
    import asyncio

    from crawler.backfill import BackfillError, backfill

    config = config_from_args(args)
    if args.delay < 0:
        raise UsageError("--delay must not be negative")
    db = open_db(args, config)
    try:
        report = run_locked(db, lambda: asyncio.run(backfill(
            config, db, args.source, since=args.since, until=args.until, delay=args.delay,
            allow_private_backfill=args.allow_private_backfill)))
    except BackfillError as exc:
        raise UsageError(str(exc)) from None
    if report is None:
        return 1
    return _finish(report, args.format == "json",
                   f"{report.source_id}: {report.captures} capture(s) listed, "
                   f"{len(report.imported)} imported as archived versions; skipped "
                   f"{report.skipped_known} already stored, {report.skipped_same_text} same "
                   f"text, {report.skipped_newer} newer than the latest live version, "
                   f"{report.skipped_status} non-200")


def cmd_reextract(args: argparse.Namespace) -> int:
    from crawler.reextract import reextract

    config = config_from_args(args)
    if args.source and config.source(args.source) is None:
        raise NotFound(f"unknown source {args.source!r} (not in {config.path})")
    db = open_db(args, config)
    report = run_locked(db, lambda: reextract(config, db, args.source))
    if report is None:
        return 1
    return _finish(report, args.format == "json",
                   f"re-extracted {report.checked} source(s): {len(report.technical)} "
                   f"technical version(s) added, {report.unchanged} unchanged")


def cmd_export(args: argparse.Namespace) -> int:
    from crawler.export import ExportError, export

    config = config_from_args(args, required=False)
    db = open_db(args, config, create=False)
    try:
        report = export(db, args.dir, git=args.git)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    if args.format == "json":
        print_json(report.to_json())
    else:
        print(f"{args.dir}: {report.written} file(s) written, {report.unchanged} already there, "
              f"{report.commits} commit(s)")
    return 0
