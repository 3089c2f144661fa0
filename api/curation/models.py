"""The history of every content change: who changed what, the text before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base

# What a change did. `imported` and `seeded` are edits from a file; `reverted` restores the
# state before an earlier change (`revert_of`).
CHANGE_ACTIONS = ("created", "edited", "reviewed", "deleted", "state", "imported", "reverted")


class ContentChange(Base):
    """One change of one FAQ translation, one entry's state, or one bot text.

    `before` and `after` are snapshots of what changed ({title, answer, sms, questions, status}
    of a translation, {state} of an entry, {text, status} of a bot text); NULL where it did not
    exist. A diff is computed from them when shown, and a revert writes `before` back."""

    __tablename__ = "content_changes"
    __table_args__ = (
        Index("ix_content_changes_faq", "topic", "library_id"),
        Index("ix_content_changes_text", "text_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), nullable=True)
    author_name: Mapped[str] = mapped_column(String(120))  # kept when the account goes
    action: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(8))  # faq | entry | text
    topic: Mapped[str | None] = mapped_column(String(80), nullable=True)
    library_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    variant: Mapped[str] = mapped_column(String(16), default="")
    text_key: Mapped[str | None] = mapped_column(String(60), nullable=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    revert_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
