"""Every table, imported in one place for Alembic and for creating test databases."""

from api.conversations.models import Conversation, Message
from api.db import Base
from api.faq.models import BotText, ContentRevision, FaqEntry, FaqTranslation
from api.handoff.models import StaffSession, StaffUser, Ticket, TicketNote
from api.libraries.models import Library

__all__ = [
    "Base",
    "BotText",
    "ContentRevision",
    "Conversation",
    "FaqEntry",
    "FaqTranslation",
    "Library",
    "Message",
    "StaffSession",
    "StaffUser",
    "Ticket",
    "TicketNote",
]
