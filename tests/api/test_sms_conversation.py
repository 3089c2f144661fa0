"""An SMS conversation: by phone number within the window, the library by the number texted,
numbered options, handoff to the same queue with staff replies as SMS, phone numbers masked,
STOP/START, the rate limit, retention."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.conversations.models import Conversation, Message
from api.conversations.retention import purge_expired
from api.db import session_scope
from api.faq.answers import find_answer
from api.sms.models import SmsConversation, SmsInbound, SmsOptOut, SmsOutbox
from api.sms.phone import mask, number_hash
from api.sms.segments import fits, size
from tests.api.handoff_support import login, new_staff
from tests.api.sms_support import PUBLIC, SHARED_NUMBER, SUNDBYBERG_NUMBER, Phone, drain, sms_settings


@pytest.fixture
def http(seeded: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from api.main import create_app

    with sms_settings(monkeypatch), TestClient(create_app()) as client:
        yield client


def _age(conversation_id: str, hours: float) -> None:
    with session_scope() as s:
        s.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(last_activity_at=datetime.now(UTC) - timedelta(hours=hours))
        )


def test_a_number_continues_its_conversation_within_the_window(http: TestClient) -> None:
    phone = Phone(http)
    phone.text("Hur skaffar jag lånekort?")
    first = phone.conversation_id()
    phone.text("Hur lånar jag om mina böcker?")
    assert phone.conversation_id() == first
    _age(first, 25)  # SMS_CONVERSATION_WINDOW_HOURS is 24
    phone.text("Hur lånar jag om mina böcker?")
    assert phone.conversation_id() != first


def test_the_library_is_the_one_whose_number_was_texted(http: TestClient) -> None:
    for ours, library in ((SUNDBYBERG_NUMBER, "sundbyberg"), (SHARED_NUMBER, None)):
        phone = Phone(http, ours=ours)
        phone.text("Hur skaffar jag lånekort?")
        with session_scope() as s:
            conv = s.get(Conversation, phone.conversation_id())
            assert conv is not None and conv.library_id == library
        assert phone.outbox()[0].from_number == ours  # the answer comes from the number they texted


def test_arabic_answer_is_shortened_with_a_link_to_the_full_answer(
    seeded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.main import create_app

    with sms_settings(monkeypatch, SMS_MAX_SEGMENTS="2"), TestClient(create_app()) as http:
        phone = Phone(http)
        phone.text("كيف أحصل على بطاقة مكتبة؟")
        (row,) = phone.outbox()
        assert row.message is not None and (row.message.topic, row.message.language) == ("card.get", "ar")
        assert (row.encoding, row.segments) == ("UCS-2", 2) and fits(row.text, 2)
        link = f"{PUBLIC}/answers/card.get?lang=ar&library=solna"
        assert row.text.endswith(link)
        page = http.get(link.removeprefix(PUBLIC))
        assert page.status_code == 200 and 'lang="ar" dir="rtl"' in page.text
        with session_scope() as s:
            answer = find_answer(s, "card.get", "ar", "solna")
        assert answer is not None and html.escape(answer.text.split("\n")[0]) in page.text  # the full answer
        body = row.text.removesuffix(link).rsplit("\n", 1)[0].rstrip("…")
        assert body and answer.sms.startswith(body) and len(body) < len(answer.sms)  # its SMS form, shortened


def test_the_answer_page_escapes_and_404s(http: TestClient) -> None:
    assert http.get("/answers/no.such.topic").status_code == 404
    page = http.get("/answers/card.get", params={"lang": '"><script>alert(1)</script>'})
    assert page.status_code == 200 and "<script>" not in page.text


def test_numbered_option_asks_for_a_person_and_staff_reply_goes_out_as_sms(http: TestClient) -> None:
    phone = Phone(http)
    phone.text("Appen fungerar inte")  # e-media trouble: the answer offers a person
    (answer,) = phone.texts()
    assert answer.rstrip().endswith("Svara 1.") and "\n1 " in answer
    phone.text("1")
    ticket_reply = phone.outbox()[-1]
    assert ticket_reply.message is not None and ticket_reply.message.kind == "handoff"

    sara = login(http.app, new_staff(languages=("sv",)))
    (ticket,) = [t for t in sara.queue() if t["conversation_id"] == phone.conversation_id()]
    assert ticket["channel"] == "sms" and ticket["phone"] == mask(phone.number)
    assert phone.number not in str(sara.queue())  # the queue shows nobody's number
    assert sara.ticket(ticket["id"])["phone"] == mask(phone.number)  # not handling it yet
    assert sara.act(ticket["id"], "claim").status_code == 200
    assert sara.ticket(ticket["id"])["phone"] == phone.number  # in full for the one handling it
    other = login(http.app, new_staff())
    assert other.ticket(ticket["id"])["phone"] == mask(phone.number)

    before = len(phone.outbox())
    assert (
        sara.act(ticket["id"], "reply", {"text": "Hej! Vilken app använder du, Libby eller Biblio?"}).status_code == 201
    )
    staff_sms = phone.outbox()[before:]
    assert [r.text for r in staff_sms] == ["Hej! Vilken app använder du, Libby eller Biblio?"]
    assert drain() and phone.outbox()[-1].status == "sent"  # the console provider
    listed = sara.get(f"/api/staff/tickets/{ticket['id']}/sms").json()
    assert listed[-1]["text"] == staff_sms[0].text and listed[-1]["status"] == "sent"
    assert listed[-1]["to"] == phone.number and other.get(f"/api/staff/tickets/{ticket['id']}/sms").json()[-1][
        "to"
    ] == mask(phone.number)

    # The resident answers by SMS: it lands on the ticket, the bot stays silent.
    phone.text("Libby")
    assert len(phone.outbox()) == before + 1
    assert any(m["text"] == "Libby" for m in sara.ticket(ticket["id"])["messages"])


def test_a_long_staff_reply_goes_as_several_texts_and_loses_nothing(http: TestClient) -> None:
    phone = Phone(http)
    phone.text("Appen fungerar inte")
    phone.text("1")
    staff = login(http.app, new_staff())
    (ticket,) = [t for t in staff.queue() if t["conversation_id"] == phone.conversation_id()]
    staff.act(ticket["id"], "claim")
    long = " ".join(f"Steg {i}: öppna appen, logga ut och logga in igen med ditt lånekort." for i in range(1, 15))
    before = len(phone.outbox())
    staff.act(ticket["id"], "reply", {"text": long})
    parts = [r.text for r in phone.outbox()[before:]]
    assert len(parts) > 1 and all(size(p).segments <= 4 for p in parts)
    assert " ".join(parts).split() == long.split()


def test_stop_opts_out_once_and_start_opts_back_in(http: TestClient) -> None:
    phone = Phone(http)
    phone.text("Hur skaffar jag lånekort?")
    assert phone.text("SLUTA").status_code == 200
    confirmation = phone.texts()[-1]
    assert "START" in confirmation and "sms" in confirmation  # in Swedish
    phone.text("STOP")  # already out: no second confirmation
    assert len(phone.texts()) == 2
    with session_scope() as s:
        assert s.get(SmsOptOut, number_hash(phone.number)) is not None
        assert phone.number not in str([o.number_hash for o in s.scalars(select(SmsOptOut))])
    phone.text("Hur lånar jag om mina böcker?")  # nothing is stored or sent until START
    assert len(phone.texts()) == 2
    phone.text("START")
    assert "STOP" in phone.texts()[-1]
    phone.text("Hur lånar jag om mina böcker?")
    assert phone.outbox()[-1].message is not None and phone.outbox()[-1].message.topic == "loan.renew"


def test_stop_in_arabic_is_confirmed_in_arabic_and_pending_texts_are_not_sent(http: TestClient) -> None:
    phone = Phone(http)
    phone.text("كيف أحصل على بطاقة مكتبة؟")  # the answer waits in the outbox
    phone.text("توقف")
    answer, confirmation = phone.outbox()
    assert (
        confirmation.kind == "control" and "START" in confirmation.text and size(confirmation.text).encoding == "UCS-2"
    )
    drain()
    answer, confirmation = phone.outbox()
    assert answer.status == "suppressed" and confirmation.status == "sent"


def test_too_many_messages_from_one_number_are_not_answered(seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.main import create_app

    with sms_settings(monkeypatch, SMS_RATE_LIMIT="3"), TestClient(create_app()) as http:
        phone, other = Phone(http), Phone(http)
        for _ in range(5):
            assert phone.text("Hur skaffar jag lånekort?").status_code == 200
        assert len(phone.outbox()) == 3
        other.text("Hur skaffar jag lånekort?")  # per number
        assert len(other.outbox()) == 1


def test_numbers_go_with_the_conversation_at_retention(http: TestClient) -> None:
    phone = Phone(http)
    phone.text("Hur skaffar jag lånekort?")
    phone.text("STOP")
    conversation_id = phone.conversation_id()
    _age(conversation_id, 24 * 91)
    with session_scope() as s:
        s.execute(update(SmsOutbox).where(SmsOutbox.to_number == phone.number).values(created_at=datetime(2020, 1, 1)))
        s.execute(
            update(SmsInbound)
            .where(SmsInbound.number_hash == number_hash(phone.number))
            .values(received_at=datetime(2020, 1, 1))
        )
    with session_scope() as s:
        purge_expired(s)
    with session_scope() as s:
        assert s.get(Conversation, conversation_id) is None
        assert s.get(SmsConversation, conversation_id) is None
        assert s.scalars(select(SmsOutbox).where(SmsOutbox.to_number == phone.number)).all() == []
        assert s.scalars(select(Message).where(Message.conversation_id == conversation_id)).all() == []
        assert s.scalars(select(SmsInbound).where(SmsInbound.number_hash == number_hash(phone.number))).all() == []
        assert s.get(SmsOptOut, number_hash(phone.number)) is not None  # the opt-out holds, as a hash
