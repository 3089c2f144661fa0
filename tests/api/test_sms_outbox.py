"""Outbound delivery through a fake of 46elks' (and Twilio's) sending API: the right request,
retries with backoff through an outage, recovery after a restart, one send per text with
several workers, delivery reports."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.db import session_scope
from api.sms.models import SmsOutbox
from api.sms.outbox import send_due
from tests.api.sms_support import (
    SECRET,
    TWILIO_SID,
    FakeProvider,
    Phone,
    drain,
    sms_settings,
    twilio_post,
)


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    server = FakeProvider()
    yield server
    server.close()


def _app(monkeypatch: pytest.MonkeyPatch, fake: FakeProvider, **env: str):  # type: ignore[no-untyped-def]
    from api.main import create_app

    base = {
        "SMS_PROVIDER": "46elks", "ELKS_API_URL": fake.url, "ELKS_API_USERNAME": fake.user,
        "ELKS_API_PASSWORD": fake.password, "TWILIO_API_URL": fake.url, "SMS_SEND_TIMEOUT_S": "0.5",
    }  # fmt: skip
    return sms_settings(monkeypatch, **{**base, **env}), create_app


@pytest.fixture
def elks(seeded: str, monkeypatch: pytest.MonkeyPatch, fake: FakeProvider) -> Iterator[TestClient]:
    settings_ctx, create_app = _app(monkeypatch, fake)
    with settings_ctx, TestClient(create_app()) as client:
        drain()  # whatever earlier tests left in the outbox is not this test's
        fake.received.clear()
        yield client


def _to(fake: FakeProvider, number: str) -> list[dict[str, str]]:
    return [r for r in fake.received if r.get("to", r.get("To")) == number]


def test_a_reply_is_sent_through_46elks_as_documented(elks: TestClient, fake: FakeProvider) -> None:
    phone = Phone(elks)
    phone.text("Hur skaffar jag lånekort?")
    assert drain() == {"sent": 1}
    (sent,) = _to(fake, phone.number)
    (row,) = phone.outbox()
    assert sent["from"] == phone.ours and sent["message"] == row.text
    assert sent["whendelivered"] == f"https://sms.bibliotek.example/api/sms/46elks/delivery?secret={SECRET}"
    assert (row.status, row.provider, row.provider_id, row.attempts) == ("sent", "46elks", sent["id"], 1)

    report = {"id": sent["id"], "status": "delivered", "delivered": "2026-11-25T12:00:05.000000"}
    assert elks.post("/api/sms/46elks/delivery", data=report).status_code == 403  # no secret: not 46elks
    assert elks.post(f"/api/sms/46elks/delivery?secret={SECRET}", data=report).status_code == 200
    (row,) = phone.outbox()
    assert row.status == "delivered" and row.delivered_at is not None


@pytest.mark.parametrize("outage", ["fail", "timeout"])
def test_an_outage_loses_nothing_and_retries_back_off(elks: TestClient, fake: FakeProvider, outage: str) -> None:
    phone = Phone(elks)
    fake.mode, fake.delay = outage, 1.0
    phone.text("Hur skaffar jag lånekort?")
    phone.text("Hur lånar jag om mina böcker?")
    start = datetime.now(UTC)
    assert send_due(start) == {"queued": 1}  # the second waits behind the first: texts keep their order
    first, second = phone.outbox()
    assert (first.status, first.attempts, second.attempts) == ("queued", 1, 0)
    assert first.last_error and "46elks" in first.last_error
    delay = (first.next_attempt_at.replace(tzinfo=UTC) - start).total_seconds()
    assert 14 <= delay <= 16  # SMS_RETRY_BASE_SECONDS
    assert send_due(start + timedelta(seconds=5)) == {}  # not due yet
    send_due(start + timedelta(seconds=16))
    first, _ = phone.outbox()
    delay = (first.next_attempt_at.replace(tzinfo=UTC) - (start + timedelta(seconds=16))).total_seconds()
    assert first.attempts == 2 and 29 <= delay <= 31  # doubled
    assert _to(fake, phone.number) == []

    fake.mode = "ok"  # the provider is back
    assert send_due(start + timedelta(minutes=5)) == {"sent": 2}
    assert [r["message"] for r in _to(fake, phone.number)] == [r.text for r in phone.outbox()]
    assert [r.status for r in phone.outbox()] == ["sent", "sent"]


def test_a_rejected_message_is_not_retried_and_attempts_run_out(
    seeded: str, monkeypatch: pytest.MonkeyPatch, fake: FakeProvider
) -> None:
    settings_ctx, create_app = _app(monkeypatch, fake, SMS_MAX_ATTEMPTS="2")
    with settings_ctx, TestClient(create_app()) as http:
        drain()
        phone = Phone(http)
        fake.mode = "reject"
        phone.text("Hur skaffar jag lånekort?")
        drain()
        (row,) = phone.outbox()
        assert (row.status, row.attempts) == ("failed", 1) and "HTTP 400" in (row.last_error or "")
        fake.mode = "fail"
        phone.text("Hur lånar jag om mina böcker?")
        now = datetime.now(UTC)
        send_due(now)
        send_due(now + timedelta(minutes=1))
        assert [(r.status, r.attempts) for r in phone.outbox()] == [("failed", 1), ("failed", 2)]


def test_a_restart_resumes_sending(seeded: str, monkeypatch: pytest.MonkeyPatch, fake: FakeProvider) -> None:
    """Texts queued while the provider was down, and one a crashed worker had claimed, go out
    when the API starts again: its worker picks them up by itself."""
    settings_ctx, create_app = _app(monkeypatch, fake)
    with settings_ctx, TestClient(create_app()) as http:
        drain()
        fake.mode = "fail"
        phone = Phone(http)
        phone.text("Hur skaffar jag lånekort?")
        phone.text("Hur lånar jag om mina böcker?")
        send_due()
        past = datetime.now(UTC) - timedelta(minutes=5)
        first, second = phone.outbox()
        with session_scope() as s:  # the first was due again; the second was mid-send when the process died
            s.execute(update(SmsOutbox).where(SmsOutbox.id == first.id).values(next_attempt_at=past))
            s.execute(
                update(SmsOutbox)
                .where(SmsOutbox.id == second.id)
                .values(status="sending", lease_until=past, attempts=1)
            )
    fake.mode = "ok"
    settings_ctx, create_app = _app(monkeypatch, fake, SMS_OUTBOX_POLL_SECONDS="0.1")
    with settings_ctx, TestClient(create_app()):  # a new API process: nobody calls send_due here
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(_to(fake, phone.number)) < 2:
            time.sleep(0.1)
    assert [r["message"] for r in _to(fake, phone.number)] == [first.text, second.text]
    assert [r.status for r in phone.outbox()] == ["sent", "sent"]


def test_several_workers_send_each_text_once(elks: TestClient, fake: FakeProvider) -> None:
    phones = [Phone(elks) for _ in range(4)]
    for phone in phones:
        phone.text("Hur skaffar jag lånekort?")
    fake.delay = 0.0
    workers = [threading.Thread(target=drain) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for phone in phones:
        assert len(_to(fake, phone.number)) == 1
        assert [r.status for r in phone.outbox()] == ["sent"]


def test_twilio_sending_and_status_callback(seeded: str, monkeypatch: pytest.MonkeyPatch, fake: FakeProvider) -> None:
    settings_ctx, create_app = _app(monkeypatch, fake, SMS_PROVIDER="twilio", TWILIO_ACCOUNT_SID=TWILIO_SID)
    with settings_ctx, TestClient(create_app()) as http:
        drain()
        phone = Phone(http)
        phone.text("Hur skaffar jag lånekort?", via="twilio")
        drain()
        (sent,) = _to(fake, phone.number)
        (row,) = phone.outbox()
        assert (sent["api"], sent["From"], sent["Body"]) == ("twilio", phone.ours, row.text)
        assert sent["StatusCallback"] == "https://sms.bibliotek.example/api/sms/twilio/status"
        status = {"MessageSid": sent["id"], "MessageStatus": "undelivered", "AccountSid": TWILIO_SID}
        assert http.post("/api/sms/twilio/status", data=status).status_code == 403  # unsigned
        assert twilio_post(http, "/api/sms/twilio/status", status).status_code == 200
        (row,) = phone.outbox()
        assert row.status == "failed" and "undelivered" in (row.last_error or "")
