"""curation: content history, review by whom and when, entry states (draft/live/retired), coordinators'
topics, the needs inbox, daily counts for insights, answer feedback, a ticket's first reply

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 16:34:31.470735
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=24), nullable=False),
        sa.Column("library_id", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "metric", "library_id", "language", "channel", "topic"),
    )
    op.create_table(
        "faq_custom_topics",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("area", sa.String(length=40), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "content_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=8), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=True),
        sa.Column("library_id", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("variant", sa.String(length=16), nullable=False),
        sa.Column("text_key", sa.String(length=60), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("revert_of", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["staff.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("content_changes", schema=None) as batch_op:
        batch_op.create_index("ix_content_changes_faq", ["topic", "library_id"], unique=False)
        batch_op.create_index("ix_content_changes_text", ["text_key"], unique=False)

    op.create_table(
        "resident_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("library_id", sa.String(length=40), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("resolved_topic", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("resident_needs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_needs_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index("ix_resident_needs_open", ["state", "created_at"], unique=False)

    with op.batch_alter_table("bot_texts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("faq_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(length=16), nullable=False, server_default="live"))
        batch_op.create_index(batch_op.f("ix_faq_entries_state"), ["state"], unique=False)
    op.execute("UPDATE faq_entries SET state = 'retired' WHERE retired")
    with op.batch_alter_table("faq_entries", schema=None) as batch_op:
        batch_op.drop_column("retired")

    with op.batch_alter_table("faq_translations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feedback", sa.String(length=8), nullable=True))

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("first_reply_at")

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("feedback")

    with op.batch_alter_table("faq_translations", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("version")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")

    with op.batch_alter_table("faq_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE faq_entries SET retired = (state <> 'live')")
    with op.batch_alter_table("faq_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faq_entries_state"))
        batch_op.drop_column("state")

    with op.batch_alter_table("bot_texts", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("version")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")

    with op.batch_alter_table("resident_needs", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_needs_open")
        batch_op.drop_index(batch_op.f("ix_resident_needs_conversation_id"))

    op.drop_table("resident_needs")
    with op.batch_alter_table("content_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_content_changes_text")
        batch_op.drop_index("ix_content_changes_faq")

    op.drop_table("content_changes")
    op.drop_table("faq_custom_topics")
    op.drop_table("daily_counts")
