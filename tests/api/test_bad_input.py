"""Bad input gives a 4xx, never a 500 (issue 13, point 11), on SQLite and on PostgreSQL.

Integers beyond the database's range (every integer column is a 32-bit INTEGER), NUL
characters (PostgreSQL text cannot hold them), also in Rasa's decision, and non-ASCII tokens. An SMS body is
the exception: a 4xx would make the provider drop the resident's message, so its control
characters are removed and the message is answered.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.conversations.models import Message
from api.db import session_scope
from tests.api.handoff_support import Staff, new_resident
from tests.api.sms_support import Phone, sms_settings

TOO_BIG = [2**31, 2**63, 2**64]  # past INTEGER, past BIGINT, past unsigned 64 bits


def _refused(resp: Any) -> None:
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text[:300])
    assert resp.headers["content-type"].startswith("application/json")


# ---- integers out of range ------------------------------------------------------------------


@pytest.mark.parametrize("big", TOO_BIG)
def test_transcript_after_beyond_the_database_range_is_422(client: TestClient, big: int) -> None:
    resident = new_resident(client)
    url = f"/api/conversations/{resident.id}/messages"
    resp = client.get(url, params={"after": str(big)}, headers=resident.headers)
    assert resp.status_code == 422, resp.text[:300]
    assert client.get(url, params={"after": 2**31 - 1}, headers=resident.headers).status_code == 200


@pytest.fixture
def short_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    """The resident stream ends after its first event, so a request that does stream returns."""
    from contextlib import aclosing

    from api.handoff import resident_routes

    real = resident_routes.resident_stream

    async def first_events(conversation_id: str, after: int = 0) -> AsyncIterator[str]:
        async with aclosing(real(conversation_id, after)) as events:
            async for chunk in events:
                yield chunk
                if chunk.startswith("event: ready"):
                    return

    monkeypatch.setattr(resident_routes, "resident_stream", first_events)


@pytest.mark.parametrize("big", TOO_BIG)
def test_event_stream_resume_point_beyond_the_range_is_422_before_streaming(
    client: TestClient, short_streams: None, big: int
) -> None:
    resident = new_resident(client)
    url = f"/api/conversations/{resident.id}/events"
    assert client.get(url, params={"after": str(big)}, headers=resident.headers).status_code == 422
    assert client.get(url, headers={**resident.headers, "Last-Event-ID": str(big)}).status_code == 422


@pytest.mark.parametrize("big", TOO_BIG)
def test_feedback_on_a_message_id_beyond_the_range_is_422(client: TestClient, big: int) -> None:
    resident = new_resident(client)
    url = f"/api/conversations/{resident.id}/messages/{big}/feedback"
    assert client.post(url, json={"rating": "up"}, headers=resident.headers).status_code == 422


@pytest.mark.parametrize("big", TOO_BIG)
def test_ticket_ids_beyond_the_range_are_422(make_staff: Any, big: int) -> None:
    staff: Staff = make_staff("staff")
    for path in ("", "/suggestion", "/sms"):
        assert staff.get(f"/api/staff/tickets/{big}{path}").status_code == 422, path
    for action in ("claim", "resolve", "reopen", "hand-back"):
        assert staff.act(big, action).status_code == 422, action
    assert staff.act(big, "reply", {"text": "hej"}).status_code == 422
    assert staff.act(big, "notes", {"text": "hej"}).status_code == 422
    assert staff.get("/api/staff/tickets", params={"assignee": str(big)}).status_code == 422


@pytest.mark.parametrize("big", TOO_BIG)
def test_transfer_to_a_colleague_id_beyond_the_range_is_422(client: TestClient, make_staff: Any, big: int) -> None:
    resident = new_resident(client, library="solna")
    resident.ask_for_person()
    staff: Staff = make_staff("staff")
    ticket = resident.ticket_id(staff)
    assert staff.act(ticket, "claim").status_code == 200
    assert staff.act(ticket, "transfer", {"staff_id": big}).status_code == 422
    assert staff.ticket(ticket)["ticket"]["state"] == "with_staff"


@pytest.mark.parametrize("big", TOO_BIG)
def test_admin_and_coordinator_ids_beyond_the_range_are_422(make_staff: Any, coordinator: Staff, big: int) -> None:
    admin: Staff = make_staff("admin")
    assert (
        admin.http.patch(
            f"/api/staff/users/{big}", json={"name": "X"}, headers={"X-CSRF-Token": admin.csrf}
        ).status_code
        == 422
    )
    assert coordinator.post(f"/api/curation/changes/{big}/revert").status_code == 422
    assert coordinator.post("/api/needs/dismiss", json={"ids": [big]}).status_code == 422
    assert coordinator.post("/api/needs/restore", json={"ids": [1, big]}).status_code == 422
    assert (
        coordinator.delete("/api/curation/entries/card.get/regional/en", params={"expected": str(big)}).status_code
        == 422
    )
    body = {"title": "Library card", "answer": "x", "version": big}
    assert coordinator.put("/api/curation/entries/card.get/regional/en", json=body).status_code == 422
    assert coordinator.put("/api/curation/texts/greeting/en", json={"text": "Hi", "version": big}).status_code == 422


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_ends_of_the_calendar_are_422(coordinator: Staff, day: str) -> None:
    """A period is computed from them (end - 29 days, end + 1 day), which overflows there."""
    for params in ({"end": day}, {"start": day}, {"start": day, "end": day}):
        assert coordinator.get("/api/insights", params=params).status_code == 422, params
        assert coordinator.get("/api/needs", params=params).status_code == 422, params


def test_every_integer_the_api_accepts_is_bounded_to_the_database_range(client: TestClient) -> None:
    """A guard for routes added later: the bound is in the OpenAPI document for every integer input."""
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]

    def integers(schema: dict[str, Any], where: str, seen: frozenset[str] = frozenset()) -> list[tuple[str, Any]]:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return [] if name in seen else integers(schemas[name], f"{where}<{name}>", seen | {name})
        found = [(where, schema)] if schema.get("type") == "integer" else []
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                found += integers(sub, where, seen)
        for name, sub in schema.get("properties", {}).items():
            found += integers(sub, f"{where}.{name}", seen)
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                found += integers(schema[key], f"{where}[]", seen)
        return found

    inputs: list[tuple[str, Any]] = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for param in op.get("parameters", []):
                inputs += integers(param["schema"], f"{method.upper()} {path} {param['in']}:{param['name']}")
            for media in op.get("requestBody", {}).get("content", {}).values():
                inputs += integers(media.get("schema", {}), f"{method.upper()} {path} body")
    assert inputs, "no integer inputs found: the walk is broken"
    unbounded = [w for w, s in inputs if s.get("maximum", 2**63) > 2**31 - 1 or s.get("minimum", -1) < 0]
    assert not unbounded, unbounded


def test_every_request_body_refuses_text_no_database_can_store() -> None:
    """A guard for bodies added later: each derives from RequestBody or is StoredText."""
    import typing

    from fastapi.routing import APIRoute

    from api.input_rules import RequestBody, StoredText
    from api.main import create_app

    def guarded(annotation: Any) -> bool:
        if annotation == StoredText:
            return True
        if isinstance(annotation, type):
            return issubclass(annotation, RequestBody)
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(args) and all(guarded(a) for a in args)

    def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
        for route in routes:
            if isinstance(route, APIRoute):
                yield route
            elif hasattr(route, "original_router"):  # an included router (FastAPI keeps it nested)
                yield from api_routes(route.original_router.routes)

    bodies = [
        (route.path, param.field_info.annotation, param.field_info.metadata)
        for route in api_routes(create_app().routes)
        for param in route.dependant.body_params
    ]
    assert bodies, "no request bodies found: the walk is broken"
    unguarded = [
        (path, annotation)
        for path, annotation, metadata in bodies
        if not guarded(annotation) and not any(m in typing.get_args(StoredText) for m in metadata)
    ]
    assert not unguarded, unguarded


# ---- NUL characters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/answers/x%00",
        "/answers/card.get?lang=sv%00",
        "/answers/card.get?library=solna%00",
        "/api/widget/strings?lang=sv%00",
    ],
)
def test_nul_in_a_public_url_is_400(client: TestClient, url: str) -> None:
    resp = client.get(url)
    _refused(resp)
    assert resp.status_code == 400


def test_nul_in_a_conversation_id_is_400(client: TestClient) -> None:
    resident = new_resident(client)
    for method in ("GET", "PATCH", "DELETE"):
        url = "/api/conversations/x%00y" + ("/messages" if method == "GET" else "")
        resp = client.request(method, url, headers=resident.headers, json={} if method == "PATCH" else None)
        _refused(resp)
    resp = client.post("/api/conversations/x%00y/messages", json={"text": "hej"}, headers=resident.headers)
    _refused(resp)
    # The event stream answers before streaming (schemathesis leaves streams out: they would hang it).
    _refused(client.get("/api/conversations/x%00y/events", headers=resident.headers))
    _refused(client.get(f"/api/conversations/{resident.id}/events", params={"token": "t\x00"}))


def test_nul_in_staff_urls_is_400(make_staff: Any, coordinator: Staff) -> None:
    staff: Staff = make_staff("staff")
    for params in ({"library": "solna\x00"}, {"language": "sv\x00"}, {"topic": "card\x00"}, {"channel": "\x00"}):
        _refused(staff.get("/api/staff/tickets", params=params))
    _refused(staff.get("/api/staff/topics", params={"language": "sv\x00"}))
    _refused(coordinator.get("/api/curation/entries/card.get%00"))
    _refused(coordinator.get("/api/curation/entries/card.get/history", params={"version": "solna\x00"}))
    _refused(coordinator.get("/api/needs", params={"library": "solna\x00"}))
    _refused(coordinator.get("/api/insights", params={"library": "solna\x00"}))


def test_nul_in_the_login_email_is_422(client: TestClient) -> None:
    resp = client.post("/api/staff/login", json={"email": "a\x00@bibliotek.example", "password": "x"})
    _refused(resp)
    assert resp.status_code == 422


def test_nul_in_the_library_of_a_new_conversation_is_422(client: TestClient) -> None:
    for body in ({"library": "solna\x00"}, {"locale": "sv\x00"}):
        resp = client.post("/api/conversations", json=body)
        assert resp.status_code == 422, (body, resp.text[:300])


def test_nul_in_a_message_text_is_422_and_nothing_is_stored(client: TestClient) -> None:
    resident = new_resident(client)
    for body in ({"text": "hej\x00då"}, {"text": "hej", "client_id": "c\x00"}, {"text": "hej", "payload": "\x00"}):
        resp = client.post(f"/api/conversations/{resident.id}/messages", json=body, headers=resident.headers)
        assert resp.status_code == 422, (body, resp.text[:300])
    assert resident.transcript()["messages"] == []


def test_nul_in_other_bodies_is_422(client: TestClient, make_staff: Any, coordinator: Staff) -> None:
    resident = new_resident(client, library="solna")
    url = f"/api/conversations/{resident.id}"
    assert client.patch(url, json={"language": "sv\x00"}, headers=resident.headers).status_code == 422
    resident.ask_for_person()
    assert (
        client.post(f"{url}/contact", json={"contact": "a\x00@b.example"}, headers=resident.headers).status_code == 422
    )
    staff: Staff = make_staff("staff")
    ticket = resident.ticket_id(staff)
    assert staff.act(ticket, "claim").status_code == 200
    assert staff.act(ticket, "reply", {"text": "hej\x00"}).status_code == 422
    assert staff.act(ticket, "notes", {"text": "hej\x00"}).status_code == 422
    assert staff.act(ticket, "transfer", {"library": "solna\x00"}).status_code == 422
    admin: Staff = make_staff("admin")
    new = {"email": "x@bibliotek.example", "name": "X\x00", "password": "long enough pw", "library": "solna"}
    assert admin.post("/api/staff/users", json=new).status_code == 422
    assert coordinator.post("/api/curation/try", json={"text": "lånekort", "library": "solna\x00"}).status_code == 422
    assert coordinator.post("/api/curation/try", json={"text": "låne\x00kort"}).status_code == 422
    body = {"title": "Card\x00", "answer": "x"}
    assert coordinator.put("/api/curation/entries/card.get/regional/en", json=body).status_code == 422
    resp = coordinator.http.post(
        "/api/curation/import",
        content=b"topics: []\x00",
        headers={"X-CSRF-Token": coordinator.csrf, "Content-Type": "text/plain"},
    )
    assert resp.status_code == 422


@pytest.fixture
def rasa_deciding(seeded: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Rasa faked in process: each webhook call answers the next decision a test appends."""
    from api.conversations import rasa_client

    decisions: list[dict[str, Any]] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[{"custom": {"decision": decisions.pop(0)}}])

    def client(_loop: object) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url="http://rasa.test", transport=httpx.MockTransport(rasa))

    rasa_client.reset()  # a circuit opened by earlier tests (Rasa is at a closed port) is forgotten
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rasa_client, "_client", client)
        yield decisions
    rasa_client.reset()


