"""Redaction before anything is kept or passed on (issue 13, point 1; decision 0009).

Every positive of the corpus goes through POST /api/conversations/{id}/messages with a fake Rasa
that records what it receives; no secret may survive in the stored transcript, in what Rasa
received, in the needs inbox, in the desk's ticket view or in any log record, and no negative may
change. Staff notes and replies, SMS and the content import are redacted too, with their profile.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from api import settings
from api.conversations import rasa_client
from api.conversations.models import Message
from api.db import session_scope
from api.needs.models import ResidentNeed
from api.privacy.redact import _normalise
from tests.api.handoff_support import Resident, new_resident
from tests.api.test_redaction_corpus import NEGATIVES, POSITIVES, secrets_of, unmarked

# The reply policy's decision Rasa's action server sends back (actions/actions.py `action_reply`):
# "no topic covers this", which the API writes as a clarify reply, so questions reach the needs inbox.
NOT_COVERED = {"decision": {"kind": "not_covered", "confidence": 0.9}}
HANDOFF = {"decision": {"kind": "handoff", "confidence": 1.0}}


class FakeRasa:
    """Rasa's REST channel: records every message and the text in its metadata (the sentences the
    API sends with their vectors); decides `not_covered`, or `handoff` for the person button."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.metadata_texts: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.received.append(body["message"])
                clauses = (body.get("metadata") or {}).get("nlu", {}).get("clauses", [])
                fake.metadata_texts.extend(c["text"] for c in clauses)
                out = [{"custom": HANDOFF if body["message"] == "/request_human" else NOT_COVERED}]
                data = json.dumps(out).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self.send_response(200)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def rasa(seeded: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRasa]:
    fake = FakeRasa()
    monkeypatch.setenv("RASA_URL", fake.url)
    # The corpus goes through a few conversations, far faster than a resident writes.
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "100000/1min")
    settings.get_settings.cache_clear()
    rasa_client.reset()
    yield fake
    fake.server.shutdown()
    monkeypatch.undo()
    settings.get_settings.cache_clear()
    rasa_client.reset()


def survivors(secrets: list[str], *blobs: str) -> list[str]:
    """The secrets found in any blob, as written or with its digits and dashes normalised."""
    haystack = "\n".join(blobs)
    normal = _normalise(haystack)[0]
    return [s for s in secrets if s in haystack or _normalise(s)[0] in normal]


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def strings(value: Any) -> list[str]:
    """Every string in a JSON document but the ids (hex, whose digits could look like a PIN by chance)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "id" and not k.endswith("_id") for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def without_times(texts: list[str]) -> list[str]:
    return [t for t in texts if not TIMESTAMP.fullmatch(t)]


def scrub(line: str, *urls: str) -> str:
    """A log line without the machine's own numbers (object addresses, hex ids, the fake's port),
    which could hold a PIN's digits by chance."""
    for url in urls:
        line = line.replace(url, "<url>")
    return MACHINE_NUMBERS.sub("<n>", line)


MACHINE_NUMBERS = re.compile(r"0x[0-9a-f]+|\b[0-9a-f]{32}\b|127\.0\.0\.1:\d+")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)?")


RESIDENT_POSITIVES = [c for c in POSITIVES if c.get("profile") != "staff"]
RESIDENT_NEGATIVES = [c for c in NEGATIVES if c.get("profile") != "staff" and c["text"].strip()]


