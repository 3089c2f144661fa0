"""Live updates: the pub/sub brokers and the server-sent event streams of residents and staff."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from typing import Any

import anyio
import pytest

from api.handoff.pubsub import InMemoryBroker, RedisBroker, conversation_channel, get_broker
from api.handoff.streams import resident_stream, sse, staff_stream
from tests.api.handoff_support import Resident, Staff
from tests.api.live_server import live_server

WAIT = 10.0  # seconds an expected event may take at most (it takes milliseconds)
SLOW_HEARTBEAT = 60.0  # longer than WAIT: what arrives came through the pub/sub, not a heartbeat catch-up


def _parse(chunk: str) -> tuple[str | None, dict[str, Any] | None]:
    event, data = None, None
    for line in chunk.strip().splitlines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = json.loads(line[6:])
    return event, data


async def _next_event(stream, wanted: str, match=lambda d: True) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with anyio.fail_after(WAIT):
        while True:
            event, data = _parse(await anext(stream))
            if event == wanted and data is not None and match(data):
                return data


def test_sse_format() -> None:
    assert sse({"a": "å"}, "message", 7) == 'id: 7\nevent: message\ndata: {"a": "å"}\n\n'


def test_in_memory_broker_delivers_across_threads() -> None:
    broker = InMemoryBroker()

    async def scenario() -> list[dict[str, Any] | None]:
        async with broker.subscribe("c") as sub, broker.subscribe("c") as other:
            assert broker.subscriber_count("c") == 2
            threading.Thread(target=broker.publish, args=("c", {"n": 1})).start()
            got = [await sub.get(WAIT), await other.get(WAIT)]
            broker.publish("elsewhere", {"n": 2})
            got.append(await sub.get(0.05))
            return got

    assert asyncio.run(scenario()) == [{"n": 1}, {"n": 1}, None]
    assert broker.subscriber_count("c") == 0


def test_redis_broker_delivers() -> None:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    broker = RedisBroker(url)

    async def scenario() -> dict[str, Any] | None:
        async with broker.subscribe("conversation:x") as sub:
            await anyio.to_thread.run_sync(broker.publish, "conversation:x", {"type": "message", "id": 5})
            return await sub.get(WAIT)

    try:
        assert asyncio.run(scenario()) == {"type": "message", "id": 5}
    finally:
        broker.close()


def test_a_staff_reply_reaches_the_resident_stream(client, resident: Resident, make_staff) -> None:  # type: ignore[no-untyped-def]
    staff: Staff = make_staff()
    resident.ask_for_person()
    tid = resident.ticket_id(staff)
    seen = resident.transcript()["messages"][-1]["id"]

    async def scenario() -> None:
        stream = resident_stream(resident.id, seen, heartbeat=SLOW_HEARTBEAT)
        try:
            assert (await _next_event(stream, "ready"))["state"] == "waiting"
            await anyio.to_thread.run_sync(lambda: staff.act(tid, "claim"))
            claimed = await _next_event(stream, "message")
            assert (claimed["sender"], claimed["event"]) == ("system", "claimed")
            assert (await _next_event(stream, "state", lambda d: d["state"] == "with_staff")) == {"state": "with_staff"}
            await anyio.to_thread.run_sync(lambda: staff.act(tid, "reply", {"text": "Hej från disken!"}))
            reply = await _next_event(stream, "message")
            assert (reply["sender"], reply["kind"], reply["text"]) == ("staff", "staff", "Hej från disken!")
        finally:
            await stream.aclose()

    asyncio.run(scenario())


def test_the_resident_stream_catches_up_and_ends_when_the_conversation_is_deleted(client, resident: Resident) -> None:  # type: ignore[no-untyped-def]
    resident.say("Hur lånar jag om mina böcker?")

    async def scenario() -> None:
        stream = resident_stream(resident.id, 0, heartbeat=0.2)
        try:
            first = await _next_event(stream, "message")
            assert (first["sender"], first["text"]) == ("resident", "Hur lånar jag om mina böcker?")
            assert (await _next_event(stream, "message"))["sender"] == "bot"
            await anyio.to_thread.run_sync(
                lambda: resident.http.delete(f"/api/conversations/{resident.id}", headers=resident.headers)
            )
            await _next_event(stream, "gone")
        finally:
            await stream.aclose()

    asyncio.run(scenario())


def test_staff_stream_gets_new_tickets_and_resident_messages(client, make_staff) -> None:  # type: ignore[no-untyped-def]
    from tests.api.handoff_support import new_resident

    staff: Staff = make_staff(languages=("sv", "so"))
    login = staff.http.cookies["bh_staff"]
    from api.handoff.sessions import _hash

    async def scenario() -> None:
        stream = staff_stream(staff.id, _hash(login), heartbeat=SLOW_HEARTBEAT)
        try:
            await _next_event(stream, "ready")
            somali = await anyio.to_thread.run_sync(lambda: new_resident(client, locale="so"))
            await anyio.to_thread.run_sync(somali.ask_for_person)
            new = await _next_event(stream, "ticket", lambda d: d["ticket"]["conversation_id"] == somali.id)
            assert new["event"] == "handoff_requested"
            assert (new["ticket"]["state"], new["ticket"]["language"], new["ticket"]["speaks_language"]) == (
                "waiting",
                "so",
                True,
            )
            await anyio.to_thread.run_sync(lambda: somali.say("Ma jiraa qof?"))
            msg = await _next_event(
                stream,
                "message",
                lambda d: d["conversation_id"] == somali.id and d["message"]["sender"] == "resident",
            )
            assert (msg["ticket_id"], msg["message"]["text"]) == (new["ticket"]["id"], "Ma jiraa qof?")
            await anyio.to_thread.run_sync(lambda: staff.act(new["ticket"]["id"], "notes", {"text": "internt"}))
            note = await _next_event(stream, "note")
            assert note["note"]["text"] == "internt"
        finally:
            await stream.aclose()

    asyncio.run(scenario())


def test_staff_stream_ends_when_the_session_does(client, make_staff) -> None:  # type: ignore[no-untyped-def]
    from api.handoff.sessions import _hash

    staff: Staff = make_staff()
    login = staff.http.cookies["bh_staff"]

    async def scenario() -> None:
        stream = staff_stream(staff.id, _hash(login), heartbeat=0.1)
        try:
            await _next_event(stream, "ready")
            await anyio.to_thread.run_sync(lambda: staff.post("/api/staff/logout"))
            await _next_event(stream, "logout")
        finally:
            await stream.aclose()

    asyncio.run(scenario())


def test_events_endpoints_check_who_is_asking(client, resident: Resident) -> None:  # type: ignore[no-untyped-def]
    # The streams themselves never end, so only the refusals are requested over HTTP here.
    assert client.get(f"/api/conversations/{resident.id}/events", params={"ticket": "wrong"}).status_code == 401
    assert client.get(f"/api/conversations/{resident.id}/events").status_code == 401
    assert client.get("/api/staff/events").status_code == 401
    assert isinstance(get_broker(), InMemoryBroker)  # no REDIS_URL in tests
    assert conversation_channel("abc") == "conversation:abc"


def test_the_events_endpoint_streams_over_real_http(client, resident: Resident, make_staff) -> None:  # type: ignore[no-untyped-def]
    """A real server (uvicorn on a loopback port), as a browser's EventSource would use it."""
    import httpx

    with live_server() as base:
        staff: Staff = make_staff()
        resident.ask_for_person()
        tid = resident.ticket_id(staff)
        staff.act(tid, "claim")
        url = f"{base}/api/conversations/{resident.id}/events"
        after = resident.transcript()["messages"][-1]["id"]
        ticket = resident.http.post(f"/api/conversations/{resident.id}/events/ticket", headers=resident.headers)
        params = {"ticket": ticket.json()["ticket"], "after": after}
        with httpx.stream("GET", url, params=params, timeout=WAIT) as resp:
            assert resp.status_code == 200
            assert resp.headers["content-type"].startswith("text/event-stream")
            lines = resp.iter_lines()
            assert "event: ready" in [next(lines) for _ in range(3)]
            staff.act(tid, "reply", {"text": "Svar i realtid"})
            data = next(line for line in lines if line.startswith("data: ") and "Svar i realtid" in line)
            assert json.loads(data[6:])["sender"] == "staff"
