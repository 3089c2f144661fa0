"""turn lease: the claim on a resident message while its turn runs (who answers it, until when)

Revision ID: 0007_turn_lease
Revises: 0004
Create Date: 2026-12-07 01:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for every existing message: nothing is being answered during the migration.
    op.add_column("messages", sa.Column("lease_owner", sa.String(length=32), nullable=True))
    op.add_column("messages", sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
