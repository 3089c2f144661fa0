"""STOP and START. An opted-out number gets nothing from us until it writes START."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.handoff.clock import now
from api.sms.models import SmsOptOut
from api.sms.phone import number_hash


def is_opted_out(session: Session, number: str) -> bool:
    return session.get(SmsOptOut, number_hash(number)) is not None


def opt_out(session: Session, number: str) -> bool:
    """True if the number was not opted out before (so the confirmation goes out once)."""
    key = number_hash(number)
    if session.get(SmsOptOut, key) is not None:
        return False
    session.add(SmsOptOut(number_hash=key, created_at=now()))
    return True


def opt_in(session: Session, number: str) -> bool:
    """True if the number was opted out (and is not any more)."""
    row = session.get(SmsOptOut, number_hash(number))
    if row is None:
        return False
    session.delete(row)
    return True