@pytest.mark.parametrize(
    "decision",
    [
        {"kind": "faq", "topic": "loan.renew\x00", "confidence": 0.9},
        {"kind": "clarify", "options": ["loan.renew\x00", "card.get"], "confidence": 0.3},
        {"kind": "smalltalk", "intent": "greet\x00", "confidence": 0.9},
        {"kind": "not_covered\x00"},
    ],
)
def test_nul_in_rasas_decision_is_never_a_500(
    client: TestClient, rasa_deciding: list[dict[str, Any]], decision: dict[str, Any]
) -> None:
    """The bot side's input to the API is now Rasa's decision: a NUL in it (PostgreSQL text cannot
    hold one) must not break the resident's turn."""
    resident = new_resident(client)
    rasa_deciding.append(decision)
    resp = client.post(
        f"/api/conversations/{resident.id}/messages", json={"text": "Hur lånar jag om?"}, headers=resident.headers
    )
    assert resp.status_code == 200, resp.text[:300]
    assert not rasa_deciding  # Rasa's decision was read
    (reply,) = resp.json()["messages"]
    assert "\x00" not in json.dumps(reply)
    assert resident.transcript()["messages"][-1]["id"] == reply["id"]


def test_lone_surrogates_in_a_body_become_replacement_characters(client: TestClient) -> None:
    """JSON can carry "\\ud800", which no database, and no JSON response (a 422 naming the field
    included), can encode: it is stored as U+FFFD, as undecodable bytes would be."""
    resident = new_resident(client)
    url = f"/api/conversations/{resident.id}/messages"
    headers = {**resident.headers, "Content-Type": "application/json"}
    resp = client.post(url, content='{"text": "hej \\ud800 lånekort"}'.encode(), headers=headers)
    assert resp.status_code == 200, resp.text[:300]
    assert resident.transcript()["messages"][0]["text"] == "hej \ufffd lånekort"
    for raw in (b'{"text": "hej", "\\udc00": 1}', b'{"text": 7, "payload": "\\ud800"}', b'"\\ud800"'):
        assert client.post(url, content=raw, headers=headers).status_code == 422, raw


