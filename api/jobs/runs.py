"""Recording a job's runs in `job_runs` and reading them back for /health."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from api.db import session_scope
from api.jobs.models import JobRun

log = logging.getLogger(__name__)

# A job that runs hourly and has not succeeded for this long needs someone to look at it.
STALE_AFTER = timedelta(hours=2)


def describe(exc: BaseException) -> str:
    """What went wrong, for the log and job_runs: the class and the driver's first line. Not
    SQLAlchemy's str(exc), which appends the statement's parameters (row data)."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [""])[0][:200]
    kind = exc.__class__.__name__ if orig is exc else f"{exc.__class__.__name__} ({orig.__class__.__name__})"
    return f"{kind}: {first}" if first else kind


def record(name: str, *, error: str | None = None, count: int | None = None, duration_s: float = 0.0) -> None:
    now = datetime.now(UTC)
    values: dict[str, Any] = (
        {"last_failure_at": now, "last_error": error[:300]}
        if error is not None
        else {"last_success_at": now, "last_count": count, "last_duration_s": round(duration_s, 3)}
    )
    try:
        with session_scope() as session:
            if session.execute(update(JobRun).where(JobRun.name == name).values(**values)).rowcount == 0:
                session.add(JobRun(name=name, **values))
    except IntegrityError:  # another worker inserted the row first: update it
        with session_scope() as session:
            session.execute(update(JobRun).where(JobRun.name == name).values(**values))


def _aware(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at  # SQLite drops the zone


def status(name: str) -> dict[str, Any]:
    """ok: succeeded within STALE_AFTER; stale: not since; failing: never succeeded but failed;
    pending: has not run yet (a worker that just started)."""
    with session_scope() as session:
        row = session.get(JobRun, name)
    if row is None:
        return {"status": "pending", "last_success": None, "last_failure": None}
    success, failure = _aware(row.last_success_at), _aware(row.last_failure_at)
    if success is not None:
        state = "ok" if datetime.now(UTC) - success <= STALE_AFTER else "stale"
    else:
        state = "failing" if failure is not None else "pending"
    return {
        "status": state,
        "last_success": success.isoformat() if success else None,
        "last_failure": failure.isoformat() if failure else None,
    }