def test_no_positive_survives_anywhere(client, rasa, make_staff, coordinator, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    by_language: dict[str, list[str]] = {}
    for case in RESIDENT_POSITIVES:
        by_language.setdefault(case["lang"], []).append(unmarked(case["text"]))
    residents: list[Resident] = []
    for lang, texts in sorted(by_language.items()):
        resident = new_resident(client, library="solna", locale=lang)
        residents.append(resident)
        for text in texts[:-1]:  # to the bot (Rasa), then to staff: the last one while waiting
            resident.say(text)
        resident.say("Jag vill prata med en bibliotekarie", payload="handoff")
        resident.say(texts[-1])
    secrets = [s for case in RESIDENT_POSITIVES for s in secrets_of(case["text"])]

    staff = make_staff("staff", ("sv", "en"), "solna")
    desk = [staff.ticket(r.ticket_id(staff)) for r in residents]
    inbox = coordinator.get("/api/needs", params={"library": "solna"})
    assert inbox.status_code == 200
    ids = [r.id for r in residents]
    with session_scope() as session:
        stored = [m.text for m in session.scalars(select(Message).where(Message.conversation_id.in_(ids)))]
        needs = session.scalars(
            select(Message.text)
            .join(ResidentNeed, ResidentNeed.message_id == Message.id)
            .where(ResidentNeed.conversation_id.in_(ids))
        ).all()
    transcripts = [r.transcript() for r in residents]
    logs = [scrub(r.getMessage() + (r.exc_text or ""), rasa.url) for r in caplog.records]

    assert len(rasa.received) >= len(RESIDENT_POSITIVES) - len(by_language)  # the test is not vacuous
    assert len(needs) >= 100 and "[personnummer]" in dump(needs)
    assert all(len(d["messages"]) >= 5 for d in desk)
    for where, blobs in {
        "stored transcript": stored,
        "transcript API": without_times(strings(transcripts)),
        "what Rasa received": rasa.received,
        "what Rasa received (metadata)": rasa.metadata_texts,
        "needs inbox (rows)": list(needs),
        "needs inbox (API)": without_times(strings(inbox.json())),
        "desk ticket view": without_times(strings(desk)),
        "log records": logs,
    }.items():
        assert survivors(secrets, *blobs) == [], where


def test_no_negative_is_changed(client, rasa) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, library="solna")
    for case in RESIDENT_NEGATIVES:
        resident.say(case["text"])
    mine = [m["text"] for m in resident.transcript()["messages"] if m["sender"] == "resident"]
    assert mine == [c["text"] for c in RESIDENT_NEGATIVES]
    assert rasa.received == [c["text"] for c in RESIDENT_NEGATIVES]
    assert all(m["kind"] == "clarify" for m in resident.transcript()["messages"] if m["sender"] == "bot")


def test_staff_notes_and_replies_are_redacted_but_keep_the_librarys_number(client, rasa, make_staff) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, library="solna")
    resident.say("Jag vill prata med en bibliotekarie", payload="handoff")
    staff = make_staff("staff", ("sv", "en"), "solna")
    ticket = resident.ticket_id(staff)
    assert staff.act(ticket, "claim").status_code == 200
    note = staff.act(ticket, "notes", {"text": "Hon gav pnr 850312-1234 och pinkoden 4321."})
    assert note.status_code == 201 and note.json()["text"] == "Hon gav pnr [personnummer] och pinkoden [PIN]."
    reply = staff.act(ticket, "reply", {"text": "Ring oss på 08-508 311 00. Skriv aldrig pinkoden 4321 här."})
    assert reply.json()["text"] == "Ring oss på 08-508 311 00. Skriv aldrig pinkoden [PIN] här."
    shown = dump(staff.ticket(ticket))
    assert "850312-1234" not in shown and "4321" not in shown and "08-508 311 00" in shown
    assert "4321" not in dump(resident.transcript())


def test_an_sms_is_redacted_before_it_is_stored_or_sent_to_rasa(client, rasa, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.api.sms_support import Phone, sms_settings

    with sms_settings(monkeypatch, RASA_URL=rasa.url):
        rasa_client.reset()
        phone = Phone(client)
        assert phone.text("Hej, mitt personnummer är 850312–1234 och pinkoden är 4321").status_code == 200
        with session_scope() as session:
            texts = session.scalars(
                select(Message.text).where(Message.conversation_id == phone.conversation_id())
            ).all()
    assert "Hej, mitt personnummer är [personnummer] och pinkoden är [PIN]" in texts
    assert survivors(["850312–1234", "4321"], *texts, *rasa.received, *rasa.metadata_texts) == []


def test_imported_content_is_redacted_with_the_staff_profile(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    from api.curation.exchange import FORMAT
    from api.faq.models import BotText

    text = "Tack! Ring oss på 08-508 311 00 eller skriv till solna@bibliotek.example. Test: 850312-1234."
    doc = {"format": FORMAT, "version": 1, "texts": [{"language": "sv", "texts": {"thanks": {"text": text}}}]}
    resp = coordinator.post(
        "/api/curation/import",
        content=yaml.safe_dump(doc, allow_unicode=True).encode(),
        headers={"Content-Type": "text/plain; charset=utf-8"},
        params={"format": "yaml"},
    )
    assert resp.status_code == 200, resp.text
    with session_scope() as session:
        stored = session.scalar(select(BotText.text).where(BotText.key == "thanks", BotText.language == "sv"))
    assert stored == text.replace("850312-1234", "[personnummer]")
