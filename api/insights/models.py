"""Daily counts for the insights: numbers per day and dimension, never a person or a text.

Counting when things happen (rather than querying conversations) keeps the figures after a
resident deletes a chat or retention expires it, and holds nothing personal."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base

# conversation: a conversation's first resident message; answered: an FAQ answer (topic);
# clarify / out_of_scope: the assistant could not answer; handoff: a ticket opened (topic: the
# conversation's last topic); feedback_up / feedback_down: a rating of an answer (topic);
# first_reply: a ticket's first staff reply, first_reply_seconds: their total wait,
# first_reply_within: the same replies by bucket (topic holds the bucket: 5m, 15m, 1h, 4h, 24h, more).
METRICS = (
    "conversation",
    "answered",
    "clarify",
    "out_of_scope",
    "handoff",
    "feedback_up",
    "feedback_down",
    "first_reply",
    "first_reply_seconds",
    "first_reply_within",
)


class DailyCount(Base):
    __tablename__ = "daily_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(24), primary_key=True)
    # '' rather than NULL: NULLs never collide in a primary key, so they would not add up.
    library_id: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    language: Mapped[str] = mapped_column(String(8), primary_key=True, default="")
    channel: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    topic: Mapped[str] = mapped_column(String(80), primary_key=True, default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
