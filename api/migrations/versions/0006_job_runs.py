"""retention: job_runs (the purge's last success and failure, for /health) and tracker_deletions (Rasa
trackers still to delete)

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-07 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("last_count", sa.Integer(), nullable=True),
        sa.Column("last_duration_s", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "tracker_deletions",
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    with op.batch_alter_table("tracker_deletions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracker_deletions_requested_at"), ["requested_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracker_deletions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_deletions_requested_at"))
    op.drop_table("tracker_deletions")
    op.drop_table("job_runs")
