"""versions.rules_fingerprint: which extraction rules produced each version's text

Revision ID: 0003_rules_fingerprint
Revises: 0002_search
Create Date: 2026-12-01 22:40:00

A short hash of the source's select / remove / ignore rules and the extractor version. When the
rules in sources.toml no longer match those of a source's latest version, the cycle re-extracts
that version's snapshot first (a ``technical`` version, never alerted) and only then compares
the new fetch, so editing a selector is not reported as a change of the document.
A plain ADD COLUMN (no batch rebuild), so the SQLite search triggers of 0002 stay in place.
Existing rows get NULL: "rules unknown", treated as unchanged.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_rules_fingerprint"
down_revision = "0002_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("versions", sa.Column("rules_fingerprint", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("rules_fingerprint")
