"""The providers' webhooks: 46elks (secret in the URL or Basic Auth) and Twilio (signed, checked
against the public URL); forged or unsigned 403, malformed 400, nothing stored; retries once."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.conversations.models import Conversation, Message
from api.db import session_scope
from api.sms.models import SmsInbound, SmsOutbox
from api.sms.segments import fits
from tests.api.sms_support import PUBLIC, SECRET, SOLNA_NUMBER, Phone, sms_settings, twilio_form, twilio_post


@pytest.fixture
def http(seeded: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from api.main import create_app

    with sms_settings(monkeypatch), TestClient(create_app()) as client:
        yield client


def _counts() -> tuple[int, int, int, int]:
    with session_scope() as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(t)) or 0 for t in (Conversation, Message, SmsInbound, SmsOutbox)
        )


def test_46elks_message_gets_the_faq_answer_as_sms(http: TestClient) -> None:
    phone = Phone(http)
    resp = phone.text("Hur skaffar jag lånekort?")
    assert resp.status_code == 200 and resp.content == b""  # a body would be sent to the resident as a reply
    (row,) = phone.outbox()
    assert row.message is not None and (row.message.kind, row.message.topic) == ("faq", "card.get")
    assert row.from_number == SOLNA_NUMBER and row.status == "queued" and fits(row.text, 4)
    with session_scope() as s:
        conv = s.get(Conversation, phone.conversation_id())
        assert conv is not None and (conv.channel, conv.library_id, conv.language) == ("sms", "solna", "sv")


def test_46elks_basic_auth_works_like_the_secret_in_the_url(http: TestClient) -> None:
    form = {"from": "+46701112233", "to": SOLNA_NUMBER, "message": "Hur lånar jag om mina böcker?", "id": "sBasic1"}
    good = "Basic " + base64.b64encode(f"46elks:{SECRET}".encode()).decode()
    assert http.post("/api/sms/46elks", data=form, headers={"Authorization": good}).status_code == 200
    bad = "Basic " + base64.b64encode(b"46elks:guess").decode()
    assert (
        http.post("/api/sms/46elks", data={**form, "id": "sBasic2"}, headers={"Authorization": bad}).status_code == 403
    )


@pytest.mark.parametrize("query", ["", "?secret=wrong", "?secret="])
def test_46elks_without_the_secret_is_refused_and_nothing_is_stored(http: TestClient, query: str) -> None:
    before = _counts()
    form = {"from": "+46701112233", "to": SOLNA_NUMBER, "message": "hej", "id": "sForged"}
    assert http.post(f"/api/sms/46elks{query}", data=form).status_code == 403
    assert _counts() == before


@pytest.mark.parametrize(
    "form",
    [{"to": SOLNA_NUMBER, "message": "hej", "id": "s1"}, {"from": "+46701112233", "message": "hej", "id": "s1"},
     {"from": "+46701112233", "to": SOLNA_NUMBER, "id": "s1"},
     {"from": "+46701112233", "to": SOLNA_NUMBER, "message": "x"},
     {"from": "not a number", "to": SOLNA_NUMBER, "message": "hej", "id": "s1"}],
)  # fmt: skip
def test_malformed_46elks_calls_are_400_and_store_nothing(http: TestClient, form: dict[str, str]) -> None:
    before = _counts()
    assert http.post(f"/api/sms/46elks?secret={SECRET}", data=form).status_code == 400
    assert http.post(f"/api/sms/46elks?secret={SECRET}", json=form).status_code == 400  # not a form
    assert _counts() == before


def test_a_retried_message_is_stored_once_and_answered_once(http: TestClient) -> None:
    phone = Phone(http)
    for _ in range(3):  # 46elks sends the same callback again when it did not get our 200 in time
        assert phone.text("Hur lånar jag om mina böcker?", msg_id="s0123retry").status_code == 200
    assert len(phone.outbox()) == 1
    with session_scope() as s:
        residents = s.scalars(
            select(Message).where(Message.conversation_id == phone.conversation_id(), Message.sender == "resident")
        ).all()
    assert len(residents) == 1


def test_twilio_signed_request_is_answered_with_empty_twiml(http: TestClient) -> None:
    phone = Phone(http)
    resp = phone.text("Hur skaffar jag lånekort?", via="twilio")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/xml")
    assert "<Response></Response>" in resp.text  # replies go through the Messages API, from the outbox
    (row,) = phone.outbox()
    assert row.message is not None and row.message.topic == "card.get"


def test_twilio_forged_or_unsigned_requests_are_refused(http: TestClient) -> None:
    before = _counts()
    form = twilio_form("+46701112233", SOLNA_NUMBER, "hej", "SM" + "1" * 32)
    assert http.post("/api/sms/twilio", data=form).status_code == 403  # unsigned
    assert twilio_post(http, "/api/sms/twilio", form, token="not-the-token").status_code == 403
    from twilio.request_validator import RequestValidator

    signature = RequestValidator("twilio-auth-token-for-tests").compute_signature(f"{PUBLIC}/api/sms/twilio", form)
    tampered = {**form, "Body": "something else"}
    assert http.post("/api/sms/twilio", data=tampered, headers={"X-Twilio-Signature": signature}).status_code == 403
    # Signed for the address the API itself sees rather than the public one: not what Twilio does.
    local = RequestValidator("twilio-auth-token-for-tests").compute_signature("http://testserver/api/sms/twilio", form)
    assert http.post("/api/sms/twilio", data=form, headers={"X-Twilio-Signature": local}).status_code == 403
    assert _counts() == before


def test_twilio_malformed_but_signed_is_400(http: TestClient) -> None:
    before = _counts()
    form = twilio_form("+46701112233", SOLNA_NUMBER, "hej", "SM" + "2" * 32)
    del form["From"]
    assert twilio_post(http, "/api/sms/twilio", form).status_code == 400
    assert _counts() == before


def test_only_the_configured_providers_webhook_is_open(seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.main import create_app

    with sms_settings(monkeypatch, SMS_PROVIDER="46elks"), TestClient(create_app()) as client:
        form = twilio_form("+46701112233", SOLNA_NUMBER, "hej", "SM" + "3" * 32)
        assert twilio_post(client, "/api/sms/twilio", form).status_code == 404
        assert Phone(client).text("Hur skaffar jag lånekort?").status_code == 200


def test_the_database_down_means_503_so_the_provider_sends_again(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from api.sms import webhooks

    def down(_sms: object) -> str:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    phone = Phone(http)
    working = webhooks.receive
    monkeypatch.setattr(webhooks, "receive", down)
    resp = phone.text("Hur skaffar jag lånekort?", msg_id="sOutage1")
    assert resp.status_code == 503 and resp.headers.get("retry-after")
    monkeypatch.setattr(webhooks, "receive", working)
    assert phone.text("Hur skaffar jag lånekort?", msg_id="sOutage1").status_code == 200  # the provider's retry
    assert len(phone.outbox()) == 1


def test_a_retry_after_a_crash_mid_turn_is_answered_once(http: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The message was stored but the process died before the bot answered: the provider's
    retry (same id) gets the answer, and the message is still stored once."""
    from api.conversations import service
    from api.sms.inbound import InboundSms, receive

    phone = Phone(http)
    sms = InboundSms("46elks", "sCrash1", phone.number, SOLNA_NUMBER, "Hur skaffar jag lånekort?")

    def crash(*_args: object) -> None:
        raise RuntimeError("the worker died")

    working = service._bot_turn
    monkeypatch.setattr(service, "_bot_turn", crash)
    with pytest.raises(RuntimeError):
        receive(sms)
    assert phone.outbox() == []
    monkeypatch.setattr(service, "_bot_turn", working)
    assert receive(sms) == "answered"
    assert receive(sms) == "duplicate"
    (row,) = phone.outbox()
    assert row.message is not None and row.message.topic == "card.get"
    with session_scope() as s:
        stored = s.scalars(
            select(Message).where(Message.conversation_id == phone.conversation_id()).order_by(Message.id)
        ).all()
    assert [m.sender for m in stored] == ["resident", "bot"]
