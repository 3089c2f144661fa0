from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base

# An entry's life: a `draft` is being written and answers nobody; `live` answers residents;
# `retired` no longer answers but keeps its texts and history (it can be restored).
ENTRY_STATES = ("draft", "live", "retired")
REVIEW_STATUSES = ("draft", "reviewed")


class FaqEntry(Base):
    """One answer to one topic: regional (library_id NULL) or a library's local version."""

    __tablename__ = "faq_entries"
    __table_args__ = (UniqueConstraint("topic", "library_id", name="uq_faq_entry_topic_library"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(80), index=True)
    library_id: Mapped[str | None] = mapped_column(ForeignKey("libraries.id"), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="live", index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    translations: Mapped[list[FaqTranslation]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", lazy="selectin"
    )


class FaqTranslation(Base):
    """An entry's text in one language; `variant` is '' or 'easy' (lättläst Swedish)."""

    __tablename__ = "faq_translations"
    __table_args__ = (UniqueConstraint("entry_id", "language", "variant", name="uq_faq_translation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("faq_entries.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    variant: Mapped[str] = mapped_column(String(16), default="")
    title: Mapped[str] = mapped_column(String(120))
    answer: Mapped[str] = mapped_column(Text)
    sms: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | reviewed
    # NULL while the text is as seeded from data/; the seed never overwrites a curated text.
    edited_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    # Who confirmed the translation (a speaker of the language), and when.
    reviewed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Bumped on every save: an editor saving over a colleague's newer text gets a conflict, not a loss.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    entry: Mapped[FaqEntry] = relationship(back_populates="translations")


class CustomTopic(Base):
    """A topic a coordinator added; the region's agreed topics come from ../shared/faq-topics.yml."""

    __tablename__ = "faq_custom_topics"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    area: Mapped[str] = mapped_column(String(40))
    question: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BotText(Base):
    """The assistant's own texts (greeting, fallback, ...) per language."""

    __tablename__ = "bot_texts"
    __table_args__ = (UniqueConstraint("key", "language", name="uq_bot_text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    edited_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ContentRevision(Base):
    """Counters bumped on every content change, so every process refreshes what it holds.

    Row 1 counts FAQ changes (the retrieval index), row 2 bot text changes (the text catalog):
    editing a greeting must not make the next resident wait for an index rebuild."""

    __tablename__ = "content_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