# ---- SMS: never refuse the resident's text ----------------------------------------------------


@pytest.fixture
def sms_http(seeded: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    from api.main import create_app

    with sms_settings(monkeypatch), TestClient(create_app()) as http:
        yield http


@pytest.mark.parametrize("via", ["46elks", "twilio"])
def test_sms_with_control_characters_is_answered_with_them_removed(sms_http: TestClient, via: str) -> None:
    phone = Phone(sms_http)
    resp = phone.text("Hur skaffar\x00 jag\x07 lånekort?\r\nTack\x1b", via=via)
    assert resp.status_code == 200, resp.text[:300]
    with session_scope() as session:
        texts = session.scalars(
            select(Message.text).where(Message.conversation_id == phone.conversation_id(), Message.sender == "resident")
        ).all()
    assert texts == ["Hur skaffar jag lånekort?\nTack"]
    (row,) = phone.outbox()
    assert row.message is not None and row.message.topic == "card.get"


def test_sms_with_nul_in_its_id_is_stored_once_across_retries(sms_http: TestClient) -> None:
    phone = Phone(sms_http)
    assert phone.text("Hur skaffar jag lånekort?", msg_id="s\x00retry").status_code == 200
    assert phone.text("Hur skaffar jag lånekort?", msg_id="s\x00retry").status_code == 200
    assert len(phone.outbox()) == 1


# ---- tokens that are not ASCII ---------------------------------------------------------------


def test_a_non_ascii_token_is_refused_not_a_500(client: TestClient) -> None:
    """Header bytes that are not ASCII (a resident's bearer token, a staff session cookie, and the
    old internal token header, which the API no longer reads) are refused or ignored, never a 500."""
    resident = new_resident(client)
    url = f"/api/conversations/{resident.id}/messages"
    for token in ("tökén".encode(), "x\u00e9".encode("latin-1"), b"\xff\xfe"):
        resp = client.get(url, headers={"Authorization": b"Bearer " + token})
        assert resp.status_code in (401, 404), (token, resp.status_code)
        resp = client.get("/api/staff/me", headers={"Cookie": b"bh_staff=" + token})
        assert resp.status_code == 401, (token, resp.status_code)
        resp = client.get(url, headers={**resident.headers, "X-Internal-Token": token})
        assert resp.status_code == 200, (token, resp.status_code)
    assert client.post("/internal/bot/respond", headers={"X-Internal-Token": b"\xff"}, json={}).status_code == 404
