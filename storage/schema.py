"""A brand-new database built at once from the tables, then stamped at the head revision.

Replaying every migration on an empty database costs importing Alembic and loading each
migration script, about a fifth of a first `framewatch run`. Alembic's own advice for a fresh
database is "create_all, then stamp": the result is the same schema, as long as everything the
migrations create outside the models is created here too. That is the SQLite full-text index
(virtual table, its high-water mark row and the two triggers left by 0002 and 0005) and the
PostgreSQL search table's GIN index, update trigger and its function (0010). The
schema-equivalence tests compare both paths object by object,
and a test pins :data:`HEAD_REVISION` to Alembic's head, so a new migration that forgets this
module fails the suite instead of drifting.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, inspect

from storage.tables import metadata

#: The revision a database built by :func:`create_fresh` is stamped with; must equal the head
#: of storage/migrations (a test checks it). Bump it, and mirror any non-model objects the new
#: migration creates below, with every migration.
HEAD_REVISION = "0011_check_validators"

_INDEXED = "(SELECT indexed_upto FROM versions_fts_state WHERE id = 1)"

SQLITE_EXTRAS = (
    "CREATE VIRTUAL TABLE versions_fts USING fts5("
    "text, content='versions', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TABLE versions_fts_state ("
    "id INTEGER PRIMARY KEY CHECK (id = 1), indexed_upto INTEGER NOT NULL)",
    "INSERT INTO versions_fts_state (id, indexed_upto) VALUES (1, 0)",
    f"CREATE TRIGGER versions_fts_ad AFTER DELETE ON versions "
    f"WHEN old.id <= {_INDEXED} BEGIN "
    "INSERT INTO versions_fts(versions_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "UPDATE versions_fts_state SET indexed_upto = "
    "min(indexed_upto, (SELECT coalesce(max(id), 0) FROM versions)) WHERE id = 1; END",
    f"CREATE TRIGGER versions_fts_au AFTER UPDATE OF text ON versions "
    f"WHEN old.id <= {_INDEXED} BEGIN "
    "INSERT INTO versions_fts(versions_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO versions_fts(rowid, text) VALUES (new.id, new.text); END",
)

POSTGRESQL_EXTRAS = (
    "CREATE TABLE versions_tsv ("
    "version_id INTEGER NOT NULL, tsv TSVECTOR NOT NULL, "
    "CONSTRAINT pk_versions_tsv PRIMARY KEY (version_id), "
    "CONSTRAINT fk_versions_tsv_version FOREIGN KEY (version_id) "
    "REFERENCES versions (id) ON DELETE CASCADE)",
    "CREATE INDEX ix_versions_tsv_tsv ON versions_tsv USING gin (tsv)",
    "CREATE FUNCTION versions_tsv_refresh() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE versions_tsv SET tsv = to_tsvector('english'::regconfig, NEW.text) "
    "WHERE version_id = NEW.id; RETURN NEW; END $$",
    "CREATE TRIGGER versions_tsv_au AFTER UPDATE OF text ON versions "
    "FOR EACH ROW EXECUTE FUNCTION versions_tsv_refresh()",
)

#: Same table Alembic creates (name, column, constraint name), so Alembic reads it as its own.
_VERSION_TABLE = ("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                  "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")

#: Any fixed key: concurrent first runs on one PostgreSQL schema serialise on it.
_PG_LOCK_KEY = 0x66776D73


def _is_empty(conn: Connection) -> bool:
    return not inspect(conn).get_table_names()


def create_fresh(engine: Engine) -> bool:
    """Build the whole schema in one transaction if the database holds no table at all.

    Returns False (and changes nothing) when any table exists, which leaves the database to
    Alembic. The emptiness check runs under the database's write lock (SQLite ``BEGIN
    IMMEDIATE``, a PostgreSQL transaction advisory lock), so of two runs starting on the same
    new database exactly one creates it and the other then finds it at head."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        else:
            conn.rollback()
            return False
        try:
            if not _is_empty(conn):
                conn.rollback()
                return False
            metadata.create_all(conn)
            extras = SQLITE_EXTRAS if engine.dialect.name == "sqlite" else POSTGRESQL_EXTRAS
            for statement in extras:
                conn.exec_driver_sql(statement)
            conn.exec_driver_sql(_VERSION_TABLE)
            conn.exec_driver_sql(
                f"INSERT INTO alembic_version (version_num) VALUES ('{HEAD_REVISION}')")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return True
