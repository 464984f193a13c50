"""The `framewatch` command line: the parser, and the commands over the history (run, history,
changes, show, diff, sources).

Every other command group is a module of :mod:`framewatch.commands` (or :mod:`framewatch.schedule`,
:mod:`framewatch.demo`) with a ``register(subparsers)`` function, listed once in
``COMMAND_MODULES``. Exit codes are in :mod:`framewatch.common`.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import shutil
import sys
import threading
from collections.abc import Sequence
from datetime import UTC
from typing import Any, NoReturn

from crawler.config import ConfigError
from crawler.terminal import terminal_safe, terminal_safe_json
from differ.model import SEVERITIES
from framewatch.common import (
    EXIT_NOT_FOUND,
    EXIT_USAGE,
    NotFound,
    UsageError,
    add_common,
    add_global_options,
    add_rule_options,
    config_from_args,
    console,
    database_url,
    holds_no_versions,
    open_db,
    parse_date,
    plural,
    print_json,
    read_document,
    setup_logging,
    shorten,
    subparsers_of,
)
from framewatch.pipeline import config_problems, ledger_line, run_with_progress, update_ledger
from framewatch.summary import print_run_summary
from storage.records import iso

# httpx's package imports its own command-line client (httpx._main, which loads rich's console
# and pygments: ≈ 50 ms) whenever those happen to be installed, and falls back to a stub when the
# import fails. This program never runs that client, so every command skips loading it.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

COMMAND_MODULES = (
    "framewatch.commands.db", "framewatch.commands.notify", "framewatch.commands.serve",
    "framewatch.schedule", "framewatch.commands.archive", "framewatch.commands.trial",
    "framewatch.commands.setup", "framewatch.commands.coverage", "framewatch.commands.noise",
    "framewatch.demo", "framewatch.commands.completion", "framewatch.commands.ledger",
)


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
    from crawler.workers import worker_pool

    wanted = len(args.only) if args.only else sum(1 for s in config.sources if s.enabled)
    # The workers start before the database is opened and the cycle's modules are imported,
    # so they load the extractor and the differ in parallel with the run's own start-up.
    # A database that does not exist yet holds no versions: the workers need no differ.
    diffs = not holds_no_versions(database_url(args, config))
    with worker_pool(config.settings.workers, wanted, diffs=diffs) as pool:
        return _run_cycle(args, config, pool)


def _run_cycle(args: argparse.Namespace, config: Any, pool: Any) -> int:
    db = open_db(args, config)
    from crawler.lock import CycleInterrupted, LockBusy, exclusive_cycle

    # The modules, config and engine loaded so far live for the whole run: move them out of
    # the cyclic collector's view, so its full collections during a 1,000-source cycle do not
    # re-scan them each time (forked workers inherit the frozen heap untouched, too).
    gc.freeze()
    try:
        with exclusive_cycle(db, wait=args.wait):  # one cycle at a time (crawler/lock.py)
            report = run_with_progress(config, db, args.only, notify=not args.no_notify,
                                       show_progress=args.format != "json", pool=pool)
            if args.ledger:  # behind the alerts, which were delivered above
                ledger = update_ledger(db, show_progress=args.format != "json",
                                       workers=config.settings.workers)
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
        if args.ledger and not args.quiet:
            print(ledger_line(ledger))
    return report.exit_code


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
            "id": v.id, "source_id": v.source_id, "source": v.source_id, "kind": v.kind,
            "fetched_at": iso(v.fetched_at),
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
    # source_id / old_version_id / new_version_id are the JSON API's names; source, old_version
    # and new_version are the names this command printed first, kept for existing scripts.
    out = {"id": c.id, "type": "change", "source_id": c.source_id,
           "old_version_id": c.old_version_id, "new_version_id": c.new_version_id,
           "source": c.source_id, "old_version": c.old_version_id,
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
        print_json({"id": version.id, "type": "version", "source_id": version.source_id,
                    "source": version.source_id,
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


def cmd_diff(args: argparse.Namespace) -> int:
    from crawler.extract import ExtractRules
    from differ.compare import compare
    from differ.render import render_html, render_text
    from framewatch.commands.trial import rules_problem

    problem = rules_problem(args.select, args.remove, args.ignore)
    if problem:
        raise UsageError(problem)
    rules = ExtractRules(select=tuple(args.select or ()), remove=tuple(args.remove or ()),
                         ignore=tuple(args.ignore or ()))
    old, new = read_document(args.old, rules, args), read_document(args.new, rules, args)
    result = compare(old, new)
    from framewatch.commands.ledger import diff_commitments, render_diff_commitments_text

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
        from crawler.specs import source_info

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


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only="run"``, the top level and the ``run`` command alone.

    The daily cycle is the command run most often, usually from cron on a short watch list,
    where building every other command's parser (and importing their modules) is a measurable
    share of the run. ``main`` falls back to the whole parser for anything else.
    """
    from framewatch import __version__

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
    p.add_argument("--ledger", action="store_true",
                   help="after the alerts, catch the commitments ledger up (what `commitments "
                        "--update` does)")
    p.set_defaults(func=cmd_run)
    if only == "run":
        add_global_options(p)
        return parser

    p = sub.add_parser("history", help="versions of one source (or all), newest first")
    add_common(p, formats=True)
    p.add_argument("source", nargs="?", help="a source id (default: every source)")
    p.add_argument("--limit", type=int, metavar="N", help="at most N versions")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("changes", help="detected changes, newest first")
    add_common(p, formats=True)
    p.add_argument("--since", type=parse_date, metavar="DATE",
                   help="ISO date or time (UTC if no zone)")
    p.add_argument("--severity", choices=SEVERITIES,
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

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for sp in subparsers_of(parser).values():
        add_global_options(sp)
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names, when it can be told without the parser: the first word
    that is not an option or the value of ``--config``/``--db``; None after a help or version
    flag, which must describe every command."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in ("--config", "--db"):
            skip = True
        elif token in ("-h", "--help", "--version", "--"):
            return None
        elif not token.startswith("-"):
            return token
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser("run" if _command_named(argv) == "run" else None)
    args = parser.parse_args(argv)
    args.root_parser = parser  # for commands that describe the parser (completion)
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
        # A database that fails mid-command (read-only file, disk full, server gone) gets one
        # clear line and exit 2, not a traceback. Anything else is a bug: re-raise.
        from crawler.cycle import database_error_text

        problem = database_error_text(exc)
        if problem is None:
            raise
        print(f"database error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def entry() -> NoReturn:
    """The installed command and ``python -m framewatch``: :func:`main`, then a prompt exit.

    When ``main`` returns, every file, connection, worker pool and browser the command opened is
    closed again; what is left is the interpreter tearing down a few hundred modules, ~20 ms,
    a twentieth of a cycle over a short watch list. With no other thread running and no
    profiler or tracer attached, the exit handlers run and the output is flushed here, and the
    process ends without that teardown.
    """
    code = main()
    # A thread still running is joined by the interpreter; a profiler or coverage tracer
    # (`python -m cProfile -m framewatch`) writes its results when the interpreter ends.
    if threading.active_count() > 1 or sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()  # logging's flush, multiprocessing's finalizers
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left (`framewatch … | head`)
        pass
    os._exit(code)
