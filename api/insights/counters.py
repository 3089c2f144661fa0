"""Count what happens, by day and dimension, in the same transaction as the event itself.

An upsert (INSERT ... ON CONFLICT DO UPDATE count = count + n) on SQLite and PostgreSQL alike,
so concurrent API workers add up instead of overwriting each other."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.conversations.models import Conversation
from api.handoff.clock import aware, now
from api.insights.models import METRICS, DailyCount
from api.settings import get_settings

KEY_COLUMNS = ("day", "metric", "library_id", "language", "channel", "topic")
# Buckets of the wait for a ticket's first staff reply (upper bounds in seconds).
FIRST_REPLY_BUCKETS = (("5m", 300), ("15m", 900), ("1h", 3600), ("4h", 14400), ("24h", 86400))


def local_day(at: datetime | None = None) -> date:
    """The day in the region's time zone (DESK_TIMEZONE): a chat at 00:30 counts for that day."""
    return aware(at or now()).astimezone(ZoneInfo(get_settings().desk_timezone)).date()


def count(
    session: Session,
    metric: str,
    *,
    library: str | None,
    language: str | None,
    channel: str | None,
    topic: str | None = None,
    by: int = 1,
    at: datetime | None = None,
) -> None:
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    values = {
        "day": local_day(at),
        "metric": metric,
        "library_id": library or "",
        "language": language or "",
        "channel": channel or "",
        "topic": topic or "",
        "count": by,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(DailyCount).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS), set_={"count": DailyCount.count + stmt.excluded.count}
    )
    session.execute(stmt)


def first_reply_bucket(seconds: float) -> str:
    for name, limit in FIRST_REPLY_BUCKETS:
        if seconds <= limit:
            return name
    return "more"


# The reply kinds the insights count per resident message (the first reply of the turn).
TURN_METRICS = {"faq": "answered", "clarify": "clarify", "out_of_scope": "out_of_scope"}


def count_turn(
    session: Session, conv: Conversation, written_in: str | None, first_kind: str, topic: str | None
) -> None:
    metric = TURN_METRICS.get(first_kind)
    if metric is not None:
        count(
            session,
            metric,
            library=conv.library_id,
            language=written_in,
            channel=conv.channel,
            topic=topic if metric == "answered" else None,
        )
