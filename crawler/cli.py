"""The `framewatch` command line.

Exit codes: 0 all good, 1 some sources failed (or another cycle holds the lease), 2 usage,
configuration or database error, 3 the version, change or source asked for does not exist. Commands of other packages (notifier, web, storage, scheduler)
register themselves through a `register(subparsers)` function in their `cli` module.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.config import Config, ConfigError, default_config_path, load_config
from crawler.terminal import terminal_safe, terminal_safe_json

log = logging.getLogger("framewatch")

EXTRA_COMMAND_MODULES = (
    "storage.cli", "notifier.cli", "web.cli", "crawler.schedule", "crawler.archive",
    "crawler.trycli", "crawler.setup_cli", "crawler.coverage", "crawler.noise", "crawler.demo",
    "crawler.completion",
    "crawler.ledger_cli",
)


EXIT_OK, EXIT_SOURCES_FAILED, EXIT_USAGE, EXIT_NOT_FOUND = 0, 1, 2, 3


class UsageError(Exception):
    """Bad arguments; exit code 2."""


class NotFound(Exception):
    """The id asked for (a version, change or source) does not exist; exit code 3, so a script
    can tell "no such thing" from "the command failed"."""


# ---- shared helpers -----------------------------------------------------------------------------

def setup_logging(verbose: int = 0, quiet: bool = False) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    root = logging.getLogger()
    if root.handlers:
        root.setLevel(level)
        return
    if sys.stderr.isatty():
        from rich.logging import RichHandler

        handler: logging.Handler = RichHandler(show_path=False, markup=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def config_from_args(args: argparse.Namespace, *, required: bool = True) -> Config:
    """The config named by --config (which must exist), else $FRAMEWATCH_CONFIG or
    ./sources.toml (optional for commands that only read the database)."""
    explicit = getattr(args, "config", None)
    path = explicit or default_config_path()
    if not Path(path).exists():
        if explicit:
            raise ConfigError("the file does not exist", path=str(path))
        if not required:
            return Config()
        raise ConfigError("no such file: pass --config FILE, set FRAMEWATCH_CONFIG, or write a "
                          "starter one with `framewatch init`", path=str(path))
    return load_config(path)


def database_url(args: argparse.Namespace, config: Config | None = None) -> str:
    """--db, then FRAMEWATCH_DB, then [settings] database, then a SQLite file here."""
    if getattr(args, "db", None):
        return args.db
    if os.environ.get("FRAMEWATCH_DB"):
        return os.environ["FRAMEWATCH_DB"]
    if config is not None and config.path is not None:
        return config.settings.database
    return "sqlite:///framewatch.db"


def open_db(args: argparse.Namespace, config: Config | None = None, *,
            create: bool = True) -> Any:
    """The database for this command; commands that only read pass ``create=False`` so that a
    typo in --db is "no database at …", not a new empty file that reads as "no versions yet"."""
    from storage.db import open_database

    return open_database(database_url(args, config), create=create)


def iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z") if dt else None


def shorten(text: str, width: int) -> str:
    """At most `width` characters, cut at a word boundary with an ellipsis (never mid-word)."""
    import textwrap

    return textwrap.shorten(text, width, placeholder=" …") if len(text) > width else text


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def console() -> Any:
    from rich.console import Console

    # Off a terminal (cron mail, CI logs) long lines stay whole, so they can be grepped.
    return Console(highlight=False, soft_wrap=not sys.stdout.isatty())


def parse_date(value: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {value!r} (e.g. 2026-05-01)") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


# ---- run ----------------------------------------------------------------------------------------------

def cmd_run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    problems = config_problems(config, secrets=not args.no_notify)
    if problems:
        from crawler.envcheck import MissingSecrets

        raise MissingSecrets(problems)  # every problem, one per line
    if args.only:
        unknown = [sid for sid in args.only if config.source(sid) is None]
        if unknown:
            raise NotFound(f"--only: unknown source id(s): {', '.join(unknown)} (not in {config.path})")
    db = open_db(args, config)
    from crawler.lock import CycleInterrupted, LockBusy, exclusive_cycle

    # The modules, config and engine loaded so far live for the whole run: move them out of
    # the cyclic collector's view, so its full collections during a 1,000-source cycle do not
    # re-scan them each time (forked workers inherit the frozen heap untouched, too).
    gc.freeze()
    try:
        with exclusive_cycle(db, wait=args.wait):  # one cycle at a time (crawler/lock.py)
            report = run_with_progress(config, db, args.only, notify=not args.no_notify,
                                       show_progress=args.format != "json")
    except LockBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except CycleInterrupted as exc:
        print(f"framewatch: {exc}", file=sys.stderr)
        return exc.exit_code
    finally:
        db.dispose()
    if args.format == "json":
        print_json(report.to_json())
    else:
        print_run_summary(report, quiet=args.quiet)
    return report.exit_code


def make_router(config: Config) -> Any:
    try:
        from notifier.routing import make_router as notifier_router
    except ImportError:
        return None
    return notifier_router(config)


def deliver_after_cycle(config: Config, db: Any) -> Any:
    try:
        from notifier.outbox import deliver_pending
    except ImportError:
        return None
    from crawler.lock import current_lease

    # Every delivery runs under the cycle lease: holding it, we know the process that left a
    # row in "sending" is gone (crashed mid-send), so it is retried now, not 15 minutes later.
    lease = current_lease()
    return deliver_pending(config, db, senders_gone=lease is not None and not lease.lost)


def run_with_progress(config: Config, db: Any, only: Sequence[str] | None, *, notify: bool,
                      show_progress: bool) -> Any:
    import asyncio

    from crawler.cycle import Cycle

    router = make_router(config) if notify else None
    cycle = Cycle(config, db, router=router or (lambda _s, _c: ()))
    total = len(only) if only else sum(1 for s in config.sources if s.enabled)
    if show_progress and sys.stderr.isatty():
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TextColumn("{task.description}"),
                      transient=True) as progress:
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
        deliveries = deliver_after_cycle(config, db)
        if deliveries is not None:
            from dataclasses import replace

            report = replace(report, deliveries=deliveries)
    return report


def failure_lines(report: Any) -> list[str]:
    """One line per failed source — or, when every source failed because no host name resolved,
    one line saying the machine looks offline (36 identical DNS errors help nobody)."""
    failures = report.failures
    if len(failures) >= 2 and len(failures) == len(report.outcomes) \
            and all(o.error_kind == "dns" for o in failures):
        return [f"OFFLINE: no host name resolved ({plural(len(failures), 'source')} not checked); "
                "this machine seems to have no internet access or no DNS. Try again when it is "
                "online — or see framewatch work without it: `framewatch demo`."]
    return [f"FAILED {o.source_id}: {o.error_kind}: {o.message}" for o in failures]


def plural(n: int, word: str, many: str | None = None) -> str:
    """ "1 company", "2 companies": counts people read."""
    if n == 1:
        return f"1 {word}"
    if many is None:
        many = word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"
    return f"{n} {many}"


def print_run_summary(report: Any, *, quiet: bool = False) -> None:
    """The table, then each change and failure on a line of its own. With -q (cron) only those
    lines: a day with nothing new prints nothing, so cron mails only when there is news."""
    from rich.table import Table

    con = console()
    if quiet:
        for o in report.changes:
            con.print(f"change {o.change_id}  {o.source_id}  [{o.severity}]  "
                      f"{terminal_safe(o.summary)}", markup=False)
        for line in failure_lines(report):
            con.print(terminal_safe(line), markup=False)
        return
    t = Table(title=f"framewatch run {report.run_id}", show_header=True)
    for col in ("checked", "unchanged", "new versions", "changes", "failures"):
        t.add_column(col, justify="right")
    t.add_row(str(len(report.outcomes)), str(report.count("unchanged", "not_modified")),
              str(report.count("first", "changed", "removed")), str(len(report.changes)),
              str(len(report.failures)))
    con.print(t)
    for o in report.changes:
        con.print(f"change {o.change_id}  {o.source_id}  [{o.severity}]  "
                  f"{terminal_safe(o.summary)}", markup=False)
    for line in failure_lines(report):
        con.print(terminal_safe(line), markup=False)
    if report.deliveries is not None:
        con.print(terminal_safe(str(report.deliveries)), markup=False)


# ---- reading history --------------------------------------------------------------------------------

def cmd_history(args: argparse.Namespace) -> int:
    from storage.repo import Repository

    db = open_db(args, config_from_args(args, required=False), create=False)
    repo = Repository(db)
    if args.source and repo.get_source(args.source) is None:
        raise NotFound(f"unknown source {args.source!r} (see `framewatch sources list`)")
    versions = repo.history(args.source, limit=args.limit)
    changes = {c.new_version_id: c for c in repo.changes(source_id=args.source)}
    if args.format == "json":
        print_json([{
            "id": v.id, "source": v.source_id, "kind": v.kind, "fetched_at": iso(v.fetched_at),
            "document_url": v.document_url, "text_sha256": v.text_sha256,
            "snapshot_sha256": v.snapshot_sha256,
            "change_id": changes[v.id].id if v.id in changes else None,
            "severity": changes[v.id].severity if v.id in changes else None,
            "summary": changes[v.id].summary if v.id in changes else None,
        } for v in versions])
        return 0
    if not versions:
        print("no versions yet — run `framewatch run`")
        return 0
    from rich.table import Table
    from rich.text import Text

    t = Table(show_header=True)
    for col in ("version", "source", "fetched (UTC)", "kind", "change", "severity", "summary"):
        t.add_column(col)
    for v in versions:
        c = changes.get(v.id)
        t.add_row(str(v.id), v.source_id, iso(v.fetched_at) or "", v.kind,
                  str(c.id) if c else "", c.severity if c else "",
                  Text(terminal_safe(shorten(c.summary, 100))) if c else "")
    console().print(t)
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    from storage.repo import Repository

    db = open_db(args, config_from_args(args, required=False), create=False)
    changes = Repository(db).changes(since=args.since, min_severity=args.severity,
                                     source_id=args.source, limit=args.limit)
    if args.format == "json":
        print_json([change_json(c) for c in changes])
        return 0
    if not changes:
        print("no changes found")
        return 0
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 0
    for c in changes:
        head = f"{c.id:>6}  {iso(c.detected_at)}  {c.source_id:<32} {c.severity:<6}"
        summary = terminal_safe(c.summary)
        if width and len(head) + 2 + len(summary) > width:
            # On a terminal, long summaries wrap at words under an indent, not mid-word.
            import textwrap

            print(head)
            print(textwrap.fill(summary, width=max(width, 40), initial_indent="        ",
                                subsequent_indent="        ", break_long_words=False,
                                break_on_hyphens=False))
        else:
            print(f"{head}  {summary}")
    return 0


def change_json(c: Any, with_diff: bool = False) -> dict[str, Any]:
    out = {"id": c.id, "type": "change", "source": c.source_id, "old_version": c.old_version_id,
           "new_version": c.new_version_id, "detected_at": iso(c.detected_at),
           "severity": c.severity, "categories": list(c.categories), "signals": list(c.signals),
           "summary": c.summary}
    if with_diff:
        out["diff"] = c.diff
    return out


def cmd_show(args: argparse.Namespace) -> int:
    """`show 12` or `show v12` is a version; `show c7` a change."""
    from storage.repo import Repository

    db = open_db(args, config_from_args(args, required=False), create=False)
    repo = Repository(db)
    ident = args.id.strip().lower()
    want_change = ident.startswith("c")
    try:
        num = int(ident.lstrip("cv"))
    except ValueError:
        raise UsageError(f"not a version or change id: {args.id!r} (e.g. 12, v12 or c7)") from None
    if want_change:
        change = repo.get_change(num)
        if change is None:
            raise NotFound(f"no change {num} (see `framewatch changes`)")
        if args.format == "json":
            print_json(change_json(change, with_diff=True))
            return 0
        from differ import DiffResult
        from differ.render import render_text

        print(f"change {change.id}  {change.source_id}  detected {iso(change.detected_at)}")
        print(f"versions {change.old_version_id} → {change.new_version_id}")
        diff = terminal_safe_json(change.diff or {})
        print(render_text(DiffResult.from_json(diff), color=sys.stdout.isatty()))
        return 0
    version = repo.get_version(num)
    if version is None:
        raise NotFound(f"no version {num} (see `framewatch history`)")
    if args.format == "json":
        print_json({"id": version.id, "type": "version", "source": version.source_id,
                    "kind": version.kind, "fetched_at": iso(version.fetched_at),
                    "document_url": version.document_url, "text_sha256": version.text_sha256,
                    "snapshot_sha256": version.snapshot_sha256,
                    "extractor_version": version.extractor_version, "text": version.text})
        return 0
    print(f"version {version.id}  {version.source_id}  {version.kind}  fetched {iso(version.fetched_at)}")
    print(f"url {terminal_safe(version.document_url or '')}")
    print(f"raw sha256 {version.snapshot_sha256}  text sha256 {version.text_sha256}")
    print()
    print(terminal_safe(version.text or ""))
    return 0


# ---- diff two files -------------------------------------------------------------------------------------

def read_document(path: str, rules: Any, args: argparse.Namespace | None = None) -> str:
    """The text of a file or URL under `rules`; a `select` that matches nothing is an error
    (the whole page instead would make the diff meaningless)."""
    from crawler.extract import ExtractError, extract

    if path.startswith(("http://", "https://")):
        return fetch_document(path, rules, args)
    try:
        body = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    ctype = None
    if path.lower().endswith((".txt", ".md")):
        text = body.decode("utf-8", errors="replace")
        if "-----\n" in text and text.startswith("# SOURCE:"):
            text = text.split("-----\n", 1)[1]  # the shared corpus header
        elif text.startswith("# SOURCE:"):
            text = text.split("\n", 1)[-1]  # its one-line form
        body, ctype = text.encode("utf-8"), "text/plain; charset=utf-8"
    try:
        extracted = extract(body, ctype, rules, url=path)
    except ExtractError as exc:
        raise UsageError(f"{path}: {exc}") from None
    if rules.select and not extracted.select_matched:
        raise UsageError(f"{path}: --select {' '.join(map(repr, rules.select))} matched nothing "
                         "(try `framewatch try` on the page, or a broader selector)")
    return extracted.text


def fetch_document(url: str, rules: Any, args: argparse.Namespace | None) -> str:
    """One URL fetched and extracted the way `run` would (nothing stored)."""
    from dataclasses import replace

    from crawler.config import SourceConfig
    from crawler.trial import try_source

    allow_private = bool(getattr(args, "allow_private", False))
    source = SourceConfig(id="diff", company="-", title=url, url=url, select=rules.select,
                          remove=rules.remove, ignore=rules.ignore,
                          allow_private=allow_private or None)
    settings = config_from_args(args, required=False).settings if args else Config().settings
    if allow_private:
        settings = replace(settings, allow_private=True)
    trial = try_source(source, settings)
    if trial.error_kind == "select_empty":
        raise UsageError(f"{url}: --select {' '.join(map(repr, rules.select))} matched nothing")
    if not trial.ok or trial.text is None:
        raise UsageError(f"{url}: {trial.message or trial.status}")
    return trial.text


def cmd_diff(args: argparse.Namespace) -> int:
    from crawler.extract import ExtractRules
    from crawler.trycli import rules_problem
    from differ import compare
    from differ.render import render_html, render_text

    problem = rules_problem(args.select, args.remove, args.ignore)
    if problem:
        raise UsageError(problem)
    rules = ExtractRules(select=tuple(args.select or ()), remove=tuple(args.remove or ()),
                         ignore=tuple(args.ignore or ()))
    old, new = read_document(args.old, rules, args), read_document(args.new, rules, args)
    result = compare(old, new)
    from crawler.ledger_cli import diff_commitments, render_diff_commitments_text

    if args.format == "json":
        print_json({**result.to_json(), **diff_commitments(old, new, args.account)})
    elif args.format == "html":
        sys.stdout.write(render_html(result, title=f"{args.old} → {args.new}"))
    else:
        print(render_text(result, color=sys.stdout.isatty()))
        if args.account:
            print(render_diff_commitments_text(diff_commitments(old, new, args.account)))
    return 0


# ---- sources -------------------------------------------------------------------------------------------------

def config_problems(config: Config, *, secrets: bool = True) -> list[ConfigError]:
    """What `sources check` and `run` both reject beyond the file's own parsing: every
    ``[notify.*]`` table validated by its channel, then secret variables missing from the
    environment (those only matter when alerts will be sent)."""
    from crawler.envcheck import missing_secrets

    problems: list[ConfigError] = []
    try:
        from notifier.channels import channel_problems
    except ImportError:
        pass
    else:
        problems += channel_problems(config)
    if secrets:
        bad = {p.field.rsplit(".", 1)[0] for p in problems if p.field}
        problems += [p for p in missing_secrets(config)
                     if p.field and p.field.rsplit(".", 1)[0] not in bad]
    return problems


def cmd_sources_check(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    problems = config_problems(config)
    for problem in problems:
        print(f"configuration error: {problem}", file=sys.stderr)
    if problems:
        return EXIT_USAGE
    kinds: dict[str, int] = {}
    for s in config.sources:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    companies = sorted({s.company for s in config.sources})
    for warning in config.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{config.path}: OK — {plural(len(config.sources), 'source')} "
          f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}) "
          f"from {plural(len(companies), 'company')}; "
          f"{plural(len(config.channels), 'notification channel')}")
    return 0


def cmd_sources_list(args: argparse.Namespace) -> int:
    from storage.repo import Repository

    config = config_from_args(args, required=False)
    db = open_db(args, config, create=False)
    repo = Repository(db)
    if config.sources:
        from crawler.cycle import source_info

        repo.sync_sources(source_info(s) for s in config.sources)
    sources = repo.list_sources()
    last = repo.last_checks()
    if args.format == "json":
        print_json([{"id": s.id, "company": s.company, "title": s.title, "url": s.url,
                     "kind": s.kind, "enabled": s.enabled, "origin": s.origin,
                     "discovered_from": s.discovered_from, "health": s.health,
                     "consecutive_failures": s.consecutive_failures,
                     "last_check": iso(last[s.id].started_at) if s.id in last else None,
                     "last_status": last[s.id].status if s.id in last else None,
                     "last_error": last[s.id].error_message if s.id in last else None}
                    for s in sources])
        return 0
    from rich.table import Table

    rows = []
    for s in sources:
        c = last.get(s.id)
        kind = s.kind + ("" if s.origin == "config" else f" ({s.origin})")
        rows.append((s.id, s.company, kind + ("" if s.enabled else ", disabled"),
                     c.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if c else "",
                     "never checked" if c is None else (c.error_kind or c.status)))
    con = console()
    id_width = max((len(r[0]) for r in rows), default=2)
    # Ids are what people copy into other commands: never cut one. When the table cannot fit
    # them whole (long ids, an 80-column terminal), each source takes two lines instead.
    if not sys.stdout.isatty():  # a pipe or a file: aligned plain columns, one line each
        header = ("id", "company", "kind", "last check (UTC)", "status")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
        for r in [header, *rows]:
            print("  ".join(x.ljust(w) for x, w in zip(r, widths, strict=False)) + "  " + r[4])
        return 0
    if id_width + 62 > con.width:
        for r in rows:
            con.print(r[0], markup=False)
            con.print("    " + " · ".join(x for x in r[1:] if x), markup=False)
        return 0
    t = Table(show_header=True)
    t.add_column("id", no_wrap=True, min_width=id_width)
    for col in ("company", "kind", "last check (UTC)", "status"):
        t.add_column(col)
    for r in rows:
        t.add_row(*r)
    con.print(t)
    return 0


# ---- parser ---------------------------------------------------------------------------------------------------

SUPPRESS = argparse.SUPPRESS
CONFIG_HELP = "sources.toml to read (default: $FRAMEWATCH_CONFIG, else ./sources.toml)"
DB_HELP = ("database URL, e.g. sqlite:///framewatch.db or postgresql://… (default: $FRAMEWATCH_DB, "
           "else [settings] database, else sqlite:///framewatch.db)")


def add_common(p: argparse.ArgumentParser, *, formats: bool = False) -> None:
    # SUPPRESS: an option left out after the subcommand must not overwrite one given before it
    # (`framewatch --db X history`); the top-level parser holds the defaults.
    p.add_argument("--config", default=SUPPRESS, help=CONFIG_HELP)
    p.add_argument("--db", default=SUPPRESS, help=DB_HELP)
    if formats:
        p.add_argument("--format", choices=("text", "json"), default="text",
                       help="text for people (default) or one JSON document for programs")


def add_global_options(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    """-v/-q/--config/--db, accepted before the subcommand and after it alike."""
    have = {s for a in p._actions for s in a.option_strings}
    if "--verbose" not in have:
        p.add_argument("-v", "--verbose", action="count", default=0 if top else SUPPRESS,
                       help="more log output (-vv: debug)")
    if "--quiet" not in have:
        p.add_argument("-q", "--quiet", action="store_true", default=False if top else SUPPRESS,
                       help="only warnings and errors (for cron)")
    if "--config" not in have:
        p.add_argument("--config", default=None if top else SUPPRESS, help=CONFIG_HELP)
    if "--db" not in have:
        p.add_argument("--db", default=None if top else SUPPRESS, help=DB_HELP)


def subparsers_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Every subcommand's parser by its full name ("run", "sources check"), recursively."""
    out: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out[name] = sub
                out.update({f"{name} {k}": v for k, v in subparsers_of(sub).items()})
    return out


