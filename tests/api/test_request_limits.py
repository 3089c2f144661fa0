"""Point 7 of issue 13: request bodies are bounded before they are read, and 422s neither echo
the input nor differ from what the OpenAPI document promises."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

CHUNK = 16 * 1024
HUGE = 8 * 1024 * 1024  # 8 MiB offered; a bounded API pulls at most the limit plus one chunk


@pytest.fixture
def app(seeded: str) -> FastAPI:
    from api.main import create_app

    return create_app()


def _call(app: FastAPI, path: str, headers: dict[str, str], total: int, *, with_length: bool) -> tuple[int, int]:
    """POST `total` bytes to the app through raw ASGI; returns (status, bytes the app pulled)."""
    pulled = 0
    sent = 0
    status: list[int] = []
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if with_length:
        raw.append((b"content-length", str(total).encode()))
    else:
        raw.append((b"transfer-encoding", b"chunked"))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": raw,
        "client": ("203.0.113.9", 40000), "server": ("testserver", 80),
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        nonlocal pulled, sent
        if sent >= total:
            return {"type": "http.disconnect"}
        size = min(CHUNK, total - sent)
        sent += size
        pulled += size
        body = b"{" + b" " * (size - 1) if sent == size else b" " * size
        return {"type": "http.request", "body": body, "more_body": sent < total}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    asyncio.run(app(scope, receive, send))
    return status[0], pulled


@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "chunked"])
def test_an_oversize_conversation_body_is_refused_unread(app: FastAPI, with_length: bool) -> None:
    headers = {"content-type": "application/json"}
    status, pulled = _call(app, "/api/conversations", headers, HUGE, with_length=with_length)
    assert status == 413
    # Declared too long: nothing is read. Streamed: reading stops right after the limit.
    assert pulled == 0 if with_length else pulled <= 64 * 1024 + CHUNK, pulled


@pytest.mark.parametrize("path", ["/api/sms/twilio", "/api/sms/46elks", "/api/sms/twilio/status"])
@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "chunked"])
def test_an_oversize_sms_webhook_body_is_refused_before_the_signature_check(
    app: FastAPI, path: str, with_length: bool
) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "forged"}
    status, pulled = _call(app, path, headers, HUGE, with_length=with_length)
    # 46elks' secret is in the URL: without it the call is refused before its body is touched at all.
    assert status == 413 or (path == "/api/sms/46elks" and status == 403 and pulled == 0), (status, pulled)
    assert pulled == 0 if with_length else pulled <= 64 * 1024 + CHUNK, pulled


def test_the_content_import_may_be_larger_than_other_bodies(app: FastAPI) -> None:
    """A full content export (about 1.1 MB today) must import: its route has its own, larger limit."""
    status, _ = _call(app, "/api/curation/import", {"content-type": "text/plain"}, 2 * 1024 * 1024, with_length=True)
    assert status == 401  # past the body limit: the login is what stops it here
    status, _ = _call(app, "/api/curation/import", {"content-type": "text/plain"}, 64 * 1024 * 1024, with_length=True)
    assert status == 413


def test_a_body_within_the_limit_still_works(app: FastAPI) -> None:
    with TestClient(app) as http:
        assert http.post("/api/conversations", json={"channel": "web", "locale": "sv"}).status_code == 201


# ---- 422: the documented shape, and no echo of the input ---------------------------------------------


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def conforms(spec: dict[str, Any], schema: dict[str, Any], value: Any, where: str = "$") -> None:
    """A small JSON-schema check for what FastAPI generates: $ref, type, required, properties,
    items, anyOf. Enough to hold an error body to its documented schema."""
    schema = _resolve(spec, schema)
    if "anyOf" in schema:
        problems = []
        for option in schema["anyOf"]:
            try:
                conforms(spec, option, value, where)
                return
            except AssertionError as exc:
                problems.append(str(exc))
        raise AssertionError(f"{where}: matches none of anyOf: {problems}")
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}
    if kind in types:
        assert isinstance(value, types[kind]), f"{where}: expected {kind}, got {type(value).__name__}"
    if kind == "object":
        for name in schema.get("required", []):
            assert name in value, f"{where}: {name!r} is required"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                conforms(spec, sub, value[name], f"{where}.{name}")
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(schema.get("properties", {}))
            assert not extra, f"{where}: undocumented {extra}"
    if kind == "array":
        for i, item in enumerate(value):
            conforms(spec, schema.get("items", {}), item, f"{where}[{i}]")


def documented(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    responses = spec["paths"][path][method]["responses"]
    found = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    assert found is not None, f"{method.upper()} {path} does not document {status}"
    return found["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


SECRET = "Mitt personnummer 850312-1234 och pinkoden 4321"


def test_a_422_does_not_echo_the_input_and_matches_the_openapi(client: TestClient) -> None:
    spec = client.app.openapi()  # type: ignore[attr-defined]
    conv = client.post("/api/conversations", json={"channel": "web"}).json()
    headers = {"Authorization": f"Bearer {conv['token']}"}
    path = "/api/conversations/{conversation_id}/messages"
    cases = {
        "too long": {"text": SECRET + "x" * 3000},
        "wrong type": {"text": [SECRET]},
        "unknown field": {"text": "hej", "secret": SECRET},
        "payload too long": {"text": "hej", "payload": SECRET * 10},
    }
    for name, body in cases.items():
        resp = client.post(f"/api/conversations/{conv['id']}/messages", json=body, headers=headers)
        assert resp.status_code == 422, name
        assert "850312" not in resp.text and "4321" not in resp.text, (name, resp.text)
        detail = resp.json()["detail"]
        assert isinstance(detail, list) and detail and all(d["msg"] for d in detail), (name, detail)
        assert set(resp.json()) == {"detail"} and all(set(d) == {"loc", "msg", "type"} for d in detail), name
        conforms(spec, documented(spec, path, "post", 422), resp.json())
    too_long = client.post(f"/api/conversations/{conv['id']}/messages", json=cases["too long"], headers=headers)
    assert "too long" in too_long.json()["detail"][0]["msg"]  # plain language, with the limit
    assert "2000" in too_long.json()["detail"][0]["msg"]


def test_hand_raised_4xx_match_the_openapi(client: TestClient) -> None:
    """422s raised by a handler (an unknown library) have the validation shape; other 4xx are
    documented too, with the shape they have."""
    spec = client.app.openapi()  # type: ignore[attr-defined]
    unknown = client.post("/api/conversations", json={"library": "atlantis"})
    assert unknown.status_code == 422
    conforms(spec, documented(spec, "/api/conversations", "post", 422), unknown.json())
    assert "library" in unknown.json()["detail"][0]["msg"].lower()
    missing = client.get("/api/conversations/nope/messages", headers={"Authorization": "Bearer x"})
    assert missing.status_code == 404
    conforms(spec, documented(spec, "/api/conversations/{conversation_id}/messages", "get", 404), missing.json())
    unauthorised = client.get("/api/conversations/nope/messages")
    conforms(spec, documented(spec, "/api/conversations/{conversation_id}/messages", "get", 401), unauthorised.json())
    staff = client.get("/api/staff/me")
    conforms(spec, documented(spec, "/api/staff/me", "get", 401), staff.json())


def test_every_operation_documents_its_error_bodies(client: TestClient) -> None:
    spec = client.app.openapi()  # type: ignore[attr-defined]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            responses = op["responses"]
            assert "422" in responses and "4XX" in responses, f"{method} {path}"
            body = _resolve(spec, responses["422"]["content"]["application/json"]["schema"])
            assert body["properties"]["detail"]["type"] == "array", f"{method} {path}"


def test_the_body_limit_answer_is_json_with_a_clear_message(app: FastAPI) -> None:
    with TestClient(app) as http:
        resp = http.post("/api/conversations", content=json.dumps({"x": "y" * 100_000}),
                         headers={"content-type": "application/json"})  # fmt: skip
    assert resp.status_code == 413
    assert "too large" in resp.json()["detail"]
