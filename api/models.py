"""Every table, imported in one place for Alembic and for creating test databases."""

from api.conversations.models import Conversation, Message, TrackerDeletion
from api.curation.models import ContentChange
from api.db import Base
from api.faq.models import BotText, ContentRevision, CustomTopic, FaqEntry, FaqTranslation
from api.handoff.models import StaffSession, StaffUser, Ticket, TicketNote
from api.insights.models import DailyCount
from api.jobs.models import JobRun
from api.libraries.models import Library
from api.needs.models import ResidentNeed
from api.sms import outbox as _sms_outbox  # noqa: F401  (registers the listener that fills the SMS outbox)
from api.sms.models import SmsConversation, SmsInbound, SmsOptOut, SmsOutbox

__all__ = [
    "Base",
    "BotText",
    "ContentChange",
    "ContentRevision",
    "Conversation",
    "CustomTopic",
    "DailyCount",
    "FaqEntry",
    "FaqTranslation",
    "JobRun",
    "Library",
    "Message",
    "ResidentNeed",
    "SmsConversation",
    "SmsInbound",
    "SmsOptOut",
    "SmsOutbox",
    "StaffSession",
    "StaffUser",
    "Ticket",
    "TicketNote",
    "TrackerDeletion",
]
