"""A resident question the assistant could not answer, or that went to staff.

The text is not copied: a need points at the (already redacted) message, so it goes when the
conversation goes (the resident deletes it, or retention expires it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base

# Why the question is here: the assistant asked back (`unanswered`), called it off-topic
# (`out_of_scope`), the resident went to staff (`handoff`) or rated the answer down (`rated_down`).
NEED_REASONS = ("unanswered", "out_of_scope", "handoff", "rated_down")
# open: in the inbox; dismissed: not useful; drafted: became a new entry; added: became variants.
NEED_STATES = ("open", "dismissed", "drafted", "added")


class ResidentNeed(Base):
    __tablename__ = "resident_needs"
    __table_args__ = (Index("ix_resident_needs_open", "state", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    library_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str | None] = mapped_column(String(80), nullable=True)  # the closest topic when asked
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="open")
    resolved_topic: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The question's embedding (float32), computed once when the inbox first groups it.
    vector: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
