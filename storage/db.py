"""Opening a database: engine, transactions, and the schema: built at once when the database is
empty, upgraded through Alembic when it is behind."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from storage.errors import DatabaseError, NoDatabase
from storage.records import DEFAULT_DATABASE_URL
from storage.schema import create_fresh

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names, or None (another backend, in-memory, unparseable)."""
    try:
        parsed = make_url(normalize_url(url))
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database).expanduser()


def require_existing(url: str) -> None:
    """Raise :class:`NoDatabase` when `url` is a SQLite file that is not there."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        raise NoDatabase(f"no database at {path.resolve()}; run `framewatch run` first "
                         "(or pass --db / set FRAMEWATCH_DB to the right one)")


def normalize_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and route them to psycopg 3, which we depend on."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def redact_url(url: str) -> str:
    """A database URL fit for logs: the password is never printed."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


#: PostgreSQL session bounds, in seconds. A lock held by a dead or stuck session (a killed run's
#: uncommitted snapshot row) fails the waiting statement after ``lock_timeout`` instead of
#: blocking the run forever; a session idle inside a transaction is ended by the server; no
#: single statement runs unbounded. FRAMEWATCH_PG_LOCK_TIMEOUT etc. override (tests use short
#: ones).
PG_SESSION_BOUNDS = {
    "lock_timeout": 30.0,
    "idle_in_transaction_session_timeout": 120.0,
    "statement_timeout": 600.0,
}


def pg_session_bounds() -> dict[str, float]:
    bounds = {}
    for name, default in PG_SESSION_BOUNDS.items():
        env = "FRAMEWATCH_PG_" + name.upper().replace("_SESSION", "")
        try:
            value = float(os.environ.get(env, default))
        except ValueError:
            value = default
        bounds[name] = value if value > 0 and value != float("inf") else default
    return bounds


def application_name(pid: int | None = None) -> str:
    """How a framewatch process names its PostgreSQL sessions (pg_stat_activity): by pid, so
    the sessions of one run can be told apart and a stuck one traced to its process."""
    return f"framewatch:{os.getpid() if pid is None else pid}"


def _pg_session_setup(dbapi_conn: Any, _record: Any, *, named: bool = True) -> None:
    settings = {"application_name": application_name()} if named else {}
    settings.update({name: f"{int(value * 1000)}ms" for name, value in pg_session_bounds().items()})
    cur = dbapi_conn.cursor()
    for name, value in settings.items():
        cur.execute("SELECT set_config(%s, %s, false)", (name, value))
    cur.close()
    dbapi_conn.commit()


SQLITE_BUSY_SECONDS = 30.0


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
    cur.execute("PRAGMA foreign_keys=ON")
    _switch_to_wal(cur)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _switch_to_wal(cur: Any) -> None:
    """Put the file in WAL mode, waiting out another connection doing the same.

    Switching a new file's journal mode needs an exclusive lock, and SQLite reports "database
    is locked" at once instead of calling the busy handler when another process holds it (two
    runs opening one new database together), so the switch is retried here.
    """
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    delay = 0.01
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


@dataclass
class Database:
    url: str
    engine: Engine
    _sessions: sessionmaker[Session] | None = field(default=None, repr=False, compare=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A Core connection whose work is one transaction: committed on success, rolled back
        on error. What `framewatch run` uses throughout: it never needs an ORM session."""
        with self.engine.begin() as conn:
            yield conn

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The ORM session factory, built on first use: ``sqlalchemy.orm`` costs ~50 ms to
        import, which only the code that browses history through :mod:`storage.models` pays."""
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        return self._sessions

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is one transaction: committed on success, rolled back on error."""
        with self.sessions() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


def create_db_engine(url: str) -> Engine:
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"invalid database URL {url!r}: {exc}") from exc
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            parent = Path(db).expanduser().resolve().parent
            if not parent.exists():
                raise DatabaseError(f"database directory {parent} does not exist")
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(url, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise DatabaseError(
            f"no driver for {redact_url(url)}: {exc} (for PostgreSQL: pip install 'framewatch[postgres]')"
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        # An application_name the operator put in the URL (or in `options`) is theirs to keep.
        named = "application_name" not in parsed.query
        event.listen(engine, "connect",
                     lambda conn, record: _pg_session_setup(conn, record, named=named))
    return engine


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    cfg = alembic_config(create_engine("sqlite://"))
    return ScriptDirectory.from_config(cfg).get_current_head()


_REVISION_LINE = re.compile(r"^(revision|down_revision|depends_on)\s*=\s*(.+?)\s*$", re.M)


def _simple_head() -> str | None:
    """The head revision read straight from the migration files, without importing Alembic
    (~0.1 s of every `framewatch run`), or None whenever the history is anything but a plain
    chain with literal string ids — then Alembic decides, as before."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((m.group(1), m.group(2)) for m in _REVISION_LINE.finditer(path.read_text()))
        rev, down = found.get("revision", ""), found.get("down_revision", "")
        if found.get("depends_on", "None") != "None" or not _STRING.fullmatch(rev):
            return None
        revisions.add(rev[1:-1])
        if down != "None":
            if not _STRING.fullmatch(down):
                return None
            parents.add(down[1:-1])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


_STRING = re.compile(r"'[A-Za-z0-9_]+'|\"[A-Za-z0-9_]+\"")


def _at_known_head(engine: Engine) -> bool:
    """True when the database is certainly at the head revision (the usual case: nothing to
    upgrade), checked with one query; False means "ask Alembic"."""
    head = _simple_head()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except Exception:  # noqa: BLE001 - no table yet, or any doubt: Alembic decides
        return False
    return [r[0] for r in rows] == [head]


def _has_schema(engine: Engine) -> bool:
    try:
        return current_revision(engine) is not None
    except OperationalError as exc:
        raise DatabaseError(f"cannot open database {redact_url(engine.url.render_as_string())}: "
                            f"{exc.orig}") from exc


def open_database(url: str | None = None, *, migrate: bool = True,
                  create: bool = True) -> Database:
    """Open (and by default create or upgrade) the database at `url`.

    The default is FRAMEWATCH_DB, then a SQLite file in the working directory, so that a first
    `framewatch run` needs no setup at all. With ``create=False`` (commands that only read) a
    missing SQLite file, or a server database without framewatch's tables, is
    :class:`NoDatabase` rather than a fresh empty database.
    """
    url = url or os.environ.get("FRAMEWATCH_DB") or DEFAULT_DATABASE_URL
    if not create:
        require_existing(url)
    engine = create_db_engine(url)
    if not create and sqlite_file(url) is None and not _has_schema(engine):
        engine.dispose()
        raise NoDatabase(f"no framewatch tables in {redact_url(url)}; run `framewatch run` "
                         "(or `framewatch db upgrade`) first")
    if migrate:
        try:
            if _at_known_head(engine):
                pass
            elif create_fresh(engine):
                log.info("created database schema at %s", redact_url(url))
            elif current_revision(engine) != head_revision():
                log.info("upgrading database schema at %s", redact_url(url))
                upgrade(engine)
        except OperationalError as exc:
            engine.dispose()
            raise DatabaseError(f"cannot open database {redact_url(url)}: {exc.orig}") from exc
    return Database(url=url, engine=engine)
