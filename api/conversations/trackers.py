"""Rasa's trackers go with their conversations. A deleted or expired conversation's id is queued
in `tracker_deletions` in the same transaction that deletes the conversation, and the queue is
drained by asking Rasa to delete those trackers: at once after a resident's delete, and by the
hourly retention job for whatever Rasa could not take then (it was down). A conversation id is
not personal data; what Rasa keeps under it is."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from api.conversations import rasa_client
from api.conversations.models import Conversation, TrackerDeletion
from api.db import session_scope

log = logging.getLogger(__name__)

BATCH = 500  # ids per request to Rasa (and per bounded IN list here)


def queue(session: Session, conversation_ids: Sequence[str]) -> None:
    """Queues these (existing) conversations' trackers; one INSERT ... SELECT, no ORM objects."""
    source = select(Conversation.id, literal(datetime.now(UTC)), literal(0)).where(
        Conversation.id.in_(conversation_ids)
    )
    session.execute(insert(TrackerDeletion).from_select(["conversation_id", "requested_at", "attempts"], source))


def _forget(conversation_ids: list[str]) -> bool:
    try:
        rasa_client.forget(conversation_ids)
    except rasa_client.RasaUnavailable as exc:
        log.warning("%d tracker deletions wait for Rasa: %s", len(conversation_ids), exc)
        with session_scope() as session:
            session.execute(
                update(TrackerDeletion)
                .where(TrackerDeletion.conversation_id.in_(conversation_ids))
                .values(attempts=TrackerDeletion.attempts + 1)
            )
        return False
    with session_scope() as session:
        session.execute(delete(TrackerDeletion).where(TrackerDeletion.conversation_id.in_(conversation_ids)))
    return True


def forget_now(conversation_id: str) -> bool:
    """Right after a resident's delete; on failure the id stays queued for the retention job."""
    return _forget([conversation_id])


def drain() -> tuple[int, int]:
    """Deletes every queued tracker that Rasa will take; returns (deleted, still waiting)."""
    done = 0
    while True:
        with session_scope() as session:
            ids = list(
                session.scalars(
                    select(TrackerDeletion.conversation_id).order_by(TrackerDeletion.requested_at).limit(BATCH)
                )
            )
        if not ids:
            if not done:  # nothing queued: still lets Rasa's bounded store sweep out idle trackers
                _sweep()
            break
        if not _forget(ids):
            break
        done += len(ids)
    return done, waiting()


def _sweep() -> None:
    with contextlib.suppress(rasa_client.RasaUnavailable):  # down: it holds nothing to sweep until it is back
        rasa_client.forget([])


def waiting() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(TrackerDeletion)) or 0)
