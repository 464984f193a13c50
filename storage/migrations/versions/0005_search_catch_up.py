"""SQLite search index caught up in batches, not by a trigger on every version insert

Revision ID: 0005_search_catch_up
Revises: 0004_commitments
Create Date: 2026-12-01 22:50:00

The 0002 insert trigger tokenised every new version's text (30–80 KB) inside the cycle's
per-source transaction: ~1.1 ms of CPU and a new FTS5 segment (more I/O, later merges) per
version, most of a cold cycle's SQLite time. Now ``versions_fts_state.indexed_upto`` records the
highest version id in the index, and :func:`storage.search_index.catch_up` indexes the rows above
it in one transaction before a search. Version ids only grow (versions are never deleted by
framewatch), so "every id up to ``indexed_upto``" is exactly what the index holds.

The delete/update triggers stay, but only for rows already in the index (an external-content
FTS5 table must never be told to delete a row it does not hold). Deleting the highest rows by
hand lowers ``indexed_upto`` to the new maximum, so a re-used id is indexed again.

PostgreSQL is unchanged (its GIN index is maintained by the server). Caveat for later SQLite
migrations, as for 0002: an Alembic batch alter of ``versions`` drops these triggers.
"""

from alembic import op

revision = "0005_search_catch_up"
down_revision = "0004_commitments"
branch_labels = None
depends_on = None

_INDEXED = "(SELECT indexed_upto FROM versions_fts_state WHERE id = 1)"

SQLITE_UPGRADE = (
    "DROP TRIGGER IF EXISTS versions_fts_ai",
    "DROP TRIGGER IF EXISTS versions_fts_ad",
    "DROP TRIGGER IF EXISTS versions_fts_au",
    "CREATE TABLE IF NOT EXISTS versions_fts_state ("
    "id INTEGER PRIMARY KEY CHECK (id = 1), indexed_upto INTEGER NOT NULL)",
    # The 0002 triggers indexed every row that exists now.
    "INSERT OR REPLACE INTO versions_fts_state (id, indexed_upto) "
    "SELECT 1, coalesce(max(id), 0) FROM versions",
    f"CREATE TRIGGER IF NOT EXISTS versions_fts_ad AFTER DELETE ON versions "
    f"WHEN old.id <= {_INDEXED} BEGIN "
    "INSERT INTO versions_fts(versions_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "UPDATE versions_fts_state SET indexed_upto = "
    "min(indexed_upto, (SELECT coalesce(max(id), 0) FROM versions)) WHERE id = 1; END",
    f"CREATE TRIGGER IF NOT EXISTS versions_fts_au AFTER UPDATE OF text ON versions "
    f"WHEN old.id <= {_INDEXED} BEGIN "
    "INSERT INTO versions_fts(versions_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO versions_fts(rowid, text) VALUES (new.id, new.text); END",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("versions_fts_ad", "versions_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS versions_fts_state")
    # Back to 0002: index everything, and let its triggers keep it current.
    op.execute("INSERT INTO versions_fts(versions_fts) VALUES ('rebuild')")
    for statement in SQLITE_0002_TRIGGERS:
        op.execute(statement)


SQLITE_0002_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS versions_fts_ai AFTER INSERT ON versions BEGIN "
    "INSERT INTO versions_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS versions_fts_ad AFTER DELETE ON versions BEGIN "
    "INSERT INTO versions_fts(versions_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS versions_fts_au AFTER UPDATE OF text ON versions BEGIN "
    "INSERT INTO versions_fts(versions_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO versions_fts(rowid, text) VALUES (new.id, new.text); END",
)
