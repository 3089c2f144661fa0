"""Issue 13, point 15: no secret in a URL, no internals on show.

The resident event stream takes a short-lived ticket (never the bearer token in the URL, where
access logs, proxies and browser history keep it); the internal token goes to Rasa only in a
header, and the API has no internal routes of its own any more (issue 14); `/static/*.html` is
never served without the pages' CSP; `/docs` does not list internal routes."""

from __future__ import annotations

import httpx
import pytest

from tests.api.handoff_support import Resident, new_resident
from tests.api.live_server import WAIT, live_server

INTERNAL = "test-internal-token"  # tests/api/conftest.py


def _ticket(resident: Resident) -> dict:  # type: ignore[type-arg]
    resp = resident.http.post(f"/api/conversations/{resident.id}/events/ticket", headers=resident.headers)
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def test_the_event_stream_refuses_the_bearer_token_in_the_url(client, resident: Resident) -> None:  # type: ignore[no-untyped-def]
    with live_server() as url:
        events = f"{url}/api/conversations/{resident.id}/events"
        with httpx.stream("GET", events, params={"token": resident.token}, timeout=WAIT) as resp:
            assert resp.status_code == 401
        # Nor in a header: the stream is opened only with a ticket.
        with httpx.stream("GET", events, headers=resident.headers, timeout=WAIT) as resp:
            assert resp.status_code == 401


def test_a_ticket_opens_its_own_stream_and_nothing_else(client, resident: Resident) -> None:  # type: ignore[no-untyped-def]
    issued = _ticket(resident)
    assert set(issued) == {"ticket", "expires_in"} and 0 < issued["expires_in"] <= 60
    ticket = issued["ticket"]
    assert resident.token not in ticket
    with live_server() as url:
        events = f"{url}/api/conversations/{resident.id}/events"
        with httpx.stream("GET", events, params={"ticket": ticket}, timeout=WAIT) as resp:
            assert resp.status_code == 200
            lines = resp.iter_lines()
            assert "event: ready" in [next(lines) for _ in range(3)]
    # The ticket is not a bearer token: it reads and writes nothing.
    as_bearer = {"Authorization": f"Bearer {ticket}"}
    assert client.get(f"/api/conversations/{resident.id}/messages", headers=as_bearer).status_code == 404
    assert client.post(f"/api/conversations/{resident.id}/events/ticket", headers=as_bearer).status_code == 404
    # Another conversation's stream stays shut, and so does this one with a forged or altered ticket.
    other = new_resident(client)
    assert client.get(f"/api/conversations/{other.id}/events", params={"ticket": ticket}).status_code == 401
    events = f"/api/conversations/{resident.id}/events"
    altered = ticket[:-2] + ("AA" if ticket[-2:] != "AA" else "BB")
    assert client.get(events, params={"ticket": altered}).status_code == 401
    assert client.get(events, params={"ticket": "99999999999." + ticket.split(".", 1)[1]}).status_code == 401
    assert client.get(events, params={"ticket": "x"}).status_code == 401
    assert client.get(events).status_code == 401


def test_a_ticket_expires(client, resident: Resident, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import time

    from api.handoff import stream_tickets

    ticket = _ticket(resident)["ticket"]
    later = time.time() + stream_tickets.TICKET_SECONDS + 1
    monkeypatch.setattr(stream_tickets.time, "time", lambda: later)
    assert client.get(f"/api/conversations/{resident.id}/events", params={"ticket": ticket}).status_code == 401


def test_a_ticket_needs_the_bearer_token(client, resident: Resident) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/conversations/{resident.id}/events/ticket"
    assert client.post(url).status_code == 401
    assert client.post(url, headers={"Authorization": "Bearer wrong"}).status_code == 404


def test_the_internal_token_goes_to_rasa_only_in_a_header(seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The API's calls into Rasa's internal channel (tracker deletion, the try-it box's parse)
    carry the shared token in X-Internal-Token, never in the URL or the body. No app runs here:
    its retention job deletes trackers on its own schedule and would add calls of its own."""
    from api.conversations import rasa_client

    seen: list[httpx.Request] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/parse"):
            return httpx.Response(200, json={"intent_ranking": [{"name": "greet", "confidence": 0.9}]})
        return httpx.Response(200, json={"deleted": 1})

    rasa_client.reset()
    monkeypatch.setattr(
        rasa_client,
        "_sync_client",
        lambda: httpx.Client(base_url="http://rasa.test", transport=httpx.MockTransport(rasa)),
    )
    rasa_client.forget(["c1", "c2"])
    assert rasa_client.parse("hej", {"nlu": {}}) == {"greet": 0.9}
    assert [r.url.path for r in seen] == ["/webhooks/internal/trackers/delete", "/webhooks/internal/parse"]
    for request in seen:
        assert request.headers["X-Internal-Token"] == INTERNAL
        assert INTERNAL not in str(request.url) and not request.url.query
        assert INTERNAL.encode() not in request.content


def test_the_api_has_no_internal_routes_any_more(client, conversation) -> None:  # type: ignore[no-untyped-def]
    """The bot side no longer calls the API (issue 14): the old doors are shut, with or without the token."""
    nlg = {"response": "utter_greet", "tracker": {"sender_id": conversation["id"]}}
    turn = {"conversation_id": conversation["id"], "action": "answer_faq", "text": "hej"}
    for path, body in (("/internal/nlg", nlg), ("/internal/bot/respond", turn)):
        assert client.post(path, json=body).status_code == 404
        assert client.post(path, params={"token": INTERNAL}, json=body).status_code == 404
        assert client.post(path, headers={"X-Internal-Token": INTERNAL}, json=body).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/static/desk.html",
        "/static/content/content.html",
        "/static/demo/index.html",
        "/static/pages/integritet.html",
        "/static/pages/tillganglighet.html",
        "/static/DESK.HTML",
        "/static/desk.htm",
        "/static/content/",
    ],
)
def test_static_pages_are_not_served_without_their_csp(client, path: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.get(path)
    assert resp.status_code == 404 or "Content-Security-Policy" in resp.headers, (path, resp.status_code)
    assert "<html" not in resp.text.lower()


def test_static_scripts_and_styles_are_still_served(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/static/desk.js", "/static/desk.css", "/static/widget/widget.js", "/static/content/content.js"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    # The pages themselves come from their routes, with the CSP.
    for page in ("/desk", "/content", "/", "/integritet", "/tillganglighet"):
        resp = client.get(page)
        assert resp.status_code == 200 and "Content-Security-Policy" in resp.headers, page


def test_docs_do_not_list_internal_routes(client) -> None:  # type: ignore[no-untyped-def]
    from api.openapi_doc import full_document

    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/internal")]
    assert "/api/conversations/{conversation_id}/events/ticket" in paths
    # Nor is anything internal left out of the public document: the full one has none either.
    assert not [p for p in full_document(client.app)["paths"] if p.startswith("/internal")]
