"""A staff event stream ends with its session (issue 13, point 10).

The desk's stream carries residents' messages, so it must stop within 15 s once the session is
logged out, expires, or its account is deactivated, even while events keep coming and even
when nothing happens at all; after the end nothing more is delivered. The stream is read over
real HTTP from a live server (as the desk's EventSource reads it), with the in-process broker
and with Redis (the path several API workers take).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.api.handoff_support import Resident, Staff, new_resident

LIMIT_S = 15.0  # the bound
EVENT_EVERY_S = 0.5  # a busy desk: a resident message every half second


class StreamReader(threading.Thread):
    """Reads /api/staff/events in a thread; records every event with the time it arrived."""

    def __init__(self, url: str, session_cookie: str) -> None:
        super().__init__(daemon=True)
        self.url, self.cookie = url, session_cookie
        self.events: list[tuple[float, str | None, dict[str, Any]]] = []
        self.ended_at: float | None = None
        self.status: int | None = None

    def run(self) -> None:
        timeout = httpx.Timeout(120.0, connect=5.0)
        with httpx.stream("GET", self.url, cookies={"bh_staff": self.cookie}, timeout=timeout) as resp:
            self.status = resp.status_code
            event = None
            for line in resp.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    self.events.append((time.monotonic(), event, json.loads(line[6:])))
                    event = None
        self.ended_at = time.monotonic()

    def wait_for(self, wanted: str, match: Any = lambda d: True, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _, event, data in list(self.events):
                if event == wanted and match(data):
                    return data
            time.sleep(0.02)
        raise AssertionError(f"no {wanted} event within {timeout} s: {[e for _, e, _ in self.events]}")

    def after(self, moment: float) -> list[str | None]:
        return [event for at, event, _ in list(self.events) if at > moment]


@pytest.fixture(params=["in-process", "redis"])
def broker_kind(request: pytest.FixtureRequest, seeded: str) -> Iterator[str]:
    """The in-process broker, and Redis as API workers on several processes use it."""
    from api.handoff import pubsub
    from api.settings import get_settings

    if request.param == "redis":
        url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        except redis.RedisError:
            pytest.skip(f"no Redis at {url}")
        os.environ["REDIS_URL"] = url
        get_settings.cache_clear()
    try:
        yield request.param
    finally:
        os.environ.pop("REDIS_URL", None)
        get_settings.cache_clear()
        pubsub.get_broker()  # back to the in-process broker for the other tests


@pytest.fixture
def live_url(client: Any) -> Iterator[str]:
    """A real server (uvicorn on a loopback port) serving the app."""
    import uvicorn

    from api.main import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=port, lifespan="off", log_level="error", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _open_stream(live_url: str, staff: Staff, client: Any) -> tuple[StreamReader, Resident]:
    """The staff stream, shown to work: a resident's handoff arrives on it."""
    reader = StreamReader(f"{live_url}/api/staff/events", staff.http.cookies["bh_staff"])
    reader.start()
    reader.wait_for("ready")
    resident = new_resident(client, library="solna")
    resident.ask_for_person()
    reader.wait_for("ticket", lambda d: d["ticket"]["conversation_id"] == resident.id)
    return reader, resident


def _keep_busy_until_closed(reader: StreamReader, resident: Resident, since: float) -> None:
    """A resident keeps writing (each message is a staff event) until the stream ends or the bound passes."""
    n = 0
    while reader.ended_at is None and time.monotonic() - since < LIMIT_S + 2:
        n += 1
        resident.say(f"Hallå, är någon där? ({n})")
        time.sleep(EVENT_EVERY_S)
    reader.join(3)


def _assert_closed_in_time(reader: StreamReader, since: float, *, allow_until: float | None = None) -> None:
    assert reader.ended_at is not None, f"the stream is still open {time.monotonic() - since:.1f} s later"
    took = reader.ended_at - since
    print(f"stream ended {took:.2f} s after its session did; {len(reader.events)} events in all")
    assert took <= LIMIT_S, f"the stream ended {took:.1f} s later"
    late = [e for e in reader.after(allow_until if allow_until is not None else since) if e != "logout"]
    assert late == [], f"delivered after the session ended: {late}"


