"""the matrix's summary of the commitments ledger: current counts, newest moves, weakening days

Revision ID: 0007_ledger_matrix_summary
Revises: 0006_drop_index_links
Create Date: 2026-12-02 15:20:00

Kept by storage.ledger in the same transaction as the ledger rows it summarises, so the matrix
page reads a few hundred summary rows instead of aggregating every version. Derived data: the
upgrade fills it from the ledger already stored; downgrading drops it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_ledger_matrix_summary"
down_revision = "0006_drop_index_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_cells",
        sa.Column("source_id", sa.String(200), primary_key=True),
        sa.Column("seoul", sa.String(60), primary_key=True),
        sa.Column("codebook", sa.String(10), primary_key=True),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("strongest", sa.Integer, nullable=False),
    )
    op.create_table(
        "ledger_cell_moves",
        sa.Column("source_id", sa.String(200), primary_key=True),
        sa.Column("seoul", sa.String(60), primary_key=True),
        sa.Column("codebook", sa.String(10), primary_key=True),
        sa.Column("outcome", sa.String(2), primary_key=True),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_version_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "ledger_cell_weakenings",
        sa.Column("source_id", sa.String(200), primary_key=True),
        sa.Column("seoul", sa.String(60), primary_key=True),
        sa.Column("codebook", sa.String(10), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_index("ix_ledger_cell_weakenings_day", "ledger_cell_weakenings",
                    ["day", "source_id"])
    from storage.ledger import rebuild_matrix_summary

    rebuild_matrix_summary(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_ledger_cell_weakenings_day", table_name="ledger_cell_weakenings")
    op.drop_table("ledger_cell_weakenings")
    op.drop_table("ledger_cell_moves")
    op.drop_table("ledger_cells")
