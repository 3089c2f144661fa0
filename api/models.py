"""Every table, imported in one place for Alembic and for creating test databases."""

from api.conversations.models import Conversation, Message
from api.db import Base
from api.faq.models import BotText, ContentRevision, FaqEntry, FaqTranslation
from api.handoff.models import StaffSession, StaffUser, Ticket, TicketNote
from api.libraries.models import Library
from api.sms import outbox as _sms_outbox  # noqa: F401  (registers the listener that fills the SMS outbox)
from api.sms.models import SmsConversation, SmsInbound, SmsOptOut, SmsOutbox

__all__ = [
    "Base",
    "BotText",
    "ContentRevision",
    "Conversation",
    "FaqEntry",
    "FaqTranslation",
    "Library",
    "Message",
    "SmsConversation",
    "SmsInbound",
    "SmsOptOut",
    "SmsOutbox",
    "StaffSession",
    "StaffUser",
    "Ticket",
    "TicketNote",
]
