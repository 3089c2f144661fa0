"""Whether staff are at the desk now, and how long a resident can expect to wait."""

from __future__ import annotations

import statistics
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.handoff.clock import aware, now
from api.handoff.models import StaffUser, Ticket

ONLINE_WINDOW = timedelta(minutes=5)  # a staff member seen this recently is at the desk
DEFAULT_WAIT_MINUTES = 5
WAIT_SAMPLE = timedelta(days=7)


def staff_online(session: Session) -> bool:
    seen = now() - ONLINE_WINDOW
    return (
        session.scalar(select(StaffUser.id).where(StaffUser.active.is_(True), StaffUser.last_seen_at >= seen).limit(1))
        is not None
    )


def is_online(staff: StaffUser) -> bool:
    return staff.last_seen_at is not None and aware(staff.last_seen_at) >= now() - ONLINE_WINDOW


def expected_wait_minutes(session: Session) -> int:
    """The median time from queue to claim over the last week, at least 1 and at most 60 minutes."""
    rows = session.execute(
        select(Ticket.queued_at, Ticket.claimed_at).where(
            Ticket.claimed_at.is_not(None), Ticket.claimed_at >= now() - WAIT_SAMPLE
        )
    ).all()
    return wait_estimate([(aware(c) - aware(q)).total_seconds() / 60 for q, c in rows if c is not None])


# A promise, not a measurement: the median is rounded up to a step residents read easily, and never
# below 5, which also keeps every language's "N minutes" in its plural form (no "1 minuter").
WAIT_STEPS = (5, 10, 15, 20, 30, 45, 60)


def wait_estimate(waits_minutes: list[float]) -> int:
    """The median wait rounded up to a step of WAIT_STEPS; DEFAULT_WAIT_MINUTES without data."""
    waits = [w for w in waits_minutes if w >= 0]
    if not waits:
        return DEFAULT_WAIT_MINUTES
    median = statistics.median(waits)
    return next((step for step in WAIT_STEPS if median <= step), WAIT_STEPS[-1])
