"""Issue 13, point 12: a retried message (same client id) never gives a 500 or a second bot turn,
on SQLite and PostgreSQL: concurrent identical sends, a retry while Rasa is slow, and a retry
after the first attempt died mid-turn (its claim on the message expired).

Rasa is faked on a local port and answers as Rasa does since issue 14: one decision of the reply
policy as a custom payload, which the API writes as the reply."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select

from actions.reply_policy import Decision
from api.conversations.models import Message
from api.db import session_scope
from tests.api.fake_rasa import WEBHOOK, FakeRasa

TEXT = "Hur lånar jag om mina böcker?"
# The claim on a message in these tests: a dead attempt's turn is taken over after it. A live turn
# (understanding the message, then Rasa's delay) must fit in it, on a loaded machine too.
LEASE_S = 3.0


# Rasa's N-th answer decides topic N: a retry that got another turn's answer shows another topic,
# and none is the FAQ's own answer to TEXT (loan.renew), which a turn without Rasa gives.
DECIDED = ("card.get", "visit.printing", "loan.return", "visit.hours", "loan.reserve", "visit.rooms")
FAQ_ANSWER = "loan.renew"


def decided(number: int) -> str:
    return DECIDED[(number - 1) % len(DECIDED)]


class DecidingRasa(FakeRasa):
    """The fake Rasa, answering with a decision ({"custom": {"decision": ...}}, see
    api/conversations/rasa_client._decision) instead of its numbered text."""

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def as_decision(event: dict[str, Any]) -> None:
            if event["type"] == "http.response.body" and scope.get("path") == WEBHOOK:
                (item,) = json.loads(event["body"])
                match = re.search(r"\d+", item["custom"]["text"])
                assert match is not None
                decision = Decision("faq", topic=decided(int(match.group())), confidence=0.9)
                event = {**event, "body": json.dumps([{"custom": {"decision": decision.to_dict()}}]).encode()}
            await send(event)

        await super()._app(scope, receive, as_decision)


def _reset_rasa_side() -> None:
    """Settings and everything the Rasa client caches (its HTTP client, its circuit state)."""
    from api import settings
    from api.conversations import rasa_client

    settings.get_settings.cache_clear()
    for obj in list(vars(rasa_client).values()):
        if callable(getattr(obj, "cache_clear", None)):
            obj.cache_clear()


def _warm_up() -> None:
    """The embedding model and the FAQ index load on first use: not inside a timed turn."""
    from api.conversations.understanding import understand

    with session_scope() as session:
        understand(session, TEXT, None)


@pytest.fixture
def fake_rasa(seeded: str) -> Iterator[FakeRasa]:
    with _serving(DecidingRasa(delay=0.2)) as rasa:
        yield rasa


@contextmanager
def _serving(rasa: FakeRasa) -> Iterator[FakeRasa]:
    _warm_up()
    rasa.start()
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


def _assert_one_turn(conv: dict[str, str], bodies: list[dict[str, object]], topics: tuple[str, ...]) -> None:
    """One resident message and one reply, which every response carries; the reply is what Rasa
    decided in one of its answers numbered by `topics` (not the FAQ's fallback)."""
    stored = _stored(conv["id"])
    assert [m.sender for m in stored] == ["resident", "bot"], [(m.sender, m.text) for m in stored]
    assert all(b == bodies[0] for b in bodies), bodies
    (reply,) = bodies[0]["messages"]  # type: ignore[misc]
    assert reply["id"] == stored[1].id and reply["text"] == stored[1].text
    assert stored[1].reply_to == stored[0].id
    assert (reply["kind"], stored[1].topic) == ("faq", reply["topic"])
    assert reply["topic"] in topics, (reply["topic"], topics)


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
    _assert_one_turn(conversation, [r.json() for r in responses], (decided(1),))


def test_a_retry_while_rasa_is_slow_waits_for_the_first_answer(client, conversation, fake_rasa) -> None:  # type: ignore[no-untyped-def]
    fake_rasa.delay = 1.5
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(_send, client, conversation, "slow-1")
        time.sleep(0.5)  # the first attempt is waiting for Rasa
        retry = pool.submit(_send, client, conversation, "slow-1")
        responses = [first.result(), retry.result()]
    assert [r.status_code for r in responses] == [200, 200]
    assert len(fake_rasa.calls) == 1  # the retry did not start a second turn
    _assert_one_turn(conversation, [r.json() for r in responses], (decided(1),))


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
        late_turns = (decided(2), decided(3))  # Rasa's first answer came too late to count
        _assert_one_turn(conversation, [r.json() for r in retried], late_turns)
        late = first.result()
    assert late.status_code == 200
    _assert_one_turn(conversation, [r.json() for r in [*retried, late]], late_turns)
    assert 2 <= len(fake_rasa.calls) <= 3  # the dead attempt's call and one turn after it


def test_the_circuit_opens_after_failures_and_closes_after_a_probe(
    client, conversation, fake_rasa, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Point 16: after RASA_BREAKER_FAILURES timeouts in a row the API answers from the FAQ without
    calling Rasa; after the cool-down one message probes Rasa, and its success closes the circuit."""
    monkeypatch.setenv("RASA_TIMEOUT_S", "1.0")
    monkeypatch.setenv("RASA_BREAKER_FAILURES", "2")
    monkeypatch.setenv("RASA_BREAKER_COOLDOWN_S", "8")  # longer than a loaded FAQ fallback
    _reset_rasa_side()
    fake_rasa.delay = 4.0  # Rasa is too slow: every call times out

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
        assert ask(n)["topic"] == FAQ_ANSWER  # the FAQ's own answer after the timeout
    assert len(fake_rasa.calls) == 2
    assert ask(2)["topic"] == FAQ_ANSWER  # open: answered from the FAQ without calling Rasa
    assert len(fake_rasa.calls) == 2
    fake_rasa.delay = 0.0  # Rasa recovers
    time.sleep(8.1)  # the cool-down: the next message probes
    assert ask(3)["topic"] == decided(3)  # Rasa's decision, written by the API
    assert len(fake_rasa.calls) == 3
    assert ask(4)["topic"] == decided(4)  # closed again
    assert len(fake_rasa.calls) == 4


def test_a_rasa_that_answers_no_decision_is_a_failure(client, conversation, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A Rasa without its action server (or an old one) answers the webhook with no decision: the
    resident gets the FAQ's answer, and the circuit counts it as a failure."""
    with _serving(FakeRasa()) as rasa:  # its numbered texts: no decision
        monkeypatch.setenv("RASA_BREAKER_FAILURES", "2")
        monkeypatch.setenv("RASA_BREAKER_COOLDOWN_S", "60")
        _reset_rasa_side()
        for n in range(3):
            resp = _send(client, conversation, f"nodecision-{n}")
            assert resp.status_code == 200
            (reply,) = resp.json()["messages"]
            assert (reply["kind"], reply["topic"]) == ("faq", FAQ_ANSWER)
            assert "Rasa" not in reply["text"]
        assert len(rasa.calls) == 2  # the third message found the circuit open
