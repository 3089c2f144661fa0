"""End to end by SMS: the real stack (API, Rasa, action server) with the console provider.
Residents text through the 46elks webhook as 46elks does. A Swedish and an Arabic resident get
the right FAQ answers within the SMS budget; a resident asks for a person by SMS, staff claim
and reply through the desk API, and the reply goes out as an SMS. What was sent is read as
staff read it: the ticket's SMS list (`GET /api/staff/tickets/{id}/sms`)."""

from __future__ import annotations

import json
import random
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.sms.phone import mask
from api.sms.segments import size

ROOT = Path(__file__).resolve().parents[2]
SECRET = "e2e-sms-secret"  # SMS_WEBHOOK_SECRET in conftest.py
OUR_NUMBER = "+46766860001"
MAX_SEGMENTS = 4  # the default SMS_MAX_SEGMENTS
ASK_FOR_A_PERSON = {"sv": "Jag vill prata med en bibliotekarie", "ar": "أريد التحدث مع أمين المكتبة"}
_suffixes = iter(random.sample(range(10, 100), 20))  # masked numbers show the last two digits: keep them apart


def _number() -> str:
    return f"+4670{random.randrange(10**4, 10**5)}{next(_suffixes)}"


def _devset(lang: str, topic: str) -> str:
    for line in (ROOT / "tests" / "devset" / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["expect"] == f"topic:{topic}":
            return str(row["text"])
    raise LookupError(topic)


@pytest.fixture(scope="module")
def staff(stack: str) -> Any:
    client = httpx.Client(base_url=stack, timeout=30)
    login = client.post("/api/staff/login", json={"email": "demo@bibliotek.example", "password": "bibliotek-demo"})
    assert login.status_code == 200
    client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    yield client
    client.close()


def _text(url: str, number: str, message: str) -> None:
    form = {"from": number, "to": OUR_NUMBER, "message": message, "id": "s" + uuid.uuid4().hex, "created": "now"}
    resp = httpx.post(f"{url}/api/sms/46elks?secret={SECRET}", data=form, timeout=60)
    assert resp.status_code == 200 and resp.content == b""


def _ticket(staff: httpx.Client, number: str) -> dict[str, Any]:
    queue = staff.get("/api/staff/tickets", params={"channel": "sms"}).json()["tickets"]
    assert number not in json.dumps(queue)  # the queue shows numbers masked
    (ticket,) = [t for t in queue if t["phone"] == mask(number)]
    return ticket  # type: ignore[no-any-return]


def _sent(staff: httpx.Client, ticket_id: int, count: int) -> list[dict[str, Any]]:
    """The ticket's texts once `count` of them are sent (the outbox worker runs every 2 s)."""
    deadline = time.monotonic() + 30
    while True:
        rows = staff.get(f"/api/staff/tickets/{ticket_id}/sms").json()
        if len(rows) >= count and all(r["status"] == "sent" for r in rows):
            return rows  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, rows
        time.sleep(0.5)


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_an_sms_conversation_gets_the_right_answers_within_the_budget(
    stack: str, staff: httpx.Client, lang: str
) -> None:
    number = _number()
    topics = ["card.get", "loan.renew"]
    for topic in topics:
        _text(stack, number, _devset(lang, topic))
    _text(stack, number, ASK_FOR_A_PERSON[lang])  # so that staff can see the conversation (and to test that)
    ticket = _ticket(staff, number)
    assert ticket["language"] == lang and ticket["library"] == "solna"
    sent = _sent(staff, ticket["id"], 3)
    messages = {m["id"]: m for m in staff.get(f"/api/staff/tickets/{ticket['id']}").json()["messages"]}
    replies = [messages[i] for i in dict.fromkeys(r["message_id"] for r in sent)]  # a long one may take two texts
    assert [(m["kind"], m["topic"], m["language"]) for m in replies] == [
        *[("faq", t, lang) for t in topics],
        ("handoff", None, lang),
    ]
    for row in sent:
        measured = size(row["text"])
        assert measured.segments <= MAX_SEGMENTS and row["segments"] == measured.segments
        assert measured.encoding == ("UCS-2" if lang == "ar" else "GSM-7")


def test_a_handoff_by_sms_gets_the_staff_reply_as_sms(stack: str, staff: httpx.Client) -> None:
    number = _number()
    _text(stack, number, ASK_FOR_A_PERSON["sv"])
    ticket = _ticket(staff, number)
    (handoff,) = _sent(staff, ticket["id"], 1)
    assert handoff["to"] == mask(number)  # not claimed yet
    assert staff.post(f"/api/staff/tickets/{ticket['id']}/claim").status_code == 200
    assert staff.get(f"/api/staff/tickets/{ticket['id']}").json()["phone"] == number
    reply = "Hej! Jag heter Anna och hjälper dig gärna. Vad gäller det?"
    assert staff.post(f"/api/staff/tickets/{ticket['id']}/reply", json={"text": reply}).status_code == 201
    sent = _sent(staff, ticket["id"], 2)
    assert (sent[-1]["text"], sent[-1]["to"], sent[-1]["status"]) == (reply, number, "sent")