def test_logout_ends_the_stream_and_nothing_more_is_delivered(client, make_staff, live_url, broker_kind) -> None:  # type: ignore[no-untyped-def]
    staff: Staff = make_staff()
    reader, resident = _open_stream(live_url, staff, client)
    assert staff.post("/api/staff/logout").status_code == 204  # the desk's own client, not the stream's
    since = time.monotonic()
    _keep_busy_until_closed(reader, resident, since)
    _assert_closed_in_time(reader, since)
    assert reader.events[-1][1] == "logout"


def test_deactivating_the_account_ends_its_stream(client, make_staff, live_url, broker_kind) -> None:  # type: ignore[no-untyped-def]
    staff: Staff = make_staff()
    admin: Staff = make_staff("admin")
    reader, resident = _open_stream(live_url, staff, client)
    resp = admin.http.patch(
        f"/api/staff/users/{staff.id}", json={"active": False}, headers={"X-CSRF-Token": admin.csrf}
    )
    assert resp.status_code == 200, resp.text
    since = time.monotonic()
    _keep_busy_until_closed(reader, resident, since)
    _assert_closed_in_time(reader, since)


def test_the_stream_ends_when_its_session_expires(client, make_staff, live_url, db) -> None:  # type: ignore[no-untyped-def]
    """Expiry announces nothing: the stream knows when its session ends."""
    from api.handoff import sessions
    from api.handoff.clock import now
    from api.handoff.models import StaffSession

    staff: Staff = make_staff()
    row = db.get(StaffSession, sessions._hash(staff.http.cookies["bh_staff"]))
    row.expires_at = now() + timedelta(seconds=6)
    expires = time.monotonic() + 6
    db.commit()
    reader, resident = _open_stream(live_url, staff, client)
    _keep_busy_until_closed(reader, resident, time.monotonic())
    _assert_closed_in_time(reader, expires, allow_until=expires + 0.5)  # clocks: half a second of slack


def test_a_session_ended_unannounced_ends_the_stream_within_the_bound(client, make_staff, live_url, db) -> None:  # type: ignore[no-untyped-def]
    """A change no live update announces (another worker's message lost, an operator deleting the
    row): the stream's own check ends it within 15 s, even while events keep coming."""
    from sqlalchemy import delete

    from api.handoff import sessions
    from api.handoff.models import StaffSession

    staff: Staff = make_staff()
    reader, resident = _open_stream(live_url, staff, client)
    db.execute(delete(StaffSession).where(StaffSession.id_hash == sessions._hash(staff.http.cookies["bh_staff"])))
    db.commit()
    since = time.monotonic()
    _keep_busy_until_closed(reader, resident, since)
    assert reader.ended_at is not None and reader.ended_at - since <= LIMIT_S, "the stream outlived its session"
    assert reader.events[-1][1] == "logout"


def test_a_quiet_stream_ends_within_the_bound_too(client, make_staff, live_url, db) -> None:  # type: ignore[no-untyped-def]
    """Nothing happens at all: no event wakes the stream, its timer does."""
    from sqlalchemy import update

    from api.handoff.models import StaffUser

    staff: Staff = make_staff()
    reader = StreamReader(f"{live_url}/api/staff/events", staff.http.cookies["bh_staff"])
    reader.start()
    reader.wait_for("ready")
    time.sleep(2)
    db.execute(update(StaffUser).where(StaffUser.id == staff.id).values(active=False))  # unannounced
    db.commit()
    since = time.monotonic()
    reader.join(LIMIT_S + 2)
    assert reader.ended_at is not None and reader.ended_at - since <= 10.0, "a quiet stream outlived its session"
