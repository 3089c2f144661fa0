"""Expire conversations nobody has written in for RETENTION_DAYS: stored as long as needed, no longer.

The purge deletes in bounded batches, each in its own transaction: a statement never binds more
than BATCH parameters (PostgreSQL refuses more than 65,535), locks stay short, and a failure keeps
what was already deleted. The rows of other tables go with their conversation (ON DELETE CASCADE)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.conversations import trackers
from api.conversations.models import Conversation
from api.db import checkpoint_sqlite, session_scope
from api.jobs import runs
from api.settings import get_settings
from api.sms.retention import purge_sms

log = logging.getLogger(__name__)

BATCH = 1000
JOB = "retention_purge"


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Deletes expired conversations, committing after each batch; returns how many."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=get_settings().conversation_retention_days)
    deleted = 0
    while True:
        ids = list(session.scalars(select(Conversation.id).where(Conversation.last_activity_at < cutoff).limit(BATCH)))
        if not ids:
            break
        trackers.queue(session, ids)  # Rasa's copy goes too, even if Rasa is down now
        session.flush()
        session.execute(
            delete(Conversation).where(Conversation.id.in_(ids)).execution_options(synchronize_session=False)
        )
        session.commit()
        deleted += len(ids)
    purge_sms(session, cutoff)  # an SMS conversation's number goes with it (ON DELETE CASCADE); this is the rest
    session.commit()
    return deleted


def run_purge(now: datetime | None = None) -> int | None:
    """One run of the retention job (hourly in every API worker, and `api.cli purge`): the
    purge, then Rasa's trackers, then SQLite's WAL. Never raises: a failure is logged with its
    real cause and recorded in job_runs (shown by /health), and the next run starts afresh.
    Returns the number of conversations deleted, None when the purge failed."""
    started = time.monotonic()
    try:
        with session_scope() as session:
            deleted = purge_expired(session, now)
    except Exception as exc:  # noqa: BLE001 - whatever it is, log it, record it, try again next hour
        error = runs.describe(exc)
        log.error("retention purge failed: %s", error)
        _record(error=error)
        return None
    try:
        done, waiting = trackers.drain()
        if done or waiting:
            log.info("Rasa trackers deleted: %d, waiting for Rasa: %d", done, waiting)
    except Exception as exc:  # noqa: BLE001 - the queue stays; the next run retries
        log.error("deleting Rasa trackers failed: %s", runs.describe(exc))
    checkpoint_sqlite()
    _record(count=deleted, duration_s=time.monotonic() - started)
    if deleted:
        log.info("retention purge deleted %d expired conversations in %.1f s", deleted, time.monotonic() - started)
    return deleted


def _record(**outcome: object) -> None:
    try:
        runs.record(JOB, **outcome)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - a database that is down cannot record that it is down
        log.error("could not record the retention purge's outcome: %s", runs.describe(exc))
