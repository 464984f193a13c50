"""full-text search over version texts (web UI search)

Revision ID: 0002_search
Revises: 0001
Create Date: 2026-11-27 21:00:00

SQLite: an FTS5 *external-content* table over ``versions.text`` (the text is stored once, in
``versions``; FTS5 keeps only its index) kept current by three triggers, and filled from the rows
that already exist. The ``porter`` tokenizer stems English like PostgreSQL's ``english`` config,
so a search for "evaluation" finds "evaluations" on both backends.

PostgreSQL: a GIN index on ``to_tsvector('english', text)``; queries must use exactly that
expression to use it. Version texts are capped far below to_tsvector's 1 MB limit.

Caveat for later SQLite migrations: an Alembic *batch* alter of ``versions`` recreates the table
and silently drops these triggers. Such a migration must recreate them (call
``create_sqlite_fts`` from this module) or search goes stale for new versions.
"""

from alembic import op

revision = "0002_search"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS versions_fts USING fts5("
    "text, content='versions', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS versions_fts_ai AFTER INSERT ON versions BEGIN "
    "INSERT INTO versions_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS versions_fts_ad AFTER DELETE ON versions BEGIN "
    "INSERT INTO versions_fts(versions_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS versions_fts_au AFTER UPDATE OF text ON versions BEGIN "
    "INSERT INTO versions_fts(versions_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO versions_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO versions_fts(versions_fts) VALUES ('rebuild')",
)

PG_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_versions_text_tsv ON versions "
    "USING gin (to_tsvector('english'::regconfig, text))"
)


def create_sqlite_fts() -> None:
    for statement in SQLITE_FTS:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        create_sqlite_fts()
    elif dialect == "postgresql":
        op.execute(PG_INDEX)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("versions_fts_ai", "versions_fts_ad", "versions_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS versions_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_versions_text_tsv")
