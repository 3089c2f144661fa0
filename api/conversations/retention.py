"""Expire conversations nobody has written in for RETENTION_DAYS: stored as long as needed, no longer.

The purge deletes in bounded batches, each in its own transaction: a statement never binds more
than BATCH parameters (PostgreSQL refuses more than 65,535), locks stay short, and a failure keeps
what was already deleted. The rows of other tables go with their conversation (ON DELETE CASCADE)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, TextClause, bindparam, text
from sqlalchemy.orm import Session

from api.conversations import trackers
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
    while batch := _purge_batch(session, cutoff):
        session.commit()
        deleted += batch
    purge_sms(session, cutoff)  # an SMS conversation's number goes with it (ON DELETE CASCADE); this is the rest
    session.commit()
    return deleted


def _purge_batch(session: Session, cutoff: datetime) -> int:
    """Up to BATCH expired conversations go, and their ids into the tracker deletion queue (Rasa's
    copy goes too, even if Rasa is down now). Subqueries, so the ids never travel as parameters."""
    expired = "SELECT id FROM conversations WHERE last_activity_at < :cutoff LIMIT :n"
    queue = "INSERT INTO tracker_deletions (conversation_id, requested_at, attempts)"
    if session.get_bind().dialect.name == "postgresql":
        # One statement: what is deleted is exactly what is queued, whatever runs alongside.
        # ANY(ARRAY(...)): the batch is looked up by primary key, not joined against the whole table.
        gone = f"WITH gone AS (DELETE FROM conversations WHERE id = ANY(ARRAY({expired})) RETURNING id)"
        return session.execute(_typed(f"{gone} {queue} SELECT id, :now, 0 FROM gone"), _params(cutoff)).rowcount
    # SQLite: the INSERT takes the write lock, so nobody changes the batch before the DELETE.
    session.execute(_typed(f"{queue} SELECT id, :now, 0 FROM ({expired})"), _params(cutoff))
    return session.execute(_typed(f"DELETE FROM conversations WHERE id IN ({expired})"), _params(cutoff)).rowcount


def _typed(sql: str) -> TextClause:
    # Typed, so SQLite gets times in the format the ORM stores them in (it compares them as text).
    stmt = text(sql)
    names = [name for name in ("cutoff", "now") if f":{name}" in sql]
    return stmt.bindparams(*(bindparam(name, type_=DateTime(timezone=True)) for name in names))


def _params(cutoff: datetime) -> dict[str, object]:
    return {"cutoff": cutoff, "now": datetime.now(UTC), "n": BATCH}


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
