from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Only a hash of the resident's bearer token is stored: a database leak reveals no token.
    token_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16), default="web")
    library_id: Mapped[str | None] = mapped_column(ForeignKey("libraries.id"), nullable=True)
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)  # the page's language, a prior
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)  # current reply language
    language_locked: Mapped[bool] = mapped_column(Boolean, default=False)  # the resident chose explicitly
    easy_read: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="bot")
    failed_turns: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "client_id", name="uq_message_client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(16))  # resident | bot | staff | system
    text: Mapped[str] = mapped_column(Text)  # redacted before it is stored
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    topic: Mapped[str | None] = mapped_column(String(80), nullable=True)
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # A resident's retry of the same message carries the same client id and is stored once.
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reply_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A transcript event (a conversation state change such as "claimed"), machine-readable; text is its notice.
    event: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The resident's rating of an answer (`up` or `down`), for the insights and the needs inbox.
    feedback: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # The claim on a resident message while its turn runs: which attempt answers it, until when.
    # A retry waits for a live claim and takes over an expired one; both are NULL once it is answered.
    lease_owner: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TrackerDeletion(Base):
    """A conversation deleted here whose Rasa tracker has not been deleted yet (Rasa was down):
    retried by the retention job until Rasa confirms. No FK: the conversation is already gone."""

    __tablename__ = "tracker_deletions"

    conversation_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
