"""the validators of each URL's last successful fetch, kept with every check

Revision ID: 0011_check_validators
Revises: 0010_pg_search_catch_up
Create Date: 2026-12-03 07:10:00

A cycle found the ETag and Last-Modified to send by grouping every check ever recorded by
(source, URL); the check history grows by one row per source and run, so the query grew with
the database's age: 0.6 s of each run after a year of daily runs over 1,000 sources.
``check_validators`` holds one row per (source, URL), written in each check's transaction.
Derived data: the upgrade fills it from the checks stored; downgrading drops it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_check_validators"
down_revision = "0010_pg_search_catch_up"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_validators",
        sa.Column("source_id", sa.String(200), primary_key=True),
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("etag", sa.Text, nullable=True),
        sa.Column("last_modified", sa.Text, nullable=True),
    )
    op.execute(
        "INSERT INTO check_validators (source_id, url, etag, last_modified) "
        "SELECT source_id, url, etag, last_modified FROM checks WHERE id IN ("
        "SELECT max(id) FROM checks WHERE status IN ('ok', 'unchanged', 'not_modified') "
        "GROUP BY source_id, url)")


def downgrade() -> None:
    op.drop_table("check_validators")
