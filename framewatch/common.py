"""What every command module shares: the errors that map to exit codes, opening the config and
the database the way every command does, output helpers and the options each command accepts.

Exit codes: 0 all good, 1 some sources failed (or another cycle holds the lease), 2 usage,
configuration or database error, 3 the version, change or source asked for does not exist.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.config import Config, ConfigError, default_config_path, load_config
from storage.records import DEFAULT_DATABASE_URL

EXIT_OK, EXIT_SOURCES_FAILED, EXIT_USAGE, EXIT_NOT_FOUND = 0, 1, 2, 3


class UsageError(Exception):
    """Bad arguments; exit code 2."""


class NotFound(Exception):
    """The id asked for (a version, change or source) does not exist; exit code 3, so a script
    can tell "no such thing" from "the command failed"."""


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
    return DEFAULT_DATABASE_URL


def holds_no_versions(url: str) -> bool:
    """Whether the database at ``url`` certainly holds no versions yet: an in-memory SQLite
    database, or a SQLite file that does not exist. A run on it cannot diff anything. Told
    without opening it (and without importing the database layer); any other URL: False."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0].lower() != "sqlite":
        return False
    path, _, query = rest.partition("?")
    if "uri=true" in query.lower():
        return False  # a file: URI may name a shared in-memory database others have filled
    path = path[1:] if path.startswith("/") else path
    return path in ("", ":memory:") or not Path(path).expanduser().exists()


def open_db(args: argparse.Namespace, config: Config | None = None, *,
            create: bool = True) -> Any:
    """The database for this command; commands that only read pass ``create=False`` so that a
    typo in --db is "no database at …", not a new empty file that reads as "no versions yet"."""
    from storage.db import open_database

    return open_database(database_url(args, config), create=create)



def shorten(text: str, width: int) -> str:
    """At most `width` characters, cut at a word boundary with an ellipsis (never mid-word)."""
    import textwrap

    return textwrap.shorten(text, width, placeholder=" …") if len(text) > width else text


def print_json(data: Any) -> None:
    # One write, not json.dump's one per token: on an unbuffered stdout (PYTHONUNBUFFERED, a
    # pipe) the report of a 1,000-source run was 40,000 write calls.
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


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


def plural(n: int, word: str, many: str | None = None) -> str:
    """ "1 company", "2 companies": counts people read."""
    if n == 1:
        return f"1 {word}"
    if many is None:
        many = word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"
    return f"{n} {many}"


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


def add_rule_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--select", action="append", metavar="CSS",
                   help="CSS selector of the part to keep (repeatable)")
    p.add_argument("--remove", action="append", metavar="CSS",
                   help="CSS selector of a part to drop (repeatable)")
    p.add_argument("--ignore", action="append", metavar="REGEX",
                   help="regular expression removed from the text (repeatable)")


def run_locked(db: Any, work: Any) -> Any:
    """Run `work()` under the cycle lease (history writes must not race a cycle), then close the
    database. Returns the report, or None after saying who holds the lease."""
    from crawler.lock import LockBusy, exclusive_cycle

    try:
        with exclusive_cycle(db, wait=0.0):
            return work()
    except LockBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    finally:
        db.dispose()
