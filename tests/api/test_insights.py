"""Insights from daily counts: conversations, answers, handoffs, feedback, staff time to first
reply; filters by period and library; nothing personal (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from api.db import session_scope
from api.insights import counters
from api.insights.models import DailyCount
from tests.api.error_support import messages
from tests.api.handoff_support import new_resident
from tests.api.test_curation_editor import seed_question

# A library no other test uses, so its figures are this module's alone.
LIBRARY = "vaxholm"


def report(staff: Any, **params: Any) -> dict[str, Any]:
    resp = staff.get("/api/insights", params={"library": LIBRARY, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def test_conversations_answers_handoffs_and_first_reply_are_counted(client, coordinator, make_staff) -> None:  # type: ignore[no-untyped-def]
    before = report(coordinator)
    renew, card = seed_question("loan.renew", "sv"), seed_question("card.lost", "en")
    one = new_resident(client, library=LIBRARY)
    one.say(renew)
    one.say(renew)  # a second message is not a second conversation
    two = new_resident(client, library=LIBRARY, locale="en")
    two.say(card)
    two.ask_for_person()
    staff = make_staff("staff")
    ticket = two.ticket_id(staff)
    assert staff.act(ticket, "claim").status_code == 200
    assert staff.act(ticket, "reply", {"text": "Hej!"}).status_code == 201
    assert staff.act(ticket, "reply", {"text": "En sak till."}).status_code == 201  # only the first counts
    new_resident(client, library=LIBRARY)  # created, never used: not a conversation

    after = report(coordinator)
    delta = {k: after["totals"][k] - before["totals"][k] for k in ("conversations", "answered", "handoffs")}
    assert delta == {"conversations": 2, "answered": 3, "handoffs": 1}
    assert after["totals"]["share_staff"] is not None
    assert abs(after["totals"]["share_bot"] + after["totals"]["share_staff"] - 1) < 1e-9
    assert after["first_reply"]["count"] - before["first_reply"]["count"] == 1
    assert sum(b["count"] for b in after["first_reply"]["buckets"]) == after["first_reply"]["count"]
    today = next(d for d in after["per_day"] if d["day"] == counters.local_day().isoformat())
    assert today["conversation"] >= 2 and today["handoff"] >= 1
    languages = {row["id"]: row for row in after["by_language"]}
    assert languages["sv"]["conversations"] >= 1 and languages["en"]["handoffs"] >= 1
    assert {row["id"] for row in after["by_library"]} == {LIBRARY}
    assert next(r for r in after["by_channel"] if r["id"] == "web")["conversations"] >= 2
    top = {t["topic"]: t for t in after["top_topics"]}
    assert top["loan.renew"]["answered"] >= 2 and top["loan.renew"]["title"] == "Låna om"


def test_feedback_is_counted_and_a_changed_mind_moves_the_count(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, library=LIBRARY)
    answer = resident.say(seed_question("loan.period", "sv"))[0]
    url = f"/api/conversations/{resident.id}/messages/{answer['id']}/feedback"

    def topic_row() -> dict[str, Any]:
        return next((t for t in report(coordinator)["top_topics"] if t["topic"] == "loan.period"), {})

    base = topic_row()
    up0, down0 = base.get("feedback_up", 0), base.get("feedback_down", 0)
    assert client.post(url, json={"rating": "up"}, headers=resident.headers).json() == {
        "id": answer["id"],
        "feedback": "up",
    }
    client.post(url, json={"rating": "up"}, headers=resident.headers)  # the same again: no double count
    assert (topic_row()["feedback_up"], topic_row()["feedback_down"]) == (up0 + 1, down0)
    client.post(url, json={"rating": "down"}, headers=resident.headers)
    assert (topic_row()["feedback_up"], topic_row()["feedback_down"]) == (up0, down0 + 1)
    client.post(url, json={"rating": None}, headers=resident.headers)
    assert (topic_row()["feedback_up"], topic_row()["feedback_down"]) == (up0, down0)
    assert resident.transcript()["messages"][-1]["feedback"] is None


def test_only_answers_in_ones_own_conversation_can_be_rated(client, content_guard) -> None:  # type: ignore[no-untyped-def]
    resident, stranger = new_resident(client), new_resident(client)
    answer = resident.say(seed_question("loan.period", "sv"))[0]
    url = f"/api/conversations/{resident.id}/messages/{answer['id']}/feedback"
    assert client.post(url, json={"rating": "up"}).status_code == 401
    foreign = f"/api/conversations/{stranger.id}/messages/{answer['id']}/feedback"
    assert client.post(foreign, json={"rating": "up"}, headers=stranger.headers).status_code == 404
    own_text = resident.transcript()["messages"][0]["id"]  # the resident's own message
    own = f"/api/conversations/{resident.id}/messages/{own_text}/feedback"
    assert client.post(own, json={"rating": "up"}, headers=resident.headers).status_code == 422
    assert client.post(url, json={"rating": "meh"}, headers=resident.headers).status_code == 422


def test_counts_outlive_the_conversations_and_hold_nothing_personal(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    before = report(coordinator)["totals"]["conversations"]
    resident = new_resident(client, library=LIBRARY)
    resident.say("Mitt personnummer är 19900101-1234, hur lånar jag om?")
    assert client.delete(f"/api/conversations/{resident.id}", headers=resident.headers).status_code == 204
    assert report(coordinator)["totals"]["conversations"] == before + 1
    with session_scope() as s:
        for row in s.scalars(select(DailyCount)):
            values = " ".join(str(v) for v in (row.library_id, row.language, row.channel, row.topic, row.metric))
            assert "1234" not in values and "lånar" not in values


def test_period_and_library_filters(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    today = counters.local_day()  # the region's day, as the report counts it (not UTC)
    last_year = report(
        coordinator, start=(today - timedelta(days=400)).isoformat(), end=(today - timedelta(days=370)).isoformat()
    )
    assert last_year["totals"]["conversations"] == 0 and len(last_year["per_day"]) == 31
    assert all(d["conversation"] == 0 for d in last_year["per_day"])
    default = report(coordinator)
    assert len(default["per_day"]) == 30 and default["period"]["to"] == counters.local_day().isoformat()
    assert coordinator.get("/api/insights", params={"library": "atlantis"}).status_code == 422
    bad = coordinator.get(
        "/api/insights", params={"start": today.isoformat(), "end": (today - timedelta(days=1)).isoformat()}
    )
    assert bad.status_code == 422 and "starts after" in messages(bad)
    region = coordinator.get("/api/insights").json()
    assert region["totals"]["conversations"] >= default["totals"]["conversations"]


def test_concurrent_counts_add_up(seeded, content_guard) -> None:  # type: ignore[no-untyped-def]
    """Several API workers counting the same cell at once: an upsert, so none is lost."""
    topic = "race.test"

    def worker() -> None:
        for _ in range(20):
            with session_scope() as s:
                counters.count(s, "answered", library=LIBRARY, language="sv", channel="web", topic=topic)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with session_scope() as s:
        total = s.scalar(select(DailyCount.count).where(DailyCount.topic == topic, DailyCount.metric == "answered"))
        s.query(DailyCount).filter(DailyCount.topic == topic).delete()
    assert total == 80
