"""Helpers for the SMS tests: settings for the channel, a resident's phone that texts through
the providers' webhooks as they do, and a fake of the 46elks (and Twilio) sending API built to
their documented contracts."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from api import settings
from api.db import session_scope
from api.sms.models import SmsConversation, SmsOutbox

SECRET = "elks-callback-secret"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-auth-token-for-tests"
PUBLIC = "https://sms.bibliotek.example"
SOLNA_NUMBER = "+46766860001"
SUNDBYBERG_NUMBER = "+46766860002"
SHARED_NUMBER = "+46766860009"

BASE_ENV = {
    "SMS_PROVIDER": "console",
    "SMS_WEBHOOK_SECRET": SECRET,
    "TWILIO_ACCOUNT_SID": TWILIO_SID,
    "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
    "PUBLIC_BASE_URL": PUBLIC,
    "SMS_NUMBERS": f"{SOLNA_NUMBER}=solna,{SUNDBYBERG_NUMBER}=sundbyberg",
    "SMS_OUTBOX_POLL_SECONDS": "0",  # the tests drive the outbox themselves
    "SMS_MAX_SEGMENTS": "4",
}


@contextmanager
def sms_settings(monkeypatch: pytest.MonkeyPatch, **extra: str) -> Iterator[None]:
    for key, value in {**BASE_ENV, **extra}.items():
        monkeypatch.setenv(key, value)
    settings.get_settings.cache_clear()
    try:
        yield
    finally:
        monkeypatch.undo()
        settings.get_settings.cache_clear()


def new_number() -> str:
    return "+4670" + str(uuid.uuid4().int)[:7]


@dataclass
class Phone:
    """A resident's mobile: texts one of our numbers; 46elks (default) or Twilio calls our webhook."""

    http: TestClient
    number: str = field(default_factory=new_number)
    ours: str = SOLNA_NUMBER

    def text(self, message: str, msg_id: str | None = None, via: str = "46elks") -> Any:
        msg_id = msg_id or uuid.uuid4().hex
        if via == "twilio":
            return twilio_post(self.http, "/api/sms/twilio", twilio_form(self.number, self.ours, message, msg_id))
        form = {"from": self.number, "to": self.ours, "message": message, "id": msg_id, "created": "2026-11-25"}
        return self.http.post(f"/api/sms/46elks?secret={SECRET}", data=form)

    def outbox(self) -> list[SmsOutbox]:
        with session_scope() as session:
            return list(
                session.scalars(select(SmsOutbox).where(SmsOutbox.to_number == self.number).order_by(SmsOutbox.id))
            )

    def texts(self) -> list[str]:
        return [r.text for r in self.outbox() if r.status != "suppressed"]

    def conversation_id(self) -> str:
        with session_scope() as session:
            ids = session.scalars(
                select(SmsConversation.conversation_id).where(SmsConversation.phone == self.number)
            ).all()
        assert len(ids) >= 1
        return ids[-1]


def drain() -> dict[str, int]:
    """What the outbox worker does: send until nothing is due."""
    from api.sms.outbox import send_due

    total: dict[str, int] = {}
    while counts := send_due():
        for status, n in counts.items():
            total[status] = total.get(status, 0) + n
    return total


def twilio_form(sender: str, to: str, body: str, sid: str) -> dict[str, str]:
    return {
        "MessageSid": sid, "SmsSid": sid, "AccountSid": TWILIO_SID, "From": sender, "To": to, "Body": body,
        "NumMedia": "0", "NumSegments": "1", "FromCountry": "SE", "ToCountry": "SE", "ApiVersion": "2010-04-01",
    }  # fmt: skip


def twilio_post(http: TestClient, path: str, form: dict[str, str], token: str = TWILIO_TOKEN) -> Any:
    """As Twilio does: the signature over the public URL and the sorted parameters."""
    signature = RequestValidator(token).compute_signature(f"{PUBLIC}{path}", form)
    return http.post(path, data=form, headers={"X-Twilio-Signature": signature})


# ---- a fake of the providers' sending APIs -------------------------------------------------------


class FakeProvider:
    """46elks `POST /a1/sms` (Basic Auth with the API username and password; form fields from,
    to, message, whendelivered; JSON with id, status "created", ...) and Twilio's Messages API.
    `mode`: ok | fail (HTTP 503) | timeout (answers too late) | reject (HTTP 400)."""

    def __init__(self, user: str = "u_test", password: str = "p_test") -> None:
        self.user, self.password = user, password
        self.mode = "ok"
        self.delay = 0.0
        self.received: list[dict[str, str]] = []
        self.attempts = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                fake.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _reply(self, h: BaseHTTPRequestHandler, code: int, body: dict[str, Any] | str) -> None:
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        h.send_response(code)
        h.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/plain")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(h.rfile.read(length).decode()))
        with self._lock:
            self.attempts += 1
        twilio = h.path.startswith("/2010-04-01/Accounts/")
        user, password = (TWILIO_SID, TWILIO_TOKEN) if twilio else (self.user, self.password)
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if h.headers.get("Authorization") != expected:
            return self._reply(h, 401, "API access requires Basic HTTP authentication.")
        if self.mode == "timeout":
            time.sleep(self.delay or 2.0)
            return self._reply(h, 504, "gateway timeout")
        if self.mode == "fail":
            return self._reply(h, 503, "Service temporarily unavailable")
        if h.path == "/a1/sms":
            missing = [k for k in ("from", "to", "message") if not form.get(k)]
            if missing or self.mode == "reject":
                return self._reply(h, 400, f"Missing key {missing[0] if missing else 'to'}")
            sms_id = "s" + uuid.uuid4().hex
            with self._lock:
                self.received.append({**form, "id": sms_id, "api": "46elks"})
            parts = 1 + len(form["message"]) // 153
            return self._reply(h, 200, {
                "status": "created", "direction": "outgoing", "from": form["from"], "to": form["to"],
                "message": form["message"], "created": "2026-11-25T12:00:00.000000", "parts": parts,
                "estimated_cost": 3500 * parts, "id": sms_id,
            })  # fmt: skip
        if twilio and h.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json":
            sid = "SM" + uuid.uuid4().hex
            with self._lock:
                self.received.append({**form, "id": sid, "api": "twilio"})
            return self._reply(h, 201, {"sid": sid, "status": "queued", "to": form.get("To"), "body": form.get("Body")})
        return self._reply(h, 404, "not found")
