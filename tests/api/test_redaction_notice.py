"""When something was removed from a resident's message, they are told once per conversation, in
their language (issue 13, point 1; decision 0009)."""

from __future__ import annotations

from api.language.registry import languages
from api.texts.service import catalog
from tests.api.handoff_support import new_resident


def notice(db, lang: str) -> str:  # type: ignore[no-untyped-def]
    return catalog.get(db, "redaction_notice", lang)[0]


def test_the_notice_exists_in_every_language(db) -> None:  # type: ignore[no-untyped-def]
    for code in languages():
        text, lang = catalog.get(db, "redaction_notice", code)
        assert lang == code and text


def test_the_resident_is_told_once_per_conversation(client, db) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, library="solna")
    first = resident.say("Jag har glömt pinkoden, den var 4321. Hur får jag en ny?")
    assert first[0]["text"] == notice(db, "sv") and first[0]["kind"] == "system"
    assert len(first) >= 2 and first[1]["kind"] != "system"  # the answer still comes
    again = resident.say("och mitt personnummer är 850312-1234")
    assert notice(db, "sv") not in [r["text"] for r in again]
    plain = resident.say("Hur lånar jag om mina böcker?")
    assert notice(db, "sv") not in [r["text"] for r in plain]
    events = [m for m in resident.transcript()["messages"] if m.get("event") == "redacted"]
    assert len(events) == 1 and events[0]["text"] == notice(db, "sv")


def test_the_notice_is_in_the_residents_language(client, db) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, library="solna", locale="en")
    replies = resident.say("I forgot my library card, my pin number is 4321, what do I do?")
    assert replies[0]["text"] == notice(db, "en") and replies[0]["language"] == "en"


def test_nothing_removed_no_notice(client, db) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, library="solna")
    replies = resident.say("Boken ska tillbaka 2024-05-12, ISBN 978-91-1-301234-6. Kan jag förlänga?")
    assert all(r["text"] != notice(db, "sv") for r in replies)


def test_a_retry_gets_the_same_replies_and_no_second_notice(client, db) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, library="solna")
    first = resident.say("pinkoden 4321 funkar inte", client_id="retry-1")
    again = resident.say("pinkoden 4321 funkar inte", client_id="retry-1")
    assert first == again and first[0]["text"] == notice(db, "sv")
    events = [m for m in resident.transcript()["messages"] if m.get("event") == "redacted"]
    assert len(events) == 1


def test_told_while_waiting_for_staff_too(client, db) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, library="solna")
    resident.ask_for_person()
    replies = resident.say("Mitt lånekortsnummer är 20012345678901, kan ni kolla det?")
    assert replies[0]["text"] == notice(db, "sv")
    stored = [m["text"] for m in resident.transcript()["messages"] if m["sender"] == "resident"]
    assert "Mitt lånekortsnummer är [kortnummer], kan ni kolla det?" in stored
