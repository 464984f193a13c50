"""The full-text index over version texts, brought up to date in one batch when needed.

A cycle does not index the versions it writes: tokenising a 30–80 KB text inside each source's
transaction cost ~1.1 ms of CPU and an FTS5 segment per version on SQLite, and ~5 ms of server
CPU per version for PostgreSQL's ``to_tsvector``. :func:`catch_up` indexes what is missing in one
transaction instead, and the web UI calls it before every search, so a search always sees every
version committed before it started.

SQLite: ``versions_fts_state.indexed_upto`` is the highest version id in the FTS5 index
(migration 0005); SQLite has one writer at a time, so everything up to it is indexed.
PostgreSQL: ``versions_tsv`` holds one vector per indexed version (migration 0010), and a
version without a row is pending; sequence values can commit out of order, so no high-water
mark would be safe there.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError

from storage.db import Database

log = logging.getLogger(__name__)

_UPTO = "SELECT indexed_upto FROM versions_fts_state WHERE id = 1"
_TOP = "SELECT coalesce(max(id), 0) FROM versions"
_PG_MISSING = ("FROM versions v WHERE NOT EXISTS "
               "(SELECT 1 FROM versions_tsv t WHERE t.version_id = v.id)")
#: Concurrent catch-ups on one PostgreSQL database take turns on it (any fixed key).
_PG_LOCK_KEY = 0x66777473


def pending(db: Database) -> int:
    """How many versions the index does not hold yet (0 on backends without one)."""
    if db.is_sqlite:
        with db.engine.connect() as conn:
            upto = conn.exec_driver_sql(_UPTO).scalar() or 0
            top = conn.exec_driver_sql(_TOP).scalar() or 0
        return max(0, top - upto)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            return conn.exec_driver_sql(f"SELECT count(*) {_PG_MISSING}").scalar() or 0
    return 0


def catch_up(db: Database) -> int:
    """Index every version not yet in the index; returns how many were indexed.

    Safe against a concurrent cycle and a concurrent catch-up. SQLite: the first statement
    takes the write lock, so ``indexed_upto`` and the rows above it are read under it, and the
    index and its high-water mark change in the same transaction. PostgreSQL: catch-ups take
    turns on an advisory lock, and a version committed meanwhile waits for the next one. A
    database that cannot be written (a read-only file or role, a lock held too long) is logged
    and searched as it is."""
    if pending(db) == 0:
        return 0
    try:
        with db.engine.begin() as conn:
            if not db.is_sqlite:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
                return conn.exec_driver_sql(
                    "INSERT INTO versions_tsv (version_id, tsv) "
                    f"SELECT v.id, to_tsvector('english'::regconfig, v.text) {_PG_MISSING} "
                    "ON CONFLICT (version_id) DO NOTHING").rowcount
            conn.exec_driver_sql(
                "UPDATE versions_fts_state SET indexed_upto = indexed_upto WHERE id = 1")
            upto = conn.exec_driver_sql(_UPTO).scalar() or 0
            top = conn.exec_driver_sql(_TOP).scalar() or 0
            if top <= upto:
                return 0
            conn.exec_driver_sql(
                "INSERT INTO versions_fts(rowid, text) "
                "SELECT id, text FROM versions WHERE id > ? AND id <= ? ORDER BY id", (upto, top))
            conn.exec_driver_sql(
                "UPDATE versions_fts_state SET indexed_upto = ? WHERE id = 1", (top,))
            return top - upto
    except DBAPIError as exc:
        log.warning("search index not brought up to date (searching what it holds): %s",
                    str(exc.orig).splitlines()[0] if exc.orig else exc)
        return 0
