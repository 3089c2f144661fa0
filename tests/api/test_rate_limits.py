"""Point 8 of issue 13: residents' rate limits (new conversations per client, messages per
conversation, tickets per client, SMS per number) with one limiter, in process and in Redis."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
from fastapi.testclient import TestClient

from api import settings
from tests.api.handoff_support import new_resident
from tests.api.sms_support import Phone, sms_settings

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest, seeded: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The limiter in process, or in Redis under a key prefix of its own (other runs share the server)."""
    if request.param == "redis":
        monkeypatch.setenv("REDIS_URL", REDIS)
        monkeypatch.setenv("RATE_LIMIT_PREFIX", f"test-{uuid.uuid4().hex[:8]}:")
    else:
        monkeypatch.delenv("REDIS_URL", raising=False)
    settings.get_settings.cache_clear()
    yield request.param
    monkeypatch.undo()
    settings.get_settings.cache_clear()


def _app(monkeypatch: pytest.MonkeyPatch, **env: str) -> TestClient:
    from api.main import create_app

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings.get_settings.cache_clear()
    return TestClient(create_app(), client=("198.51.100.7", 50000))


def test_new_conversations_per_client_are_limited(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with _app(monkeypatch, RATE_LIMIT_CONVERSATIONS="3/1h") as http:
        for _ in range(3):
            assert http.post("/api/conversations", json={"locale": "sv"}).status_code == 201
        refused = http.post("/api/conversations", json={"locale": "sv"})
        assert refused.status_code == 429
        assert 0 < int(refused.headers["retry-after"]) <= 3600
        assert isinstance(refused.json()["detail"], str) and refused.json()["detail"]
    from api.main import create_app

    with TestClient(create_app(), client=("198.51.100.8", 50000)) as other:  # another address is not affected
        assert other.post("/api/conversations", json={"locale": "sv"}).status_code == 201


def test_two_api_instances_share_the_count_in_redis(seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.main import create_app

    monkeypatch.setenv("REDIS_URL", REDIS)
    monkeypatch.setenv("RATE_LIMIT_PREFIX", f"test-{uuid.uuid4().hex[:8]}:")
    monkeypatch.setenv("RATE_LIMIT_CONVERSATIONS", "4/1h")
    settings.get_settings.cache_clear()
    try:
        one = TestClient(create_app(), client=("198.51.100.9", 1))
        two = TestClient(create_app(), client=("198.51.100.9", 2))
        from api import ratelimit

        codes = []
        for i in range(6):
            ratelimit.forget_process_state()  # nothing counted in this process can help: only Redis is shared
            codes.append((one if i % 2 else two).post("/api/conversations", json={}).status_code)
        assert codes == [201, 201, 201, 201, 429, 429]
        assert redis.Redis.from_url(REDIS).keys(os.environ["RATE_LIMIT_PREFIX"] + "*")  # the count lives there
    finally:
        monkeypatch.undo()
        settings.get_settings.cache_clear()


def test_messages_per_conversation_are_limited(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with _app(monkeypatch, RATE_LIMIT_MESSAGES="3/1min") as http:
        resident, other = new_resident(http), new_resident(http)
        for _ in range(3):
            resident.say("Hur skaffar jag lånekort?")
        refused = http.post(
            f"/api/conversations/{resident.id}/messages", json={"text": "hej igen"}, headers=resident.headers
        )
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 60
        other.say("Hur skaffar jag lånekort?")  # per conversation: the other one is not affected


def test_tickets_per_client_are_limited(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with _app(monkeypatch, RATE_LIMIT_TICKETS="2/1h") as http:
        for _ in range(2):
            new_resident(http).ask_for_person()
        flooder = new_resident(http)
        refused = http.post(
            f"/api/conversations/{flooder.id}/messages",
            json={"text": "Jag vill prata med en bibliotekarie", "payload": "handoff"},
            headers=flooder.headers,
        )
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert flooder.transcript()["conversation"]["state"] == "bot"  # no ticket was opened
    from api.main import create_app

    with TestClient(create_app(), client=("198.51.100.77", 1)) as elsewhere:
        new_resident(elsewhere).ask_for_person()  # a resident elsewhere still reaches a person


def test_the_sms_per_number_limit_uses_the_shared_limiter(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.main import create_app

    with sms_settings(monkeypatch, SMS_RATE_LIMIT="2", **({"REDIS_URL": REDIS} if backend == "redis" else {})):
        prefix = f"test-{uuid.uuid4().hex[:8]}:"
        monkeypatch.setenv("RATE_LIMIT_PREFIX", prefix)
        settings.get_settings.cache_clear()
        with TestClient(create_app()) as one, TestClient(create_app()) as two:
            phone = Phone(one)
            second = Phone(two)
            second.number = phone.number  # the same number, through another API instance
            assert phone.text("Hur skaffar jag lånekort?").status_code == 200
            assert second.text("Hur lånar jag om?").status_code == 200
            assert phone.text("Och e-böcker?").status_code == 200
            assert len(phone.outbox()) == 2  # the third is not answered


def test_the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy(
    seeded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.main import create_app

    monkeypatch.setenv("RATE_LIMIT_CONVERSATIONS", "2/1h")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    settings.get_settings.cache_clear()
    try:
        # Not a trusted proxy: X-Forwarded-For is ignored, rotating it changes nothing.
        with TestClient(create_app(), client=("198.51.100.10", 1)) as direct:
            codes = [
                direct.post("/api/conversations", json={}, headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
                for i in range(3)
            ]
            assert codes == [201, 201, 429]
        # Behind our proxy: each resident is their own client, and the proxy is not one client for all.
        with TestClient(create_app(), client=("10.1.2.3", 1)) as proxy:
            for i in range(3):
                headers = {"X-Forwarded-For": f"203.0.113.{i}, 10.9.9.9"}  # the rightmost untrusted hop counts
                assert proxy.post("/api/conversations", json={}, headers=headers).status_code == 201
            spoofed = {"X-Forwarded-For": "192.0.2.99, 203.0.113.50"}  # a forged left part does not help
            assert [proxy.post("/api/conversations", json={}, headers=spoofed).status_code for _ in range(3)] == [
                201, 201, 429
            ]  # fmt: skip
    finally:
        monkeypatch.undo()
        settings.get_settings.cache_clear()


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_concurrent_hits_never_take_more_than_the_limit(kind: str) -> None:
    """Atomic in both backends: 40 threads race for 7 slots; exactly 7 get one."""
    from concurrent.futures import ThreadPoolExecutor

    from api.ratelimit.backends import MemoryBackend, RedisBackend

    store = MemoryBackend() if kind == "memory" else RedisBackend(REDIS, f"test-{uuid.uuid4().hex[:8]}:")
    with ThreadPoolExecutor(max_workers=8) as pool:
        waits = list(pool.map(lambda _: store.hit("race", 7, 60, 1000.0), range(40)))
    assert sum(1 for w in waits if w == 0) == 7
    assert all(0 < w <= 60 for w in waits if w)
    assert store.hit("race", 7, 60, 1061.0) == 0  # the window slid past: room again


def test_the_widget_says_so_in_every_language() -> None:
    import yaml

    from api.settings import REPO_ROOT

    files = sorted((REPO_ROOT / "data" / "widget").glob("*.yml"))
    assert len(files) == 13  # 12 languages and easy-to-read Swedish
    texts = {f.stem: yaml.safe_load(f.read_text())["strings"]["rate_limited"] for f in files}
    assert all("{minutes}" in t for t in texts.values()), texts
    assert len(set(texts.values())) == 13  # each in its own language


def test_a_ticket_refused_on_rasas_path_answers_the_resident_429(seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With Rasa up, a typed request for a person comes back from Rasa as a `handoff` decision, and
    the API opens the ticket while writing it. When the ticket is refused for the rate limit, the
    resident's turn answers 429 (no FAQ reply instead, no ticket)."""
    from api.conversations import rasa_client

    calls: list[dict[str, object]] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/webhooks/rest/webhook"
        calls.append(json.loads(request.content))
        return httpx.Response(200, json=[{"custom": {"decision": {"kind": "handoff", "confidence": 0.9}}}])

    def client(_loop: object) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url="http://rasa.test", transport=httpx.MockTransport(rasa))

    rasa_client.reset()  # a circuit opened by earlier tests (Rasa is at a closed port) is forgotten
    try:
        with pytest.MonkeyPatch.context() as mp, _app(monkeypatch, RATE_LIMIT_TICKETS="1/1h") as http:
            mp.setattr(rasa_client, "_client", client)
            first = new_resident(http)
            (reply,) = first.say("Jag vill prata med en människa")  # the client's one ticket this hour
            assert reply["kind"] == "handoff"
            assert first.transcript()["conversation"]["state"] == "waiting"
            resident = new_resident(http)
            refused = http.post(
                f"/api/conversations/{resident.id}/messages",
                json={"text": "Jag vill prata med en människa"},
                headers=resident.headers,
            )
            assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
            transcript = resident.transcript()
            assert transcript["conversation"]["state"] == "bot"
            assert [m["sender"] for m in transcript["messages"]] == ["resident"]  # no reply was written
    finally:
        rasa_client.reset()
    assert [c["sender"] for c in calls] == [first.id, resident.id]  # both turns asked Rasa
    assert all("nlu" in c["metadata"] and "turn" in c["metadata"] for c in calls)  # type: ignore[operator]
