"""the commitments per obligation strength of each version, for the company page's chart

Revision ID: 0008_ledger_version_strengths
Revises: 0007_ledger_matrix_summary
Create Date: 2026-12-02 15:55:00

Kept by storage.ledger with every ledger write; the upgrade fills it from the stored
commitments. Derived data: downgrading drops it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_ledger_version_strengths"
down_revision = "0007_ledger_matrix_summary"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_version_strengths",
        sa.Column("version_id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.String(200), nullable=False),
        *(sa.Column(f"strength_{k}", sa.Integer, nullable=False) for k in (1, 2, 3, 4)),
    )
    op.execute(
        "INSERT INTO ledger_version_strengths (version_id, source_id, strength_1, strength_2, "
        "strength_3, strength_4) SELECT version_id, min(source_id), "
        + ", ".join(f"sum(CASE WHEN strength = {k} THEN 1 ELSE 0 END)" for k in (1, 2, 3, 4))
        + " FROM commitments GROUP BY version_id")


def downgrade() -> None:
    op.drop_table("ledger_version_strengths")
