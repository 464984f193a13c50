"""The SQLite full-text index over version texts, brought up to date in one batch when needed.

A cycle does not index the versions it writes (that cost ~1.1 ms of CPU and an FTS5 segment per
version, inside each source's transaction): ``versions_fts_state.indexed_upto`` is the highest
version id in the index (migration 0005), and :func:`catch_up` indexes everything above it in one
transaction. The web UI calls it before every search, so a search always sees every version.
PostgreSQL keeps its own index (a GIN expression index maintained by the server): nothing to do.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError

from storage.db import Database

log = logging.getLogger(__name__)

_UPTO = "SELECT indexed_upto FROM versions_fts_state WHERE id = 1"
_TOP = "SELECT coalesce(max(id), 0) FROM versions"


def pending(db: Database) -> int:
    """How many version ids are above the indexed ones (0 on PostgreSQL)."""
    if not db.is_sqlite:
        return 0
    with db.engine.connect() as conn:
        upto = conn.exec_driver_sql(_UPTO).scalar() or 0
        top = conn.exec_driver_sql(_TOP).scalar() or 0
    return max(0, top - upto)


def catch_up(db: Database) -> int:
    """Index every version not yet in the SQLite index; returns how many ids were covered.

    Safe against a concurrent cycle and a concurrent catch-up: the first statement takes the
    write lock, so ``indexed_upto`` and the rows above it are read under it, and the index and
    its high-water mark change in the same transaction. A database that cannot be written (a
    read-only file, a lock held too long) is logged and searched as it is."""
    if not db.is_sqlite or pending(db) == 0:
        return 0
    try:
        with db.engine.begin() as conn:
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
    except OperationalError as exc:
        log.warning("search index not brought up to date (searching what it holds): %s",
                    exc.orig)
        return 0
