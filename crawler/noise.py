"""`framewatch noise CHANGE_ID --pattern REGEX`: a change that was noise (a date stamp, a
counter, a rotating banner) becomes an ``ignore`` rule of its source, in sources.toml.

The rule is shown before it is written (and written only after a yes, or with --yes); the
pattern must match the text of the change, so a typo cannot silently do nothing. Then the
source's latest version is re-extracted under the new rule, so the history shows the fix as a
``technical`` version and the next real change is compared against clean text.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.config import ConfigError, default_config_path, parse_config


@dataclass(frozen=True)
class NoisePlan:
    """What `noise` would write: the source, its file and line, and the edited file text."""

    source_id: str
    path: Path
    line: int
    patterns: tuple[str, ...]
    new_text: str
    matches: tuple[str, ...]  # examples of what the pattern removes


def register(subparsers: Any) -> None:
    from crawler.cli import add_common

    p = subparsers.add_parser(
        "noise", help="turn a noisy change into an `ignore` rule of its source, then "
                      "re-extract (technical version, no alert)")
    add_common(p)
    p.add_argument("change", help="the change id (7 or c7)")
    p.add_argument("--pattern", required=True, metavar="REGEX",
                   help="regular expression for the volatile text, e.g. 'Last updated \\w+ \\d+, \\d{4}'")
    p.add_argument("--yes", action="store_true", help="write without asking")
    p.set_defaults(func=cmd_noise)


def plan_noise(config_path: Path, source_id: str, pattern: str, change_texts: list[str]) -> NoisePlan:
    """The edit that adds `pattern` to `source_id`'s ``ignore`` list; ValueError if it cannot be
    done (unknown source, bad or useless pattern, already there)."""
    from crawler.toml_edit import with_ignore

    try:
        regex = re.compile(pattern, re.MULTILINE)
    except (re.error, OverflowError, RecursionError) as exc:
        raise ValueError(f"the pattern {pattern!r} is not a valid regular expression: {exc}") from None
    found = tuple(dict.fromkeys(m.group(0) for t in change_texts for m in regex.finditer(t)
                                if m.group(0).strip()))
    if not found:
        raise ValueError(f"the pattern {pattern!r} matches nothing in the change's text; "
                         "nothing would be ignored")
    text = config_path.read_text(encoding="utf-8")
    config = parse_config(text, str(config_path))
    index = next((i for i, s in enumerate(config.sources) if s.id == source_id), None)
    if index is None:
        raise ValueError(f"source {source_id!r} is not in {config_path} (a discovered source: "
                         "add it there with `framewatch sources add` first)")
    source = config.sources[index]
    if pattern in source.ignore:
        raise ValueError(f"source {source_id!r} already ignores {pattern!r}")
    patterns = (*source.ignore, pattern)
    new_text = with_ignore(text, index, list(patterns))
    edited = parse_config(new_text, str(config_path)).source(source_id)
    assert edited is not None and edited.ignore == patterns, "sources.toml edit went wrong"
    from crawler.toml_edit import source_table_span

    line = source_table_span(text.splitlines(), index)[0] + 1
    return NoisePlan(source_id, config_path, line, patterns, new_text, found[:5])


def change_texts(repo: Any, change: Any) -> list[str]:
    """The changed sentences of a change (old and new sides of each hunk)."""
    hunks = (change.diff or {}).get("hunks") or []
    texts = [h.get(side) or "" for h in hunks for side in ("old", "new")]
    return [t for t in texts if t]


def cmd_noise(args: argparse.Namespace) -> int:
    from crawler.archive import _run_locked
    from crawler.cli import NotFound, UsageError, config_from_args, open_db
    from crawler.reextract import reextract
    from crawler.setup_cli import write_atomically
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
    from crawler.setup_cli import toml_value

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
    report = _run_locked(db, lambda: reextract(new_config, db, plan.source_id))
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
