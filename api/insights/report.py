"""The figures behind the insights charts, from the daily counts alone (no conversation is read).

`share_bot` counts conversations that never went to staff; a conversation handed over twice
counts twice in `handoffs`, so the shares are a close estimate rather than exact."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.faq.answers import titles
from api.insights.counters import FIRST_REPLY_BUCKETS, local_day
from api.insights.models import DailyCount
from api.language.registry import languages
from api.libraries.models import Library

MAX_DAYS = 731
TOP_TOPICS = 10
DAILY = ("conversation", "answered", "clarify", "out_of_scope", "handoff")


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """Default: the last 30 days up to today. Raises ValueError for an empty or too long period."""
    end = end or local_day()
    start = start or end - timedelta(days=29)
    if start > end:
        raise ValueError("The period starts after it ends")
    if (end - start).days >= MAX_DAYS:
        raise ValueError(f"At most {MAX_DAYS} days at a time")
    return start, end


def report(session: Session, start: date, end: date, library: str | None = None) -> dict[str, Any]:
    where = [DailyCount.day >= start, DailyCount.day <= end]
    if library:
        where.append(DailyCount.library_id == library)

    def grouped(*columns: Any) -> list[Any]:
        query = select(DailyCount.metric, *columns, func.sum(DailyCount.count)).where(*where)
        return list(session.execute(query.group_by(DailyCount.metric, *columns)))

    totals: dict[str, int] = defaultdict(int)
    for metric, total in grouped():
        totals[metric] = int(total or 0)

    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    per_day: dict[date, dict[str, int]] = {d: dict.fromkeys(DAILY, 0) for d in days}
    for metric, day, total in grouped(DailyCount.day):
        if metric in DAILY and day in per_day:
            per_day[day][metric] = int(total or 0)

    def breakdown(column: Any, names: dict[str, str]) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, int]] = defaultdict(lambda: {"conversations": 0, "handoffs": 0, "answered": 0})
        for metric, key, total in grouped(column):
            field = {"conversation": "conversations", "handoff": "handoffs", "answered": "answered"}.get(metric)
            if field:
                rows[key or ""][field] += int(total or 0)
        out = [{"id": key, "name": names.get(key, key or "–"), **values} for key, values in rows.items()]
        return sorted(out, key=lambda r: (-r["conversations"], r["name"]))

    library_names = {lib.id: lib.name for lib in session.scalars(select(Library))}
    language_names = {code: lang.name for code, lang in languages().items()}

    topic_rows: dict[str, dict[str, int]] = defaultdict(
        lambda: {"answered": 0, "feedback_up": 0, "feedback_down": 0, "handoffs": 0}
    )
    for metric, topic, total in grouped(DailyCount.topic):
        if not topic:
            continue
        field = {"answered": "answered", "feedback_up": "feedback_up", "feedback_down": "feedback_down"}.get(metric)
        if metric == "handoff":
            field = "handoffs"
        if field:
            topic_rows[topic][field] += int(total or 0)
    ranked = sorted(topic_rows.items(), key=lambda kv: (-kv[1]["answered"], kv[0]))
    names = titles(session, [t for t, _ in ranked[:TOP_TOPICS]], "sv")
    top_topics = [{"topic": t, "title": names.get(t, t), **v} for t, v in ranked[:TOP_TOPICS] if v["answered"]]

    buckets = dict.fromkeys([name for name, _ in FIRST_REPLY_BUCKETS] + ["more"], 0)
    for metric, bucket, total in grouped(DailyCount.topic):
        if metric == "first_reply_within" and bucket in buckets:
            buckets[bucket] += int(total or 0)
    replied = totals["first_reply"]
    conversations = totals["conversation"]
    handed = min(totals["handoff"], conversations) if conversations else totals["handoff"]
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "library": library,
        "totals": {
            "conversations": conversations,
            "answered": totals["answered"],
            "clarify": totals["clarify"],
            "out_of_scope": totals["out_of_scope"],
            "handoffs": totals["handoff"],
            "share_bot": round((conversations - handed) / conversations, 4) if conversations else None,
            "share_staff": round(handed / conversations, 4) if conversations else None,
            "feedback_up": totals["feedback_up"],
            "feedback_down": totals["feedback_down"],
        },
        "per_day": [{"day": d.isoformat(), **per_day[d]} for d in days],
        "by_library": breakdown(DailyCount.library_id, library_names),
        "by_language": breakdown(DailyCount.language, language_names),
        "by_channel": breakdown(DailyCount.channel, {"web": "Webbchatt", "sms": "Sms"}),
        "top_topics": top_topics,
        "first_reply": {
            "count": replied,
            "mean_seconds": round(totals["first_reply_seconds"] / replied) if replied else None,
            "buckets": [{"within": name, "count": n} for name, n in buckets.items()],
        },
    }
