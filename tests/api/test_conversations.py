"""The conversation API contract (POST/GET /api/conversations...), on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from api.conversations.models import Message
from tests.api.error_support import messages


def post(client, conv, text, **extra):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/conversations/{conv['id']}/messages", json={"text": text, **extra}, headers=conv["headers"]
    )


def test_create_returns_id_and_unguessable_token(client) -> None:  # type: ignore[no-untyped-def]
    a = client.post("/api/conversations").json()
    b = client.post("/api/conversations", json={"channel": "web", "library": "stockholm", "locale": "en"}).json()
    assert a["id"] != b["id"] and a["token"] != b["token"]
    assert len(a["token"]) >= 40


def test_unknown_library_is_rejected(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/api/conversations", json={"library": "atlantis"})
    assert resp.status_code == 422
    assert "GET /api/libraries" in messages(resp)


def test_question_gets_faq_reply_with_topic(client, conversation) -> None:  # type: ignore[no-untyped-def]
    resp = post(client, conversation, "Hur lånar jag om mina böcker?")
    assert resp.status_code == 200
    (reply,) = resp.json()["messages"]
    assert set(reply) == {"id", "text", "language", "kind", "topic", "buttons"}
    assert (reply["kind"], reply["topic"], reply["language"]) == ("faq", "loan.renew", "sv")
    # The id is the stored message's: the same as in the transcript (the widget rates it by id).
    stored = client.get(f"/api/conversations/{conversation['id']}/messages", headers=conversation["headers"]).json()
    assert reply["id"] == stored["messages"][-1]["id"]


def test_english_question_is_answered_in_english(client, conversation) -> None:  # type: ignore[no-untyped-def]
    reply = post(client, conversation, "I lost my library card, what should I do?").json()["messages"][0]
    assert (reply["kind"], reply["topic"], reply["language"]) == ("faq", "card.lost", "en")


def test_missing_token_is_401_wrong_token_404(client, conversation) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/conversations/{conversation['id']}/messages"
    assert client.post(url, json={"text": "hej"}).status_code == 401
    assert client.get(url).status_code == 401
    bad = {"Authorization": "Bearer not-the-token"}
    assert client.post(url, json={"text": "hej"}, headers=bad).status_code == 404
    assert client.get(url, headers=bad).status_code == 404


def test_unknown_conversation_is_404(client, conversation) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/api/conversations/doesnotexist/messages", headers=conversation["headers"])
    assert resp.status_code == 404


def test_a_token_opens_only_its_own_conversation(client, conversation) -> None:  # type: ignore[no-untyped-def]
    other = client.post("/api/conversations").json()
    resp = client.get(f"/api/conversations/{other['id']}/messages", headers=conversation["headers"])
    assert resp.status_code == 404


def test_bad_input_gets_a_clear_422(client, conversation) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/conversations/{conversation['id']}/messages"
    h = conversation["headers"]
    cases = {
        "empty": {"text": "   "},
        "too long": {"text": "a" * 2001},
        "not text": {"text": 42},
        "missing": {},
    }
    for name, body in cases.items():
        resp = client.post(url, json=body, headers=h)
        assert resp.status_code == 422, name
        assert messages(resp), name
    assert "too long" in messages(client.post(url, json=cases["too long"], headers=h))
    assert client.post(url, content=b"not json", headers={**h, "Content-Type": "application/json"}).status_code == 422
    # Nothing of the rejected input was stored.
    assert client.get(url, headers=h).json()["messages"] == []


def test_exactly_2000_characters_is_accepted(client, conversation) -> None:  # type: ignore[no-untyped-def]
    assert post(client, conversation, "bok " * 500).status_code == 200


def test_transcript_holds_both_sides_in_order(client, conversation) -> None:  # type: ignore[no-untyped-def]
    post(client, conversation, "Hur skaffar jag ett lånekort?")
    post(client, conversation, "När har biblioteket öppet?")
    t = client.get(f"/api/conversations/{conversation['id']}/messages", headers=conversation["headers"]).json()
    senders = [m["sender"] for m in t["messages"]]
    assert senders == ["resident", "bot", "resident", "bot"]
    assert t["messages"][0]["language"] == "sv"
    assert t["messages"][1]["topic"] == "card.get"
    after = t["messages"][1]["id"]
    later = client.get(
        f"/api/conversations/{conversation['id']}/messages", params={"after": after}, headers=conversation["headers"]
    ).json()["messages"]
    assert [m["sender"] for m in later] == ["resident", "bot"]


def test_retry_with_same_client_id_is_stored_once(client, conversation, db) -> None:  # type: ignore[no-untyped-def]
    first = post(client, conversation, "Hur lånar jag om?", client_id="abc-1").json()
    again = post(client, conversation, "Hur lånar jag om?", client_id="abc-1").json()
    assert first == again
    stored = db.scalars(select(Message).where(Message.conversation_id == conversation["id"])).all()
    assert len(stored) == 2  # one resident message, one reply


def test_personal_numbers_are_redacted_before_storage(client, conversation, db) -> None:  # type: ignore[no-untyped-def]
    post(client, conversation, "Jag har glömt min pinkod, mitt personnummer är 19850212-1234 och PIN 4711")
    rows = db.scalars(select(Message).where(Message.conversation_id == conversation["id"]).order_by(Message.id))
    texts = [m.text for m in rows]
    assert not any("19850212-1234" in t or "4711" in t for t in texts)
    assert "[personnummer]" in texts[0] and "[PIN]" in texts[0]


def test_choosing_a_language_sticks(client, conversation) -> None:  # type: ignore[no-untyped-def]
    resp = client.patch(
        f"/api/conversations/{conversation['id']}", json={"language": "en"}, headers=conversation["headers"]
    )
    assert resp.json()["language"] == "en" and resp.json()["language_locked"]
    reply = post(client, conversation, "Hur lånar jag om mina böcker?").json()["messages"][0]
    assert (reply["topic"], reply["language"]) == ("loan.renew", "en")


def test_unsupported_language_gets_english_and_the_list(client, conversation) -> None:  # type: ignore[no-untyped-def]
    reply = post(
        client, conversation, "Wie kann ich meine Bücher verlängern? Ich habe viele Bücher ausgeliehen."
    ).json()
    first = reply["messages"][0]
    assert first["language"] == "en"
    assert "Svenska" in first["text"] and "Soomaali" in first["text"]


def test_resident_can_delete_the_conversation(client, conversation) -> None:  # type: ignore[no-untyped-def]
    post(client, conversation, "hej")
    url = f"/api/conversations/{conversation['id']}"
    assert client.delete(url, headers=conversation["headers"]).status_code == 204
    assert client.get(url + "/messages", headers=conversation["headers"]).status_code == 404


def test_health_reports_each_part(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/health").json()
    assert body["api"] == "ok" and body["database"] == "ok"
    assert body["rasa"] == "down" and body["status"] == "degraded"  # Rasa is not running in these tests


def test_demo_page_and_openapi(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/")  # the demo host page; the chat itself is the widget it embeds
    assert page.status_code == 200 and 'src="/widget.js"' in page.text
    assert 'role: "log"' in client.get("/widget.js").text
    spec = client.get("/openapi.json").json()
    assert "/api/conversations/{conversation_id}/messages" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_conversations_expire_after_the_retention_period(client, conversation, db) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from api.conversations.models import Conversation
    from api.conversations.retention import purge_expired

    post(client, conversation, "hej")
    assert purge_expired(db) == 0
    assert purge_expired(db, now=datetime.now(UTC) + timedelta(days=91)) >= 1
    db.commit()
    assert db.get(Conversation, conversation["id"]) is None
