"""Point 9 of issue 13: the staff login throttle keys failures on account and client together,
slows down progressively instead of locking anyone out, and trusts X-Forwarded-For only from
configured proxies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import settings
from tests.api.handoff_support import PASSWORD, new_staff

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(seeded: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    from api.main import create_app

    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    settings.get_settings.cache_clear()
    yield create_app()
    settings.get_settings.cache_clear()


def _login(http: TestClient, email: str, password: str, **headers: str) -> int:
    resp = http.post("/api/staff/login", json={"email": email, "password": password}, headers=headers)
    http.cookies.clear()
    return resp.status_code


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    from api.handoff import throttle

    now = [1_000_000.0]
    monkeypatch.setattr(throttle, "_now", lambda: now[0])
    return now


def _wrong_passwords(http: TestClient, email: str, times: int, clock: list[float]) -> None:
    """`times` wrong passwords that are really checked: a guesser who waits whenever told to."""
    checked = 0
    while checked < times:
        resp = http.post("/api/staff/login", json={"email": email, "password": "guess"})
        http.cookies.clear()
        if resp.status_code == 429:
            clock[0] += int(resp.headers["retry-after"])
        else:
            assert resp.status_code == 401
            checked += 1


def test_an_attacker_does_not_lock_the_real_user_out_from_another_client(app: FastAPI, clock: list[float]) -> None:
    email = new_staff()
    attacker = TestClient(app, client=("203.0.113.66", 1))
    real_user = TestClient(app, client=("198.51.100.20", 1))
    _wrong_passwords(attacker, email, 5, clock)
    assert _login(attacker, email, PASSWORD) == 429  # the guesser is slowed down
    assert _login(real_user, email, PASSWORD) == 200  # the real user, elsewhere, is not


def test_one_guesser_behind_a_shared_address_does_not_lock_out_everyone_behind_it(
    app: FastAPI, clock: list[float]
) -> None:
    guesser_account, colleagues = new_staff(), [new_staff() for _ in range(3)]
    library = TestClient(app, client=("192.0.2.1", 1))  # one NAT address for the whole branch
    _wrong_passwords(library, guesser_account, 6, clock)
    assert _login(library, guesser_account, "guess") == 429  # the guesser waits
    for email in colleagues:
        assert _login(library, email, PASSWORD) == 200


def test_the_delay_grows_and_is_not_a_lockout(app: FastAPI, clock: list[float]) -> None:
    email = new_staff()
    http = TestClient(app, client=("203.0.113.67", 1))
    waits = []
    for _ in range(8):
        status = _login(http, email, "guess")
        if status == 429:
            resp = http.post("/api/staff/login", json={"email": email, "password": "guess"})
            wait = int(resp.headers["retry-after"])
            waits.append(wait)
            clock[0] += wait  # wait as told, then guess again
            assert _login(http, email, "guess") == 401
    assert waits == sorted(waits) and waits[-1] > waits[0], waits  # progressively slower
    assert waits[-1] <= 15 * 60  # never locked for longer than the cap
    clock[0] += waits[-1] * 2 + 1
    assert _login(http, email, PASSWORD) == 200  # after the wait the right password works
    assert _login(http, email, "guess") == 401  # and a success resets the pair: no wait at once


def test_rotating_x_forwarded_for_from_an_untrusted_peer_is_no_bypass(app: FastAPI) -> None:
    email = new_staff()
    http = TestClient(app, client=("127.0.0.1", 1))  # the peer uvicorn's proxy-headers default trusts
    codes = [_login(http, email, "guess", **{"X-Forwarded-For": f"192.0.2.{i}"}) for i in range(8)]
    assert 429 in codes[5:], codes


def test_the_api_is_started_without_uvicorn_rewriting_the_client_from_forwarded_headers() -> None:
    """uvicorn trusts X-Forwarded-For from 127.0.0.1 by default and rewrites the client address
    before the app sees it; the app decides itself (TRUSTED_PROXIES), so every launcher turns that off."""
    launchers = [ROOT / "scripts" / "run.sh", *sorted((ROOT / "deploy").glob("*Dockerfile*"))]
    found = 0
    for path in launchers:
        for match in re.finditer(r"uvicorn[\"']?\s+api\.main:app[^\n]*(?:\\\n[^\n]*)*", path.read_text()):
            found += 1
            assert "--no-proxy-headers" in match.group(0), path
    assert found >= 2
