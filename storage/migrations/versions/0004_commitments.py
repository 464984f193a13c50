"""the commitments ledger: commitments per version and their traced changes

Revision ID: 0004_commitments
Revises: 0003_rules_fingerprint
Create Date: 2026-12-01 22:40:00

Derived data only: every row can be rebuilt from ``versions.text`` with
`framewatch commitments --rebuild`, so downgrading simply drops the tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_commitments"
down_revision = "0003_rules_fingerprint"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commitment_sets",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
        sa.Column("source_id", sa.String(200), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("model", sa.String(40), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_commitment_sets_source_id", "commitment_sets", ["source_id"])
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("section", sa.Text, nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("codebook", sa.String(10), nullable=False),
        sa.Column("seoul", sa.String(60), nullable=False),
        sa.Column("strength", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_commitments_version_position", "commitments", ["version_id", "position"])
    op.create_index("ix_commitments_source_id", "commitments", ["source_id"])
    op.create_index("ix_commitments_source_key", "commitments", ["source_id", "key"])
    op.create_index("ix_commitments_version_cell", "commitments",
                    ["version_id", "source_id", "seoul", "codebook", "strength"])
    op.create_table(
        "commitment_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("old_version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=True),
        sa.Column("new_version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(2), nullable=False),
        sa.Column("material", sa.Boolean, nullable=False),
        sa.Column("old_key", sa.String(80), nullable=True),
        sa.Column("new_key", sa.String(80), nullable=True),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("codebook", sa.String(10), nullable=False),
        sa.Column("seoul", sa.String(60), nullable=False),
        sa.Column("disclosure", sa.String(6), nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_commitment_changes_new_version_id", "commitment_changes",
                    ["new_version_id"])
    op.create_index("ix_commitment_changes_source_detected", "commitment_changes",
                    ["source_id", "detected_at"])
    op.create_index("ix_commitment_changes_material", "commitment_changes",
                    ["material", "source_id", "seoul", "codebook", "outcome", "detected_at",
                     "new_version_id"])


def downgrade() -> None:
    op.drop_table("commitment_changes")
    op.drop_table("commitments")
    op.drop_table("commitment_sets")
