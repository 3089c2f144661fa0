"""The claim on a resident message while its turn runs: which attempt answers it, until when.

Every change is a compare-and-set on the owner id (one UPDATE), atomic on SQLite and PostgreSQL
and across API workers (docs/decisions/0013-turn-resilience.md).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from api.conversations.models import Message
from api.handoff.clock import aware
from api.settings import get_settings


class LeaseLost(RuntimeError):
    """The claim expired and another attempt took the message over: this one must not answer."""


def new() -> tuple[str, datetime]:
    return uuid.uuid4().hex, datetime.now(UTC) + timedelta(seconds=get_settings().turn_lease_s)


def is_live(msg: Message) -> bool:
    return msg.lease_owner is not None and msg.lease_until is not None and aware(msg.lease_until) > datetime.now(UTC)


def swap(session: Session, message_id: int, owner: str | None, **values: object) -> bool:
    """Change the claim only if `owner` still holds it."""
    result = session.execute(
        update(Message).where(Message.id == message_id, Message.lease_owner == owner).values(**values),
        execution_options={"synchronize_session": False},
    )
    return isinstance(result, CursorResult) and result.rowcount == 1


def release(session: Session, message_id: int, owner: str | None) -> None:
    """The message is answered (in this transaction): no claim any more. LeaseLost if it was not ours."""
    if owner is not None and not swap(session, message_id, owner, lease_owner=None, lease_until=None):
        raise LeaseLost(str(message_id))


def expire(session: Session, message_id: int, owner: str) -> None:
    """This attempt gives up: a retry may take the message over at once."""
    swap(session, message_id, owner, lease_until=datetime.now(UTC) - timedelta(seconds=1))
