"""PostgreSQL search index caught up before a search, not maintained on every version insert

Revision ID: 0010_pg_search_catch_up
Revises: 0009_commitments_source_index
Create Date: 2026-12-03 07:00:00

The GIN expression index of 0002 made the server run ``to_tsvector`` over every new version's
text (30–80 KB) inside the cycle's per-source transaction: ~5 ms of server CPU per version,
most of a cold PostgreSQL cycle, on the same cores as the extraction. Now the vectors live in
``versions_tsv`` (one row per indexed version, GIN-indexed), and
:func:`storage.search_index.catch_up` fills in the versions that have none in one statement
before a search, as SQLite's index is caught up since 0005. "Has no row" rather than a
high-water mark: PostgreSQL sequence values can commit out of order, so an id below the highest
indexed one may still be unindexed.

Rows go with their version (``ON DELETE CASCADE``), and a trigger refreshes a row whose version
text is updated in place.
"""

from alembic import op

revision = "0010_pg_search_catch_up"
down_revision = "0009_commitments_source_index"
branch_labels = None
depends_on = None

PG_UPGRADE = (
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
    # What the expression index covered is indexed now, so no search has to wait for it.
    "INSERT INTO versions_tsv (version_id, tsv) "
    "SELECT id, to_tsvector('english'::regconfig, text) FROM versions",
    "DROP INDEX IF EXISTS ix_versions_text_tsv",
)

PG_DOWNGRADE = (
    "CREATE INDEX IF NOT EXISTS ix_versions_text_tsv ON versions "
    "USING gin (to_tsvector('english'::regconfig, text))",
    "DROP TRIGGER IF EXISTS versions_tsv_au ON versions",
    "DROP FUNCTION IF EXISTS versions_tsv_refresh()",
    "DROP TABLE IF EXISTS versions_tsv",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWNGRADE:
            op.execute(statement)
