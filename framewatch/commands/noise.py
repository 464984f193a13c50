"""`framewatch noise CHANGE_ID --pattern REGEX`: the command over :mod:`crawler.noise`.

The rule is shown before it is written (and written only after a yes, or with --yes); then the
source's latest version is re-extracted under the new rule, so the history shows the fix as a
``technical`` version and the next real change is compared against clean text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler.config import ConfigError, default_config_path
from crawler.noise import change_texts, plan_noise


def register(subparsers: Any) -> None:
    from framewatch.common import add_common

    p = subparsers.add_parser(
        "noise", help="turn a noisy change into an `ignore` rule of its source, then "
                      "re-extract (technical version, no alert)")
    add_common(p)
    p.add_argument("change", help="the change id (7 or c7)")
    p.add_argument("--pattern", required=True, metavar="REGEX",
                   help="regular expression for the volatile text, e.g. 'Last updated \\w+ \\d+, \\d{4}'")
    p.add_argument("--yes", action="store_true", help="write without asking")
    p.set_defaults(func=cmd_noise)


def cmd_noise(args: argparse.Namespace) -> int:
    from crawler.reextract import reextract
    from crawler.toml_edit import write_atomically
    from framewatch.common import NotFound, UsageError, config_from_args, open_db, run_locked
    from storage.repo import Repository

    try:
        change_id = int(args.change.strip().lower().lstrip("c"))
    except ValueError:
        raise UsageError(f"not a change id: {args.change!r} (e.g. 7 or c7)") from None
    path = Path(getattr(args, "config", None) or default_config_path())
    config = config_from_args(args)
    db = open_db(args, config, create=False)
    change = Repository(db).get_change(change_id)
    if change is None:
        db.dispose()
        raise NotFound(f"no change {change_id} (see `framewatch changes`)")
    try:
        plan = plan_noise(path, change.source_id, args.pattern, change_texts(None, change))
    except ValueError as exc:
        db.dispose()
        raise UsageError(str(exc)) from None
    from crawler.toml_edit import toml_value

    print(f"{plan.path}:{plan.line}: source {plan.source_id!r} gets")
    print(f"    ignore = {toml_value(list(plan.patterns))}")
    print("which removes from its text: " + "; ".join(repr(m) for m in plan.matches))
    if not args.yes:
        if not sys.stdin.isatty():
            db.dispose()
            raise UsageError("not written: pass --yes to write without a question")
        answer = input("Write this rule and re-extract? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            db.dispose()
            print("nothing written")
            return 0
    write_atomically(plan.path, plan.new_text)
    try:
        new_config = config_from_args(args)
    except ConfigError:  # pragma: no cover - plan_noise validated the text
        raise
    report = run_locked(db, lambda: reextract(new_config, db, plan.source_id))
    if report is None:
        print(f"wrote {plan.path}; re-extraction waits for the running cycle (the next "
              "`framewatch run` does it)")
        return 1
    if report.technical:
        print(f"wrote {plan.path}; re-extracted: technical version {report.technical[0]} "
              "(not alerted)")
    else:
        print(f"wrote {plan.path}; the latest version's text was already clean")
    for failure in report.failures:
        print(f"FAILED {failure}")
    return 1 if report.failures else 0