def build_parser() -> argparse.ArgumentParser:
    from crawler import __version__

    parser = argparse.ArgumentParser(
        prog="framewatch",
        description="Watch AI companies' safety frameworks and tell people when they change.",
        epilog="Exit codes: 0 ok · 1 some sources failed · 2 usage, configuration or database "
               "error · 3 not found. `framewatch demo` shows it working, offline.")
    parser.add_argument("--version", action="version", version=f"framewatch {__version__}",
                        help="print the version and exit")
    add_global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("run", help="run one cycle: fetch, store, diff, classify, alert")
    add_common(p, formats=True)
    p.add_argument("--only", nargs="+", metavar="ID", help="check only these sources")
    p.add_argument("--no-notify", action="store_true", help="dry run: record, but send no alert")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="if another cycle is running, wait up to SECONDS for it (default 0: exit 1)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("history", help="versions of one source (or all), newest first")
    add_common(p, formats=True)
    p.add_argument("source", nargs="?", help="a source id (default: every source)")
    p.add_argument("--limit", type=int, metavar="N", help="at most N versions")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("changes", help="detected changes, newest first")
    add_common(p, formats=True)
    p.add_argument("--since", type=parse_date, metavar="DATE",
                   help="ISO date or time (UTC if no zone)")
    p.add_argument("--severity", choices=("none", "low", "medium", "high"),
                   help="minimum severity")
    p.add_argument("--source", metavar="ID", help="only this source")
    p.add_argument("--limit", type=int, metavar="N", help="at most N changes")
    p.set_defaults(func=cmd_changes)

    p = sub.add_parser("show", help="one version (12 or v12) or change (c7)")
    add_common(p, formats=True)
    p.add_argument("id", help="a version (12, v12) or a change (c7)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("diff", help="compare two files or URLs (HTML, PDF or text) as the watcher would")
    p.add_argument("old", help="a file or an http(s) URL")
    p.add_argument("new", help="a file or an http(s) URL")
    p.add_argument("--format", choices=("text", "json", "html"), default="text",
                   help="text (default), json or a standalone html page")
    add_rule_options(p)
    p.add_argument("--allow-private", action="store_true",
                   help="URLs: allow loopback and private addresses (a local test server)")
    p.add_argument("--account", metavar="FILE",
                   help="the provider's account of this revision (changelog, announcement): "
                        "marks each traced commitment change announced or silent")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("sources", help="validate or list the watched sources")
    ssub = p.add_subparsers(dest="sources_command", metavar="SUBCOMMAND")
    ssub.required = True
    sp = ssub.add_parser("check", help="validate sources.toml (and the variables its channels name)")
    add_common(sp)
    sp.set_defaults(func=cmd_sources_check)
    sp = ssub.add_parser("list", help="sources with their last check")
    add_common(sp, formats=True)
    sp.set_defaults(func=cmd_sources_list)

    for name in EXTRA_COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    for sp in subparsers_of(parser).values():
        add_global_options(sp)
    return parser


def add_rule_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--select", action="append", metavar="CSS",
                   help="CSS selector of the part to keep (repeatable)")
    p.add_argument("--remove", action="append", metavar="CSS",
                   help="CSS selector of a part to drop (repeatable)")
    p.add_argument("--ignore", action="append", metavar="REGEX",
                   help="regular expression removed from the text (repeatable)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose, args.quiet)
    from storage.errors import DatabaseError, NoDatabase

    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except NotFound as exc:
        print(f"not found: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    except NoDatabase as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseError as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `framewatch diff … | head`: the reader left; that is not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        # Issue 8: a database that fails mid-command (read-only file, disk full, server gone)
        # gets one clear line and exit 2, not a traceback. Anything else is a bug: re-raise.
        from crawler.cycle import database_error_text

        problem = database_error_text(exc)
        if problem is None:
            raise
        print(f"database error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130



if __name__ == "__main__":
    # `python -m crawler.cli`: run the imported module's main, so that the exception classes
    # other command modules raise (crawler.cli.UsageError) are the ones caught here.
    from crawler.cli import main as _main

    sys.exit(_main())
