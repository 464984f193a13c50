"""`framewatch notify-test [CHANNEL]` and `framewatch deliveries`.

``notify-test`` sends a sample alert straight to one channel (or all), outside the outbox, so a
new ``[notify.*]`` table can be checked before the first real change. ``deliveries`` lists the
outbox rows that need attention: pending (with their next attempt and last error) and failed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from storage.records import ChangeInfo, SourceInfo, VersionInfo

if TYPE_CHECKING:
    from notifier.alert import Alert

SAMPLE_DIFF: dict[str, Any] = {
    "severity": "high", "categories": ["response", "thresholds"], "seoul": ["II", "IV"],
    "signals": ["numeric", "weakened"],
    "summary": "Thresholds · numeric: 'ASL-3' → 'ASL-4' in 4 Capability thresholds",
    "hunks": [
        {"section": "4 Capability thresholds > 4.2 Responses",
         "old": "We will pause training when a model reaches ASL-3.",
         "new": "We may pause training when a model reaches ASL-4.",
         "categories": ["response", "thresholds"], "signals": ["numeric", "weakened"],
         "severity": "high"},
        {"section": "7 Transparency",
         "old": "We publish evaluation results within 6 months.",
         "new": "We publish evaluation results within 12 months.",
         "categories": ["publication"], "signals": ["numeric"], "severity": "high"},
    ],
}


def sample_alert(base_url: str) -> Alert:
    """A realistic alert (no real change behind it) for `notify-test`."""
    from notifier.alert import build_alert  # imports storage: only when a command runs

    now = datetime.now(UTC)
    change = ChangeInfo(id=0, source_id="framewatch-test", old_version_id=None, new_version_id=0,
                        severity="high", categories=("response", "thresholds"),
                        signals=("numeric", "weakened"), summary=SAMPLE_DIFF["summary"],
                        detected_at=now, diff=SAMPLE_DIFF)
    source = SourceInfo(id="framewatch-test", company="framewatch",
                        title="Test alert (not a real change)",
                        url="https://example.org/framework", kind="page", enabled=True,
                        origin="config")
    version = VersionInfo(id=0, source_id=source.id, snapshot_sha256=None,
                          document_url=source.url, text_sha256="", extractor_version="-",
                          fetched_at=now, kind="change", title="Sample Safety Framework")
    # No change 0 exists: the link goes to the web UI's front page, which does.
    return replace(build_alert(change, source, version, base_url),
                   permalink=base_url.rstrip("/") + "/")


def cmd_notify_test(args: argparse.Namespace) -> int:
    from framewatch.common import UsageError, config_from_args
    from notifier.channels import SendError, channels_from_config

    config = config_from_args(args)
    channels = channels_from_config(config)
    if not channels:
        raise UsageError(f"{config.path}: no [notify.*] channel is configured")
    if args.channel:
        if args.channel not in channels:
            raise UsageError(f"unknown channel {args.channel!r} (configured: "
                             f"{', '.join(sorted(channels))})")
        channels = {args.channel: channels[args.channel]}
    import uuid  # only a test send needs it: every command builds this module's parser

    alert = sample_alert(config.settings.base_url)
    failures = 0
    for name, ch in channels.items():
        try:
            ch.send(alert, f"test-{name}-{uuid.uuid4().hex[:12]}")
        except SendError as exc:
            failures += 1
            print(f"{ch.describe()}: FAILED — {exc}", file=sys.stderr)
        else:
            print(f"{ch.describe()}: sample alert sent")
    return 1 if failures else 0


def cmd_deliveries(args: argparse.Namespace) -> int:
    from framewatch.common import config_from_args, open_db, print_json
    from storage import outbox as store
    from storage.records import iso

    db = open_db(args, config_from_args(args, required=False), create=False)
    try:
        statuses = None if args.all else ("pending", "sending", "failed")
        rows = store.listing(db, statuses, limit=args.limit)
    finally:
        db.dispose()
    if args.format == "json":
        print_json([{"id": r.id, "channel": r.channel, "kind": r.kind, "change_id": r.change_id,
                     "status": r.status, "attempts": r.attempts, "last_error": r.last_error,
                     "next_attempt_at": iso(r.next_attempt_at),
                     "attempt_started_at": iso(r.attempt_started_at),
                     "sent_at": iso(r.sent_at), "created_at": iso(r.created_at),
                     "idempotency_key": r.idempotency_key, "severity": r.severity}
                    for r in rows])
        return 0
    if not rows:
        print("no pending or failed deliveries" if not args.all else "no deliveries")
        return 0
    from rich.table import Table
    from rich.text import Text

    from crawler.terminal import terminal_safe
    from framewatch.common import console

    t = Table(show_header=True)
    for col in ("id", "channel", "kind", "change", "status", "attempts", "next attempt",
                "last error"):
        t.add_column(col)
    for r in rows:
        t.add_row(str(r.id), r.channel, r.kind, str(r.change_id or ""), r.status,
                  str(r.attempts), iso(r.next_attempt_at) or "",
                  Text(terminal_safe((r.last_error or "")[:120])))
    console().print(t)
    return 0


def register(subparsers: Any) -> None:
    from framewatch.common import add_common

    p = subparsers.add_parser("notify-test", help="send a sample alert to one channel (or all)")
    add_common(p)
    p.add_argument("channel", nargs="?", help="a [notify.NAME] table (default: every channel)")
    p.set_defaults(func=cmd_notify_test)

    p = subparsers.add_parser("deliveries", help="pending and failed alert deliveries")
    add_common(p, formats=True)
    p.add_argument("--all", action="store_true", help="also list sent and digested deliveries")
    p.add_argument("--limit", type=int, metavar="N", help="at most N deliveries")
    p.set_defaults(func=cmd_deliveries)
