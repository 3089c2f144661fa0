"""Expire conversations nobody has written in for RETENTION_DAYS: stored as long as needed, no longer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Message
from api.settings import get_settings
from api.sms.retention import purge_sms


def purge_expired(session: Session, now: datetime | None = None) -> int:
    cutoff = (now or datetime.now(UTC)) - timedelta(days=get_settings().conversation_retention_days)
    expired = [
        c
        for (c,) in session.execute(
            Conversation.__table__.select()
            .with_only_columns(Conversation.id)
            .where(Conversation.last_activity_at < cutoff)
        )
    ]
    if expired:
        session.execute(delete(Message).where(Message.conversation_id.in_(expired)))
        session.execute(delete(Conversation).where(Conversation.id.in_(expired)))
    purge_sms(session, cutoff)  # an SMS conversation's number goes with it (ON DELETE CASCADE); this is the rest
    return len(expired)
