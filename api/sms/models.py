"""Tables of the SMS channel. A phone number is stored only where a reply needs it (the SMS
conversation and the outbox), and both go when the conversation goes (retention, ON DELETE
CASCADE). Opt-outs and the inbound log hold a keyed hash of the number instead."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from api.conversations.models import Message
from api.db import Base

OUTBOX_STATES = ("queued", "sending", "sent", "delivered", "failed", "suppressed")


class SmsConversation(Base):
    """The SMS side of a conversation: who to answer, from which of our numbers, the numbered options."""

    __tablename__ = "sms_conversations"
    __table_args__ = (Index("ix_sms_conversations_phone", "phone", "our_number"),)

    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))  # the resident's number, E.164
    our_number: Mapped[str | None] = mapped_column(String(20), nullable=True)  # the number they texted
    # The options of the last reply ("Reply 1, 2 or 3"): [{"title", "payload"}].
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SmsInbound(Base):
    """Every webhook call we accepted: retries of the same provider message id are recognised,
    and messages per number are counted for the rate limit. No text, no number."""

    __tablename__ = "sms_inbound"
    __table_args__ = (
        UniqueConstraint("provider", "provider_id", name="uq_sms_inbound_provider_id"),
        Index("ix_sms_inbound_number", "number_hash", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str] = mapped_column(String(64))
    number_hash: Mapped[str] = mapped_column(String(64))
    # received -> answered | opt_out | opt_in | opted_out | limited | empty
    outcome: Mapped[str] = mapped_column(String(16), default="received")
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=True
    )
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SmsOptOut(Base):
    """A number that wrote STOP: kept as long as the opt-out holds, so only as a keyed hash."""

    __tablename__ = "sms_optouts"

    number_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SmsOutbox(Base):
    """One text to send. Written in the same transaction as the transcript message it carries,
    sent by the outbox worker with retries, so an outage or a restart loses nothing."""

    __tablename__ = "sms_outbox"
    __table_args__ = (Index("ix_sms_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=True, index=True
    )
    # The transcript message it carries (none for a STOP/START confirmation).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="reply")  # reply | control (STOP/START confirmation)
    to_number: Mapped[str] = mapped_column(String(20))
    from_number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    encoding: Mapped[str] = mapped_column(String(8))
    segments: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    provider: Mapped[str | None] = mapped_column(String(16), nullable=True)
    provider_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    message: Mapped[Message | None] = relationship(lazy="joined")


def number_of(session: Session, conversation_id: str) -> str | None:
    """The resident's number of an SMS conversation (None for any other)."""
    thread = session.get(SmsConversation, conversation_id)
    return thread.phone if thread else None
