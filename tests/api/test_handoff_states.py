"""The handoff state machine: bot -> waiting -> with_staff -> resolved, reopen, hand back; Rasa silent
while staff have the conversation; nothing a resident writes is lost. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from api.conversations import service
from api.conversations.models import Conversation, Message
from api.handoff.clock import now
from api.handoff.models import Ticket
from api.handoff.states import CONVERSATION_EVENTS, CONVERSATION_STATE, TRANSITIONS
from tests.api.test_handoff_languages import rasa_decides


def _state(client, resident) -> str:  # type: ignore[no-untyped-def]
    return resident.transcript()["conversation"]["state"]  # type: ignore[no-any-return]


def _events(resident) -> list[str]:  # type: ignore[no-untyped-def]
    """The state changes in the transcript (not notices such as message_received)."""
    changes = set(TRANSITIONS) | set(CONVERSATION_EVENTS)
    return [m["event"] for m in resident.transcript()["messages"] if m["event"] in changes]


def _forbid_bot_turns(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """From now on, fail the test if a bot turn (Rasa, or the FAQ fallback) runs."""
    calls: list[str] = []

    def bot_turn(conversation_id, incoming):  # type: ignore[no-untyped-def]
        calls.append(incoming.text)
        raise AssertionError(f"the bot answered {incoming.text!r} during a handoff")

    monkeypatch.setattr(service, "_bot_turn", bot_turn)
    return calls


def test_the_transition_table() -> None:
    moves = {event: (sorted(t.sources), t.target) for event, t in TRANSITIONS.items()}
    assert moves == {
        "claimed": (["waiting"], "with_staff"),
        "reassigned": (["waiting", "with_staff"], "with_staff"),
        "transferred": (["waiting", "with_staff"], "waiting"),
        "resolved": (["waiting", "with_staff"], "resolved"),
        "reopened": (["resolved"], "waiting"),
        "handed_back": (["resolved", "waiting", "with_staff"], "closed"),
    }
    assert CONVERSATION_STATE["closed"] == "bot"
    assert set(CONVERSATION_EVENTS) == {"handoff_requested", "bot_resumed"}


def test_asking_for_a_person_queues_the_conversation(client, resident, make_staff) -> None:  # type: ignore[no-untyped-def]
    staff = make_staff()
    reply = resident.ask_for_person()
    assert reply["language"] == "sv" and reply["text"]
    assert _state(client, resident) == "waiting"
    tid = resident.ticket_id(staff)
    ticket = staff.ticket(tid)["ticket"]
    assert (ticket["state"], ticket["library"], ticket["language"], ticket["channel"]) == (
        "waiting",
        "solna",
        "sv",
        "web",
    )
    assert ticket["id"] in [t["id"] for t in staff.queue()]
    assert _events(resident) == ["handoff_requested"]


def test_rasa_is_silent_while_waiting_and_with_staff(client, resident, make_staff, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    resident.ask_for_person()
    no_rasa = _forbid_bot_turns(monkeypatch)
    staff = make_staff()
    tid = resident.ticket_id(staff)

    first = resident.say("Är det någon där?")
    assert [(m["kind"], m["language"]) for m in first] == [("system", "sv")]  # one acknowledgement
    assert resident.say("Hallå?") == []  # and only once
    assert resident.say("Svara nu", payload="topic:card.get") == []  # buttons too go to staff

    assert staff.act(tid, "claim").status_code == 200
    assert resident.say("Tack för att du tar min fråga") == []
    assert no_rasa == []

    on_ticket = [m["text"] for m in staff.ticket(tid)["messages"] if m["sender"] == "resident"]
    assert on_ticket[-4:] == ["Är det någon där?", "Hallå?", "Svara nu", "Tack för att du tar min fråga"]


def test_the_whole_round_trip_loses_no_resident_message(client, resident, make_staff) -> None:  # type: ignore[no-untyped-def]
    staff = make_staff()
    written = ["Hur lånar jag om mina böcker?"]
    resident.say(written[-1])
    written.append("Jag vill prata med en människa")
    resident.say(written[-1], payload="handoff")
    tid = resident.ticket_id(staff)
    written.append("Jag väntar")
    resident.say(written[-1])

    assert staff.act(tid, "claim").json()["ticket"]["state"] == "with_staff"
    assert _state(client, resident) == "with_staff"
    before = resident.transcript()["messages"][-1]["id"]
    sent = staff.act(tid, "reply", {"text": "Hej! Du lånar om på Mina sidor."})
    assert sent.status_code == 201 and sent.json()["sender"] == "staff"
    new = resident.transcript(after=before)["messages"]  # what a polling chat fetches
    assert [(m["sender"], m["kind"], m["text"]) for m in new] == [("staff", "staff", "Hej! Du lånar om på Mina sidor.")]
    written.append("Tack!")
    resident.say(written[-1])

    assert staff.act(tid, "resolve").json()["state"] == "resolved"
    assert _state(client, resident) == "resolved"
    written.append("En sak till: kan jag låna e-böcker?")
    reopened = resident.say(written[-1])  # within the window: back in the queue
    assert [m["kind"] for m in reopened] == ["system"]
    assert _state(client, resident) == "waiting"
    assert staff.ticket(tid)["ticket"]["assignee"] is None

    assert staff.act(tid, "claim").status_code == 200
    assert staff.act(tid, "hand-back").json()["state"] == "closed"
    assert _state(client, resident) == "bot"
    written.append("Hur lånar jag om mina böcker?")
    (answer,) = resident.say(written[-1])  # the bot answers again
    assert answer["kind"] == "faq" and answer["topic"] == "loan.renew"

    transcript = resident.transcript()["messages"]
    assert [m["text"] for m in transcript if m["sender"] == "resident"] == written
    assert _events(resident) == ["handoff_requested", "claimed", "resolved", "reopened", "claimed", "handed_back"]
    assert all(m["sender"] == "system" and m["kind"] == "system" for m in transcript if m["event"])


def test_illegal_moves_are_409_and_change_nothing(client, resident, make_staff) -> None:  # type: ignore[no-untyped-def]
    anna, bo = make_staff(), make_staff()
    resident.ask_for_person()
    tid = resident.ticket_id(anna)
    assert anna.act(tid, "reopen").status_code == 409  # waiting is not resolved
    reply = anna.act(tid, "reply", {"text": "hej"})
    assert reply.status_code == 409 and "Claim" in reply.json()["detail"]

    assert anna.act(tid, "claim").status_code == 200
    lost = bo.act(tid, "claim")
    assert lost.status_code == 409 and "already claimed by" in lost.json()["detail"]
    assert bo.act(tid, "reply", {"text": "hej"}).status_code == 403  # not theirs
    assert bo.act(tid, "resolve").status_code == 403
    assert bo.act(tid, "hand-back").status_code == 403

    assert anna.act(tid, "resolve").status_code == 200
    for action, body in (
        ("resolve", None),
        ("claim", None),
        ("reply", {"text": "hej"}),
        ("transfer", {"library": "solna"}),
    ):
        resp = anna.act(tid, action, body)
        assert resp.status_code == 409, (action, resp.text)
    assert anna.ticket(tid)["ticket"]["state"] == "resolved"

    assert anna.act(tid, "hand-back").status_code == 200
    for action in ("claim", "resolve", "reopen", "hand-back"):
        assert anna.act(tid, action).status_code == 409, action
    assert anna.get("/api/staff/tickets/999999").status_code == 404


def test_staff_reopen_puts_a_resolved_ticket_back_in_the_queue(client, resident, make_staff) -> None:  # type: ignore[no-untyped-def]
    staff = make_staff()
    resident.ask_for_person()
    tid = resident.ticket_id(staff)
    staff.act(tid, "claim")
    staff.act(tid, "resolve")
    ticket = staff.act(tid, "reopen").json()
    assert (ticket["state"], ticket["assignee"], ticket["resolved_at"]) == ("waiting", None, None)
    assert tid in [t["id"] for t in staff.queue(state="waiting")]
    assert _state(client, resident) == "waiting"


def test_after_the_reopen_window_the_bot_answers_and_a_new_request_is_a_new_ticket(
    client, resident, make_staff, db
) -> None:  # type: ignore[no-untyped-def]
    staff = make_staff()
    resident.ask_for_person()
    tid = resident.ticket_id(staff)
    staff.act(tid, "claim")
    staff.act(tid, "resolve")
    ticket = db.get(Ticket, tid)
    ticket.resolved_at = now() - timedelta(hours=73)  # REOPEN_WINDOW_HOURS is 72
    db.commit()

    (answer,) = resident.say("Hur lånar jag om mina böcker?")
    assert answer["kind"] == "faq"
    assert _state(client, resident) == "bot"
    assert _events(resident)[-1] == "bot_resumed"
    assert staff.ticket(tid)["ticket"]["state"] == "resolved"

    resident.ask_for_person()
    new_tid = resident.ticket_id(staff)
    assert new_tid != tid
    assert staff.ticket(new_tid)["ticket"]["state"] == "waiting"
    assert staff.ticket(tid)["ticket"]["state"] == "closed"  # the old episode cannot be reopened any more
    assert staff.act(tid, "reopen").status_code == 409


def test_transfer_to_another_library_or_a_colleague(client, resident, make_staff) -> None:  # type: ignore[no-untyped-def]
    anna, bo = make_staff(), make_staff(library="huddinge")
    resident.ask_for_person()
    tid = resident.ticket_id(anna)
    anna.act(tid, "claim")

    assert anna.act(tid, "transfer", {"library": "atlantis"}).status_code == 422
    assert anna.act(tid, "transfer", {}).status_code == 422
    moved = anna.act(tid, "transfer", {"library": "huddinge"}).json()
    assert (moved["state"], moved["assignee"], moved["transferred_to"]) == ("waiting", None, "huddinge")
    assert moved["library"] == "solna" and moved["responsible_library"] == "huddinge"
    assert tid in [t["id"] for t in bo.queue(library="huddinge")]
    assert tid not in [t["id"] for t in bo.queue(library="solna")]

    bo.act(tid, "claim")
    given = bo.act(tid, "transfer", {"staff_id": anna.id}).json()
    assert (given["state"], given["assignee"]["id"]) == ("with_staff", anna.id)
    assert anna.act(tid, "reply", {"text": "Jag tar över igen."}).status_code == 201
    assert bo.act(tid, "reply", {"text": "Inte min längre"}).status_code == 403
    assert _events(resident)[-3:] == ["transferred", "claimed", "reassigned"]


def test_notes_never_reach_the_resident(client, resident, make_staff) -> None:  # type: ignore[no-untyped-def]
    staff = make_staff()
    resident.ask_for_person()
    tid = resident.ticket_id(staff)
    secret = "Internt: låntagaren har en skuld, kolla med Solna."
    note = staff.act(tid, "notes", {"text": secret})
    assert note.status_code == 201 and note.json()["author"]["id"] == staff.id
    staff.act(tid, "claim")
    staff.act(tid, "reply", {"text": "Hej!"})

    assert [n["text"] for n in staff.ticket(tid)["notes"]] == [secret]
    assert secret not in resident.http.get(f"/api/conversations/{resident.id}/messages", headers=resident.headers).text
    assert all(secret not in m["text"] for m in resident.transcript()["messages"])


def test_two_clarify_turns_in_a_row_offer_a_person(client, resident, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rasa_decides(monkeypatch, {"kind": "clarify", "options": ["loan.renew", "card.get"], "confidence": 0.2})

    def vague() -> str:
        (reply,) = resident.say("kort")
        assert reply["kind"] == "clarify"
        assert [b["payload"] for b in reply["buttons"]] == ["topic:loan.renew", "topic:card.get", "handoff"]
        return reply["text"]  # type: ignore[no-any-return]

    offer = "Vill du prata med bibliotekets personal i stället?"
    assert offer not in vague()
    assert offer in vague()


def test_a_retried_request_for_a_person_opens_one_ticket(client, conversation, monkeypatch, db) -> None:  # type: ignore[no-untyped-def]
    """The same message sent twice (a retry with the same client id): one ticket, one notice, and
    the second answer is the first one, without asking Rasa again."""
    rasa = rasa_decides(monkeypatch, {"kind": "handoff", "confidence": 0.9})
    url = f"/api/conversations/{conversation['id']}/messages"
    body = {"text": "Jag vill prata med en människa", "client_id": "retry-1"}
    first, second = (client.post(url, json=body, headers=conversation["headers"]) for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert [m["kind"] for m in first.json()["messages"]] == ["handoff"]
    assert second.json()["messages"] == first.json()["messages"]
    assert len(rasa.received) == 1
    db.expire_all()
    assert len(db.scalars(select(Ticket).where(Ticket.conversation_id == conversation["id"])).all()) == 1
    assert db.get(Conversation, conversation["id"]).state == "waiting"
    events = db.scalars(select(Message.event).where(Message.conversation_id == conversation["id"])).all()
    assert [e for e in events if e] == ["handoff_requested"]
