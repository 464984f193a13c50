"""Drop index_links: no code ever wrote or read it (an index source's links are sources)

Revision ID: 0006_drop_index_links
Revises: 0005_search_catch_up
Create Date: 2026-12-01 23:50:00

The links an ``index`` source finds become discovered sources (``sources.discovered_from``), so
the table created by the initial schema stayed empty in every database.
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0006_drop_index_links"
down_revision = "0005_search_catch_up"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("index_links")


def downgrade() -> None:
    op.create_table(
        "index_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("first_seen", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("index_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_index_links_source_id"), ["source_id"], unique=False)
