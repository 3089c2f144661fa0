"""When the staff chat desk is open: DESK_HOURS (e.g. `mon-fri 10-16; sat 11-15`) in DESK_TIMEZONE."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from api.settings import get_settings

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_GROUP = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)\s+(?P<start>\d{1,2}(?::\d{2})?)-(?P<end>\d{1,2}(?::\d{2})?)$")


class DeskHoursError(ValueError):
    pass


def _clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours) % 24, int(minutes or 0)) if int(hours) < 24 else time(23, 59)


def parse(spec: str) -> dict[int, tuple[time, time]]:
    """`mon-fri 10-16; sat 11:00-15:00` -> {weekday: (opens, closes)} (Monday is 0)."""
    hours: dict[int, tuple[time, time]] = {}
    for group in filter(None, (g.strip().lower() for g in re.split(r"[;,]", spec))):
        m = _GROUP.match(group)
        if not m:
            raise DeskHoursError(f"DESK_HOURS: cannot read {group!r} (write e.g. 'mon-fri 10-16; sat 11-15')")
        first, _, last = m["days"].partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise DeskHoursError(f"DESK_HOURS: unknown day in {group!r} (use {', '.join(DAYS)})")
        start, end = _clock(m["start"]), _clock(m["end"])
        if end <= start:
            raise DeskHoursError(f"DESK_HOURS: {group!r} closes before it opens")
        a, b = DAYS.index(first), DAYS.index(last or first)
        for day in range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]:
            hours[day] = (start, end)
    return hours


@dataclass(frozen=True)
class Answering:
    """When a saved question will be answered."""

    open_now: bool
    at: datetime  # open now: when the desk closes today; else: when it next opens (desk time zone)


@lru_cache(maxsize=8)
def _cached(spec: str) -> dict[int, tuple[time, time]]:
    return parse(spec)


def answering(now: datetime) -> Answering | None:
    """None when the desk has no hours at all."""
    s = get_settings()
    hours, zone = _cached(s.desk_hours), ZoneInfo(s.desk_timezone)
    local = now.astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in hours:
            continue
        opens, closes = hours[day.weekday()]
        start = datetime.combine(day, opens, zone)
        end = datetime.combine(day, closes, zone)
        if offset == 0 and start <= local < end:
            return Answering(open_now=True, at=end)
        if local < start:
            return Answering(open_now=False, at=start)
    return None
