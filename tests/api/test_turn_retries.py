"""Issue 13, point 12: a retried message (same client id) never gives a 500 or a second bot turn,
on SQLite and PostgreSQL: concurrent identical sends, a retry while Rasa is slow, and a retry
after the first attempt died mid-turn (its claim on the message expired)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from api.conversations.models import Message
from api.db import session_scope
from tests.api.fake_rasa import FakeRasa

TEXT = "Hur lånar jag om mina böcker?"
LEASE_S = 2.0  # the claim on a message in these tests: a dead attempt's turn is taken over after it


def _reset_rasa_side() -> None:
    """Settings and everything the Rasa client caches (its HTTP client, its circuit state)."""
    from api import settings
    from api.conversations import rasa_client

    settings.get_settings.cache_clear()
    for obj in list(vars(rasa_client).values()):
        if callable(getattr(obj, "cache_clear", None)):
            obj.cache_clear()


@pytest.fixture
def fake_rasa(seeded: str) -> Iterator[FakeRasa]:
    rasa = FakeRasa(delay=0.2).start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RASA_URL", rasa.url)
        mp.setenv("RASA_TIMEOUT_S", "10")
        mp.setenv("TURN_LEASE_S", str(LEASE_S))
        _reset_rasa_side()
        try:
            yield rasa
        finally:
            rasa.stop()
    _reset_rasa_side()  # back to the session's settings (Rasa on a closed port)
    assert os.environ["RASA_URL"] != rasa.url


def _send(client, conv, client_id: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/conversations/{conv['id']}/messages",
        json={"text": TEXT, "client_id": client_id},
        headers=conv["headers"],
    )


def _stored(conversation_id: str) -> list[Message]:
    with session_scope() as s:
        return list(s.scalars(select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)))


def _assert_one_turn(conv: dict[str, str], bodies: list[dict[str, object]]) -> None:
    stored = _stored(conv["id"])
    assert [m.sender for m in stored] == ["resident", "bot"], [(m.sender, m.text) for m in stored]
    assert all(b == bodies[0] for b in bodies), bodies
    (reply,) = bodies[0]["messages"]  # type: ignore[misc]
    assert reply["id"] == stored[1].id and reply["text"] == stored[1].text
    assert stored[1].reply_to == stored[0].id


def test_eight_concurrent_identical_sends_are_one_message_and_one_turn(client, conversation, fake_rasa) -> None:  # type: ignore[no-untyped-def]
    fake_rasa.delay = 0.5
    start = threading.Barrier(8)

    def send(_: int):  # type: ignore[no-untyped-def]
        start.wait()
        return _send(client, conversation, "same-8")

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(send, range(8)))
    assert [r.status_code for r in responses] == [200] * 8, [r.text[:200] for r in responses]
    assert fake_rasa.calls == [(conversation["id"], TEXT)]  # one bot turn
    _assert_one_turn(conversation, [r.json() for r in responses])


def test_a_retry_while_rasa_is_slow_waits_for_the_first_answer(client, conversation, fake_rasa) -> None:  # type: ignore[no-untyped-def]
    fake_rasa.delay = 1.5
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(_send, client, conversation, "slow-1")
        time.sleep(0.5)  # the first attempt is waiting for Rasa
        retry = pool.submit(_send, client, conversation, "slow-1")
        responses = [first.result(), retry.result()]
    assert [r.status_code for r in responses] == [200, 200]
    assert len(fake_rasa.calls) == 1  # the retry did not start a second turn
    _assert_one_turn(conversation, [r.json() for r in responses])


def test_a_retry_after_the_first_attempt_died_mid_turn_is_answered_once(client, conversation, fake_rasa) -> None:  # type: ignore[no-untyped-def]
    """The first attempt never finishes within its claim (as if its worker was killed while
    Rasa thought): two retries after the claim expired get one answer between them, and when
    the first attempt comes back to life late it does not store a second answer."""
    fake_rasa.delays = [LEASE_S * 3]  # the first turn hangs well past its claim
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(_send, client, conversation, "crash-1")
        time.sleep(LEASE_S + 0.7)
        retries = [pool.submit(_send, client, conversation, "crash-1") for _ in range(2)]
        retried = [r.result() for r in retries]
        assert [r.status_code for r in retried] == [200, 200]
        _assert_one_turn(conversation, [r.json() for r in retried])
        late = first.result()
    assert late.status_code == 200
    _assert_one_turn(conversation, [r.json() for r in [*retried, late]])
    assert 2 <= len(fake_rasa.calls) <= 3  # the dead attempt's call and one turn after it


def test_the_circuit_opens_after_failures_and_closes_after_a_probe(
    client, conversation, fake_rasa, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Point 16: after RASA_BREAKER_FAILURES timeouts in a row the API answers from the FAQ without
    calling Rasa; after the cool-down one message probes Rasa, and its success closes the circuit."""
    monkeypatch.setenv("RASA_TIMEOUT_S", "0.3")
    monkeypatch.setenv("RASA_BREAKER_FAILURES", "2")
    monkeypatch.setenv("RASA_BREAKER_COOLDOWN_S", "8")  # longer than a loaded FAQ fallback
    _reset_rasa_side()
    fake_rasa.delay = 2.0  # Rasa is too slow: every call times out

    def ask(n: int) -> dict[str, object]:
        resp = client.post(
            f"/api/conversations/{conversation['id']}/messages",
            json={"text": TEXT, "client_id": f"cb-{n}"},
            headers=conversation["headers"],
        )
        assert resp.status_code == 200
        (reply,) = resp.json()["messages"]
        return reply  # type: ignore[no-any-return]

    for n in range(2):
        assert ask(n)["topic"] == "loan.renew"  # the FAQ's own answer after the timeout
    assert len(fake_rasa.calls) == 2
    reply = ask(2)  # open: answered from the FAQ without calling Rasa
    assert len(fake_rasa.calls) == 2
    assert "Rasa" not in str(reply["text"]) and reply["topic"] == "loan.renew"
    fake_rasa.delay = 0.0  # Rasa recovers
    time.sleep(8.1)  # the cool-down: the next message probes
    assert ask(3)["text"] == "Svar nummer 3 från Rasa"
    assert ask(4)["text"] == "Svar nummer 4 från Rasa"  # closed again
