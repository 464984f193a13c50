"""drop the commitments index on source_id alone

Revision ID: 0009_commitments_source_index
Revises: 0008_ledger_version_strengths
Create Date: 2026-12-02 16:30:00

``ix_commitments_source_key`` (source_id, key) already serves every lookup by source_id as its
leading column, so the single-column index only cost a second B-tree write per commitment row.
"""

from alembic import op

revision = "0009_commitments_source_index"
down_revision = "0008_ledger_version_strengths"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_commitments_source_id", table_name="commitments")


def downgrade() -> None:
    op.create_index("ix_commitments_source_id", "commitments", ["source_id"])
