"""The needs inbox: which questions go in, grouping across languages, and turning a group into
a new entry or into variants of an existing topic (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.conversations.models import Conversation, Message
from api.conversations.replies import Reply
from api.db import session_scope
from api.needs.models import ResidentNeed
from api.needs.record import note_turn
from tests.api.handoff_support import new_resident
from tests.api.test_curation_editor import seed_question

PETS = {
    "sv": "Får jag ta med min hund in på biblioteket?",
    "en": "Can I bring my dog into the library?",
    "ar": "هل يمكنني إحضار كلبي إلى المكتبة؟",
    "pl": "czy mogę przyjść do biblioteki z psem",
}
PRINTERS_3D = {
    "sv": "Har ni 3D-skrivare som man kan använda?",
    "en": "do you have a 3d printer i can use",
    "fa": "آیا پرینتر سه بعدی دارید؟",
    "fi": "Onko teillä 3D-tulostinta?",
}


def unanswered(client: Any, lang: str, text: str, library: str = "solna") -> int:
    """A resident question the assistant asked back about (a `clarify` turn), as the service records it."""
    resident = new_resident(client, library=library, locale=lang)
    with session_scope() as s:
        conv = s.get(Conversation, resident.id)
        assert conv is not None
        msg = Message(conversation_id=conv.id, sender="resident", text=text, language=lang)
        s.add(msg)
        s.flush()
        clarify = Reply(
            text="?", language=lang, kind="clarify", buttons=[{"title": "x", "payload": "topic:visit.rooms"}]
        )
        note_turn(s, conv, msg.id, None, [clarify])
        return msg.id


def groups(staff: Any, **params: Any) -> list[dict[str, Any]]:
    resp = staff.get("/api/needs", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["groups"]  # type: ignore[no-any-return]


def group_of(found: list[dict[str, Any]], text: str) -> dict[str, Any]:
    return next(g for g in found if any(q["text"] == text for q in g["questions"]))


def test_what_goes_into_the_inbox(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, library="solna")
    with session_scope() as s:
        conv = s.get(Conversation, resident.id)
        assert conv is not None
        ids = []
        for text in (
            "ok",
            "Kan man låna en symaskin hos er?",
            "Vad blir det för väder i helgen?",
            "Var finns toaletten?",
        ):
            msg = Message(conversation_id=conv.id, sender="resident", text=text, language="sv")
            s.add(msg)
            s.flush()
            ids.append(msg.id)
        note_turn(s, conv, ids[0], None, [Reply("?", "sv", "clarify")])  # too short to say anything
        note_turn(s, conv, ids[1], None, [Reply("?", "sv", "clarify")])
        note_turn(s, conv, ids[2], None, [Reply("Tyvärr ...", "sv", "out_of_scope")])
        note_turn(s, conv, ids[3], "topic:visit.hours", [Reply("?", "sv", "clarify")])  # a button press
        query = (
            select(Message.text, ResidentNeed.reason)
            .join(ResidentNeed, Message.id == ResidentNeed.message_id)
            .where(ResidentNeed.conversation_id == conv.id)
        )
        reasons = dict(s.execute(query).tuples().all())
    assert reasons == {
        "Kan man låna en symaskin hos er?": "unanswered",
        "Vad blir det för väder i helgen?": "out_of_scope",
    }


def test_a_handoff_brings_the_question_before_it_and_what_was_written_while_waiting(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, library="solna")
    question = seed_question("emedia.trouble", "sv")
    first = resident.say(question)[0]
    assert first["kind"] == "faq"
    resident.say("Jag vill prata med en bibliotekarie", payload="handoff")
    waiting = "Appen säger att mitt lånekort är spärrat fast jag inte har några lån"
    resident.say(waiting)
    found = groups(coordinator)
    texts = {q["text"]: q for g in found for q in g["questions"]}
    assert texts[question]["reason"] == "handoff" and texts[question]["topic"] == "emedia.trouble"
    assert texts[waiting]["reason"] == "handoff"
    assert "Jag vill prata med en bibliotekarie" not in texts


def test_a_thumbs_down_puts_the_question_in_and_a_thumbs_up_takes_it_out(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    resident = new_resident(client, library="solna")
    question = seed_question("loan.renew", "sv")
    answer = resident.say(question)[0]
    url = f"/api/conversations/{resident.id}/messages/{answer['id']}/feedback"
    assert client.post(url, json={"rating": "down"}, headers=resident.headers).status_code == 200
    q = group_of(groups(coordinator), question)["questions"][0]
    assert (q["reason"], q["topic"]) == ("rated_down", "loan.renew")
    assert client.post(url, json={"rating": "up"}, headers=resident.headers).status_code == 200
    assert not any(q["text"] == question for g in groups(coordinator) for q in g["questions"])


def test_questions_are_grouped_by_meaning_across_languages(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    for lang, text in {**PETS}.items():
        unanswered(client, lang, text)
    for lang, text in PRINTERS_3D.items():
        unanswered(client, lang, text, library="nacka")
    found = groups(coordinator)
    pets, printers = group_of(found, PETS["sv"]), group_of(found, PRINTERS_3D["sv"])
    assert pets["id"] != printers["id"]
    assert {q["text"] for q in pets["questions"]} >= {PETS["sv"], PETS["en"], PETS["ar"]}
    assert {q["text"] for q in printers["questions"]} >= {PRINTERS_3D["sv"], PRINTERS_3D["en"], PRINTERS_3D["fi"]}
    assert not {q["text"] for q in pets["questions"]} & set(PRINTERS_3D.values())
    assert set(pets["languages"]) >= {"sv", "en", "ar"} and pets["reasons"] == {"unanswered": pets["size"]}
    assert printers["nearest"]["topic"] == "visit.printing"  # the closest topic is shown, as a hint
    # Filters: one library's questions only.
    assert all(q["library"] == "nacka" for g in groups(coordinator, library="nacka") for q in g["questions"])


def test_a_group_becomes_a_draft_entry_with_the_residents_wordings(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    for lang, text in PETS.items():
        unanswered(client, lang, text)
    pets = group_of(groups(coordinator), PETS["sv"])
    ids = [q["id"] for q in pets["questions"]]
    draft = {
        "ids": ids,
        "topic": "visit.pets",
        "area": "visit",
        "question": "May I bring a pet?",
        "title": "Djur på biblioteket",
    }
    resp = coordinator.post("/api/needs/draft", json=draft)
    assert resp.status_code == 201, resp.text
    entry = resp.json()["regional"]
    assert entry["state"] == "draft"
    for q in pets["questions"]:
        assert q["text"] in entry["translations"][q["language"]]["questions"]
    assert entry["translations"]["sv"]["title"] == "Djur på biblioteket"
    assert not any(q["id"] in ids for g in groups(coordinator) for q in g["questions"])  # out of the inbox
    assert {q["id"] for g in groups(coordinator, state="drafted") for q in g["questions"]} >= set(ids)


def test_a_group_becomes_variants_of_an_existing_topic_live_at_once(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    wording = "Har ni 3D-skrivare som man kan använda?"
    unanswered(client, "sv", wording)
    group = group_of(groups(coordinator), wording)
    resp = coordinator.post(
        "/api/needs/add", json={"ids": [q["id"] for q in group["questions"]], "topic": "visit.printing"}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["added"].get("sv", 0) >= 1
    sv = coordinator.get("/api/curation/entries/visit.printing").json()["regional"]["translations"]["sv"]
    assert wording in sv["questions"] and sv["status"] == "reviewed"  # variants change no reviewed text
    reply = new_resident(client, library="solna").say(wording)[0]
    assert (reply["kind"], reply["topic"]) == ("faq", "visit.printing")


def test_dismiss_restore_and_deletion_with_the_conversation(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    text = "Kan man låna en symaskin hos er?"
    message_id = unanswered(client, "sv", text)
    need = group_of(groups(coordinator), text)["questions"][0]
    assert coordinator.post("/api/needs/dismiss", json={"ids": [need["id"]]}).json() == {"updated": 1}
    assert not any(q["id"] == need["id"] for g in groups(coordinator) for q in g["questions"])
    assert coordinator.post("/api/needs/restore", json={"ids": [need["id"]]}).json() == {"updated": 1}
    assert group_of(groups(coordinator), text)
    # The resident ends and deletes the chat: the question leaves the inbox with it.
    with session_scope() as s:
        msg = s.get(Message, message_id)
        assert msg is not None
        conv = s.get(Conversation, msg.conversation_id)
        s.delete(conv)
    assert not any(q["text"] == text for g in groups(coordinator) for q in g["questions"])
    with session_scope() as s:
        assert s.scalar(select(ResidentNeed).where(ResidentNeed.message_id == message_id)) is None


def test_desk_staff_have_no_inbox(client, make_staff, content_guard) -> None:  # type: ignore[no-untyped-def]
    assert make_staff("staff").get("/api/needs").status_code == 403
    assert client.get("/api/needs").status_code == 401
