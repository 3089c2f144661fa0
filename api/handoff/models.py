"""Tables of the handoff: staff accounts and their login sessions, tickets and internal notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base

ROLES = ("staff", "coordinator", "admin")
# Ticket states. A ticket is one handoff episode of a conversation; `closed` means handed back to the bot.
TICKET_STATES = ("waiting", "with_staff", "resolved", "closed")


class StaffUser(Base):
    """A person who works the desk (role `staff`), curates content (`coordinator`) or manages users (`admin`)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id
    role: Mapped[str] = mapped_column(String(16), default="staff")
    library_id: Mapped[str] = mapped_column(ForeignKey("libraries.id"))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StaffSession(Base):
    """A login. Only hashes of the session id (the cookie) and of the CSRF token are stored."""

    __tablename__ = "staff_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="waiting", index=True)
    library_id: Mapped[str | None] = mapped_column(ForeignKey("libraries.id"), nullable=True)  # the resident's
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str | None] = mapped_column(String(80), nullable=True)  # the last FAQ topic of the conversation
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # entered the queue (again): its age
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    first_reply_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), nullable=True)
    transferred_to_library_id: Mapped[str | None] = mapped_column(ForeignKey("libraries.id"), nullable=True)
    # An e-mail address or phone number the resident left for the answer; shown only to the assignee.
    contact: Mapped[str | None] = mapped_column(String(200), nullable=True)

    assignee: Mapped[StaffUser | None] = relationship(lazy="joined")


class TicketNote(Base):
    """An internal note on a ticket: for staff only, never part of the resident's transcript."""

    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    author: Mapped[StaffUser | None] = relationship(lazy="joined")
