"""`framewatch db upgrade|current|check|vacuum|backup`: looking after the database.

None of these upgrade the schema implicitly (unlike `run`): `current` and `check` must describe
the database as it is, and `upgrade` is the one explicit way to change it. Exit codes: 0 fine,
1 the database needs attention (behind head, integrity problems), 2 usage or connection error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

# storage.db (and SQLAlchemy under it) is imported inside each command: registering these
# commands must not cost every other `framewatch` command that import.


def register(subparsers: Any) -> None:
    from framewatch.common import add_common

    p = subparsers.add_parser("db", help="database upkeep: upgrade, current, check, vacuum, backup")
    sub = p.add_subparsers(dest="db_command", metavar="SUBCOMMAND")
    sub.required = True

    sp = sub.add_parser("upgrade", help="apply Alembic migrations (to head, or --revision)")
    add_common(sp)
    sp.add_argument("--revision", default="head",
                    help="the Alembic revision to reach (default: head, the newest)")
    sp.set_defaults(func=cmd_upgrade)

    sp = sub.add_parser("current", help="the schema revision, and whether it is the head")
    add_common(sp, formats=True)
    sp.set_defaults(func=cmd_current)

    sp = sub.add_parser("check", help="verify snapshots' sha256 and every version/change/"
                                      "delivery link; exit 1 on any problem")
    add_common(sp, formats=True)
    sp.add_argument("--quick", action="store_true",
                    help="links only: skip decompressing and hashing snapshots and texts")
    sp.set_defaults(func=cmd_check)

    sp = sub.add_parser("vacuum", help="SQLite VACUUM / PostgreSQL VACUUM ANALYZE")
    add_common(sp)
    sp.set_defaults(func=cmd_vacuum)

    sp = sub.add_parser("backup", help="copy a SQLite database safely while it is in use")
    add_common(sp)
    sp.add_argument("path", help="the backup file to write (replaced atomically if it exists)")
    sp.set_defaults(func=cmd_backup)


def _url(args: argparse.Namespace) -> str:
    from framewatch.common import config_from_args, database_url

    return database_url(args, config_from_args(args, required=False))


def _engine(args: argparse.Namespace, *, create: bool = False) -> tuple[str, Engine]:
    """Only `db upgrade` may bring a database into being; the others describe an existing one."""
    from storage.db import create_db_engine, require_existing

    url = _url(args)
    if not create:
        require_existing(url)
    return url, create_db_engine(url)


def _revisions(engine: Engine, url: str) -> tuple[str | None, str | None]:
    from sqlalchemy.exc import OperationalError

    from storage.db import DatabaseError, current_revision, head_revision, redact_url

    try:
        return current_revision(engine), head_revision()
    except OperationalError as exc:
        raise DatabaseError(f"cannot open database {redact_url(url)}: {exc.orig}") from exc


# ---- upgrade / current --------------------------------------------------------------------------

def cmd_upgrade(args: argparse.Namespace) -> int:
    from storage.db import current_revision, redact_url, upgrade

    url, engine = _engine(args, create=True)
    try:
        before, head = _revisions(engine, url)
        target = head if args.revision == "head" else args.revision
        if before == target:
            print(f"{redact_url(url)}: already at {before} (head)" if before == head
                  else f"{redact_url(url)}: already at {before}")
            return 0
        upgrade(engine, args.revision)
        after = current_revision(engine)
    finally:
        engine.dispose()
    print(f"{redact_url(url)}: upgraded {before or '(empty database)'} → {after}"
          + (" (head)" if after == head else ""))
    return 0


def cmd_current(args: argparse.Namespace) -> int:
    from storage.db import Database, redact_url

    url, engine = _engine(args)
    try:
        current, head = _revisions(engine, url)
        lease = None
        if current is not None:
            from storage.lock import holder

            lease = holder(Database(url, engine), "cycle")
    finally:
        engine.dispose()
    at_head = current is not None and current == head
    if args.format == "json":
        from framewatch.common import print_json
        from storage.records import iso

        print_json({"database": redact_url(url), "current": current, "head": head,
                    "is_head": at_head,
                    "cycle_lock": None if lease is None else {
                        "owner": lease.owner, "acquired_at": iso(lease.acquired_at),
                        "expires_at": iso(lease.expires_at)}})
        return 0 if at_head else 1
    if at_head:
        print(f"{current} (head)")
    elif current is None:
        print(f"(empty database) — head is {head}; run `framewatch db upgrade`")
    else:
        print(f"{current} (not head: head is {head}; run `framewatch db upgrade`)")
    if lease is not None:
        print(f"cycle lock held by {lease.owner} since {lease.acquired_at.isoformat()} "
              f"(lease until {lease.expires_at.isoformat()})")
    return 0 if at_head else 1


# ---- check ----------------------------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:
    from storage.db import open_database, redact_url
    from storage.integrity import check_database

    url, engine = _engine(args)
    try:
        current, head = _revisions(engine, url)
    finally:
        engine.dispose()
    if current != head:
        print(f"{redact_url(url)}: schema is at {current or '(empty database)'}, head is {head}: "
              "run `framewatch db upgrade` first", file=sys.stderr)
        return 1
    db = open_database(url, migrate=False)
    started = time.monotonic()
    try:
        report = check_database(db, verify_hashes=not args.quick)
    finally:
        db.dispose()
    elapsed = time.monotonic() - started
    if args.format == "json":
        from framewatch.common import print_json

        print_json(dict(report.to_json(), database=redact_url(url), seconds=round(elapsed, 2)))
        return 0 if report.ok else 1
    c = report.counts
    summary = (f"{c['snapshots']} snapshots, {c['checks']} checks, {c['versions']} versions, "
               f"{c['changes']} changes, {c['deliveries']} deliveries")
    if report.ok:
        hashed = "links only" if args.quick else "sha256 of every snapshot and text verified"
        print(f"OK: {summary} ({hashed}; {elapsed:.1f} s)")
        return 0
    for problem in report.problems:
        print(problem)
    for kind, n in report.truncated.items():
        print(f"{kind}: … and {n} more")
    total = len(report.problems) + sum(report.truncated.values())
    print(f"{total} problem(s) in {summary}", file=sys.stderr)
    return 1


# ---- vacuum / backup ------------------------------------------------------------------------------

def _usage(message: str) -> int:
    """Exit code 2 with a message."""
    print(f"error: {message}", file=sys.stderr)
    return 2


def _sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser().resolve()


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def cmd_vacuum(args: argparse.Namespace) -> int:
    from storage.db import redact_url

    url, engine = _engine(args)
    path = _sqlite_path(url)
    before = _size(path) if path else 0
    started = time.monotonic()
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("VACUUM")
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            elif engine.dialect.name == "postgresql":
                conn.exec_driver_sql("VACUUM ANALYZE")
            else:
                print(f"vacuum: nothing to do for {engine.dialect.name}", file=sys.stderr)
                return 0
    finally:
        engine.dispose()
    elapsed = time.monotonic() - started
    if path:
        after = _size(path)
        print(f"{path}: {before / 1e6:.1f} MB → {after / 1e6:.1f} MB ({elapsed:.1f} s)")
    else:
        print(f"{redact_url(url)}: VACUUM ANALYZE done ({elapsed:.1f} s)")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """SQLite's online backup API: a consistent copy even while a cycle is writing.

    The copy goes to a temporary file next to PATH, is checked (PRAGMA quick_check), and only
    then replaces PATH, so a failed backup never destroys the previous one."""
    from storage.db import redact_url

    url = _url(args)
    src_path = _sqlite_path(url)
    if src_path is None:
        return _usage(
            f"backup copies SQLite files; for {redact_url(url)} use pg_dump, e.g. "
            "`pg_dump --format=custom --file framewatch.dump 'postgresql://…'` "
            "(restore: pg_restore --clean --dbname …) — see docs/deployment.md")
    if not src_path.exists():
        return _usage(f"no database at {src_path}")
    dest = Path(args.path).expanduser().resolve()
    if dest == src_path:
        return _usage("the backup path is the database itself")
    if not dest.parent.is_dir():
        return _usage(f"directory {dest.parent} does not exist")
    import sqlite3  # only a backup needs them: every command builds this module's parser
    import tempfile

    started = time.monotonic()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        src = sqlite3.connect(str(src_path), timeout=30)
        dst = sqlite3.connect(tmp_name)
        try:
            with dst:
                src.backup(dst, pages=1024, sleep=0.005)  # small steps: writers are not starved
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
            src.close()
        from storage.integrity import sqlite_quick_check

        verdict = sqlite_quick_check(tmp_name)
        if verdict != "ok":
            print(f"backup failed its integrity check: {verdict}", file=sys.stderr)
            return 1
        os.replace(tmp_name, dest)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    print(f"backed up {src_path} → {dest} ({dest.stat().st_size / 1e6:.1f} MB, "
          f"{time.monotonic() - started:.1f} s)")
    return 0
