"""What a resident is told when handed over: the expected wait when staff are online, else when the
saved question will be answered (desk hours in Stockholm time) and that contact details may be left."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from api.handoff import availability, desk_hours, triggers
from api.handoff.desk_hours import DeskHoursError, parse


def test_desk_hours_are_read_from_the_setting() -> None:
    hours = parse("mon-fri 10-16; sat 11:30-15")
    assert hours[0] == hours[4] == (time(10), time(16))
    assert hours[5] == (time(11, 30), time(15))
    assert 6 not in hours
    assert set(parse("fri-mon 9-12")) == {4, 5, 6, 0}
    for bad in ("weekdays 10-16", "mon-fri 16-10", "mon-xyz 10-16", "mon 10"):
        with pytest.raises(DeskHoursError):
            parse(bad)


@pytest.mark.parametrize(
    ("utc", "open_now", "local"),
    [
        (datetime(2026, 11, 25, 8, 0, tzinfo=UTC), False, "2026-11-25 10:00"),  # Wednesday 09:00 in Stockholm
        (datetime(2026, 11, 25, 12, 0, tzinfo=UTC), True, "2026-11-25 16:00"),  # open: closes at 16
        (datetime(2026, 11, 27, 16, 0, tzinfo=UTC), False, "2026-11-30 10:00"),  # Friday evening -> Monday
        (datetime(2026, 6, 26, 14, 30, tzinfo=UTC), False, "2026-06-29 10:00"),  # summer time: 16:30 local
    ],
)
def test_when_a_saved_question_is_answered(utc: datetime, open_now: bool, local: str) -> None:
    when = desk_hours.answering(utc)
    assert when is not None
    assert (when.open_now, when.at.strftime("%Y-%m-%d %H:%M"), str(when.at.tzinfo)) == (
        open_now,
        local,
        "Europe/Stockholm",
    )


def _handoff_text(db, conversation, monkeypatch, online: bool, at: datetime, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    from api.conversations.models import Conversation

    conv = db.get(Conversation, conversation["id"])
    conv.language = lang
    monkeypatch.setattr(triggers, "staff_online", lambda session: online)
    monkeypatch.setattr(triggers, "now", lambda: at)
    reply = triggers.what_happens_next(db, conv)
    # Not kept: an open write would hold SQLite's lock while the app shuts down (a 60 s wait).
    db.rollback()
    assert (reply.kind, reply.language) == ("handoff", lang)
    return reply.text


def test_staff_online_gives_the_expected_wait(db, conversation, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(triggers, "expected_wait_minutes", lambda session: 7)
    text = _handoff_text(db, conversation, monkeypatch, True, datetime(2026, 11, 25, 12, tzinfo=UTC))
    assert "about 7 minutes" in text


def test_offline_in_desk_hours_answers_today(db, conversation, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    text = _handoff_text(db, conversation, monkeypatch, False, datetime(2026, 11, 25, 12, tzinfo=UTC))
    assert "today before 16:00" in text and "e-mail address or phone number" in text


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [("en", "on Monday from 10:00"), ("sv", "på måndag från klockan 10:00"), ("fi", "maanantaina kello 10:00")],
)
def test_offline_after_hours_names_the_day(db, conversation, monkeypatch, lang: str, phrase: str) -> None:  # type: ignore[no-untyped-def]
    friday_evening = datetime(2026, 11, 27, 18, tzinfo=UTC)
    assert phrase in _handoff_text(db, conversation, monkeypatch, False, friday_evening, lang)


def test_expected_wait_is_the_median_time_to_claim() -> None:
    assert availability.wait_estimate([3.0, 4.0, 9.0]) == 5
    assert availability.wait_estimate([0.2]) == 5  # never "1 minutes"
    assert availability.wait_estimate([6.0, 7.0, 30.0]) == 10
    assert availability.wait_estimate([16.0]) == 20
    assert availability.wait_estimate([600.0]) == 60
    assert availability.wait_estimate([]) == availability.DEFAULT_WAIT_MINUTES


def test_expected_wait_reads_recent_claims(db) -> None:  # type: ignore[no-untyped-def]
    assert availability.expected_wait_minutes(db) in availability.WAIT_STEPS


def test_staff_seen_in_the_last_five_minutes_are_online(client, make_staff, db) -> None:  # type: ignore[no-untyped-def]
    from api.handoff.models import StaffUser

    staff = make_staff()
    db.expire_all()
    user = db.get(StaffUser, staff.id)
    assert availability.is_online(user) and availability.staff_online(db)
    user.last_seen_at = availability.now() - timedelta(minutes=6)
    assert not availability.is_online(user)
    db.rollback()
