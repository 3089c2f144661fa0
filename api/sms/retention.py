"""What the SMS channel keeps outside a conversation goes after RETENTION_DAYS too: the
STOP/START confirmations in the outbox (they hold a number) and the inbound log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from api.sms.models import SmsInbound, SmsOutbox


def purge_sms(session: Session, cutoff: datetime) -> None:
    # Rows of a conversation go with it (ON DELETE CASCADE); these belong to none.
    session.execute(delete(SmsOutbox).where(SmsOutbox.conversation_id.is_(None), SmsOutbox.created_at < cutoff))
    session.execute(delete(SmsInbound).where(SmsInbound.conversation_id.is_(None), SmsInbound.received_at < cutoff))
