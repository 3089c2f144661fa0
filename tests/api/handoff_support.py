"""Helpers for the handoff tests: staff accounts with their own logged-in TestClient, and residents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.db import session_scope
from api.handoff import accounts

PASSWORD = "correct horse battery"


def new_staff(role: str = "staff", languages: tuple[str, ...] = ("sv", "en"), library: str = "stockholm") -> str:
    email = f"{role}-{uuid.uuid4().hex[:8]}@bibliotek.example"
    with session_scope() as session:
        accounts.create_user(
            session,
            email=email,
            name=f"{role.title()} {email[:12]}",
            password=PASSWORD,
            role=role,
            library=library,
            languages=languages,
        )
    return email


@dataclass
class Staff:
    """A logged-in staff member: their own cookie jar, their CSRF token sent on writes."""

    http: TestClient
    email: str
    id: int
    csrf: str

    def get(self, url: str, **kw: Any) -> Any:
        return self.http.get(url, **kw)

    def post(self, url: str, json: Any = None, csrf: bool = True, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.http.post(url, json=json, headers={**headers, **kw.pop("headers", {})}, **kw)

    def put(self, url: str, json: Any = None, csrf: bool = True) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.http.put(url, json=json, headers=headers)

    def delete(self, url: str, csrf: bool = True, **kw: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.http.delete(url, headers=headers, **kw)

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        resp = self.get(f"/api/staff/tickets/{ticket_id}")
        assert resp.status_code == 200, resp.text
        return resp.json()  # type: ignore[no-any-return]

    def queue(self, **params: Any) -> list[dict[str, Any]]:
        resp = self.get("/api/staff/tickets", params=params)
        assert resp.status_code == 200, resp.text
        return resp.json()["tickets"]  # type: ignore[no-any-return]

    def act(self, ticket_id: int, action: str, json: Any = None) -> Any:
        return self.post(f"/api/staff/tickets/{ticket_id}/{action}", json=json)


def login(app: FastAPI, email: str, password: str = PASSWORD) -> Staff:
    http = TestClient(app)
    resp = http.post("/api/staff/login", json={"email": email, "password": password})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return Staff(http=http, email=email, id=body["staff"]["id"], csrf=body["csrf_token"])


@dataclass
class Resident:
    http: TestClient
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def say(self, text: str, **extra: Any) -> list[dict[str, Any]]:
        resp = self.http.post(
            f"/api/conversations/{self.id}/messages", json={"text": text, **extra}, headers=self.headers
        )
        assert resp.status_code == 200, resp.text
        return resp.json()["messages"]  # type: ignore[no-any-return]

    def ask_for_person(self) -> dict[str, Any]:
        (reply,) = self.say("Jag vill prata med en bibliotekarie", payload="handoff")
        assert reply["kind"] == "handoff"
        return reply

    def transcript(self, after: int = 0) -> dict[str, Any]:
        resp = self.http.get(f"/api/conversations/{self.id}/messages", params={"after": after}, headers=self.headers)
        assert resp.status_code == 200, resp.text
        return resp.json()  # type: ignore[no-any-return]

    def ticket_id(self, staff: Staff) -> int:
        states = ["waiting", "with_staff", "resolved", "closed"]
        found = [t for t in staff.queue(state=states) if t["conversation_id"] == self.id]
        assert found, "no ticket for this conversation"
        return max(t["id"] for t in found)  # type: ignore[no-any-return]


def new_resident(http: TestClient, **body: Any) -> Resident:
    resp = http.post("/api/conversations", json={"channel": "web", "locale": "sv", **body})
    assert resp.status_code == 201, resp.text
    data = resp.json()
    return Resident(http=http, id=data["id"], token=data["token"])
