"""Live updates are published only once the data they announce is committed.

Code that changes something schedules a message on its database session; a session listener
publishes the scheduled messages after a successful commit and drops them on rollback. Every
new transcript message wakes the streams of its conversation without any code asking for it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from api.conversations.models import Message
from api.handoff.pubsub import STAFF_CHANNEL, conversation_channel, get_broker

_PENDING = "handoff_pending_updates"
# Internal, never forwarded to the desk: a staff member's sessions or account changed, so their
# open event streams re-check what they may still receive (and end when it is nothing).
ACCESS_CHANGED = "access_changed"


def after_commit(session: Session, channel: str, data: dict[str, Any]) -> None:
    session.info.setdefault(_PENDING, []).append((channel, data))


def to_staff(session: Session, data: dict[str, Any]) -> None:
    after_commit(session, STAFF_CHANNEL, data)


def staff_access_changed(session: Session, staff_id: int) -> None:
    to_staff(session, {"type": ACCESS_CHANGED, "staff_id": staff_id})


@event.listens_for(Session, "after_flush")
def _new_messages(session: Session, _flush: UOWTransaction) -> None:
    for obj in session.new:
        if isinstance(obj, Message):
            after_commit(session, conversation_channel(obj.conversation_id), {"type": "message", "id": obj.id})


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        broker = get_broker()
        for channel, data in pending:
            broker.publish(channel, data)


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_PENDING, None)
