"""schemathesis over the whole OpenAPI document (issue 13, point 11): logged out, and as staff,
coordinator and admin. No request may give a server error (5xx); 2xx responses must match
their documented schema.

In process against the ASGI app (no server), on PostgreSQL (where NUL characters and integer
overflows bite), in a schema of its own: the fuzzer creates accounts, topics and texts, which
must not reach the seeded database the other tests share. Deterministic: Hypothesis is
derandomized and keeps no example database, so CI runs the same cases every time.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import select

from api.openapi_doc import full_document
from tests.api.conftest import _reset_caches
from tests.api.handoff_support import PASSWORD
from tests.postgres import new_schema

# Per operation, role and generation mode (valid and invalid input): 61 operations x 4 roles
# x 2 modes x EXAMPLES calls. Sized for the CI budget (about 3 minutes in all); raise it locally
# to search deeper.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
ROLES = ("anonymous", "staff", "coordinator", "admin")
INTERNAL_TOKEN = "test-internal-token"

EXCLUDED = {
    # Long-lived event streams would hold the fuzzer for their whole heartbeat; their inputs are
    # covered by targeted tests (test_bad_input.py, test_handoff_live.py).
    ("GET", "/api/conversations/{conversation_id}/events"),
    ("GET", "/api/staff/events"),
    # Ends the role's own session: the rest of the run would be logged out (test_handoff_accounts.py).
    ("POST", "/api/staff/logout"),
}


@dataclass
class Role:
    name: str
    email: str | None = None
    session_id: str = ""
    csrf: str = ""

    def ensure_logged_in(self, app: Any) -> None:
        """The fuzzer may deactivate, demote or re-password this account (PATCH /api/staff/users)
        or trip the login throttle: put it back and log in again when its session is gone."""
        if self.email is None:
            return
        from api.db import session_scope
        from api.handoff import accounts, sessions
        from api.ratelimit import forget_process_state

        with session_scope() as session:
            user = accounts.by_email(session, self.email)
            assert user is not None
            login = sessions.lookup(session, self.session_id) if self.session_id else None
            if login is not None and user.active and user.role == self.name:
                return
            accounts.update_user(session, user, role=self.name, active=True, password=PASSWORD, library="solna")
        forget_process_state()  # the login throttle among them
        from fastapi.testclient import TestClient

        http = TestClient(app)  # not entered: the module's lifespan is already running
        resp = http.post("/api/staff/login", json={"email": self.email, "password": PASSWORD})
        assert resp.status_code == 200, resp.text
        self.session_id, self.csrf = resp.cookies["bh_staff"], resp.json()["csrf_token"]


@dataclass
class Fixtures:
    """Real ids for the fuzzer to use every other call, so it reaches past the 404s."""

    app: Any
    conversation: tuple[str, str] | None = None
    ticket_id: int = 0
    message_id: int = 0

    def resident(self) -> tuple[str, str]:
        if self.conversation is None:
            from fastapi.testclient import TestClient

            http = TestClient(self.app)
            data = http.post("/api/conversations", json={"library": "solna", "locale": "sv"}).json()
            headers = {"Authorization": f"Bearer {data['token']}"}
            resp = http.post(
                f"/api/conversations/{data['id']}/messages",
                json={"text": "Jag vill prata med en bibliotekarie", "payload": "handoff"},
                headers=headers,
            )
            assert resp.status_code == 200, resp.text
            http.post(f"/api/conversations/{data['id']}/messages", json={"text": "Hur lånar jag om?"}, headers=headers)
            self.conversation = (data["id"], data["token"])
            self._ids(data["id"])
        return self.conversation

    def _ids(self, conversation_id: str) -> None:
        from api.conversations.models import Message
        from api.db import session_scope
        from api.handoff.models import Ticket

        with session_scope() as session:
            self.ticket_id = session.scalar(select(Ticket.id).where(Ticket.conversation_id == conversation_id)) or 0
            self.message_id = (
                session.scalar(
                    select(Message.id).where(Message.conversation_id == conversation_id, Message.sender == "bot")
                )
                or 0
            )


@pytest.fixture(scope="module")
def fuzz_app() -> Iterator[Any]:
    """A migrated, seeded PostgreSQL schema of its own, and the app on it; the environment the
    shared fixtures set is put back afterwards."""
    with new_schema("fz") as url:
        yield from _fuzz_app_on(url)


def _fuzz_app_on(url: str) -> Iterator[Any]:
    env = {
        "DATABASE_URL": url,
        "APP_ENV": "development",  # test secrets (api/production_guard.py), also when run alone
        "INTERNAL_TOKEN": INTERNAL_TOKEN,
        "RASA_URL": "http://127.0.0.1:9",
        "ACTION_SERVER_URL": "http://127.0.0.1:9",
        "SMS_OUTBOX_POLL_SECONDS": "0",  # no background sender
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    _reset_caches()
    try:
        from api.cli import migrate, seed
        from api.main import create_app

        migrate()
        seed()
        from fastapi.testclient import TestClient

        app = create_app()
        with TestClient(app):  # the app's lifespan once for the module, ended with it
            yield app
    finally:
        from api.db import get_engine

        get_engine().dispose()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reset_caches()


def _role(app: Any, name: str) -> Role:
    if name == "anonymous":
        return Role(name)
    from tests.api.handoff_support import new_staff

    role = Role(name, new_staff(name, ("sv", "en"), "solna"))
    role.ensure_logged_in(app)
    return role


def _use_real_ids(case: Any, real: Fixtures) -> dict[str, str]:
    """Real ids instead of generated ones (the resident's token with a real conversation)."""
    headers: dict[str, str] = {}
    params = case.path_parameters or {}
    conversation_id, token = real.resident()
    if "conversation_id" in params:
        params["conversation_id"] = conversation_id
        headers["Authorization"] = f"Bearer {token}"
    if "ticket_id" in params and real.ticket_id:
        params["ticket_id"] = real.ticket_id
    if "message_id" in params and real.message_id:
        params["message_id"] = real.message_id
    return headers


def _credentials(role: Role, app: Any) -> tuple[dict[str, str], dict[str, str] | None]:
    """Headers and cookies of the role: staff send the session cookie and the CSRF header
    (logged out, the generated values stay)."""
    if role.email is None:
        return {}, None
    role.ensure_logged_in(app)
    return {"X-CSRF-Token": role.csrf}, {"bh_staff": role.session_id}


@dataclass
class Run:
    app: Any
    roles: list[Role]
    real: Fixtures
    http: Any = None
    calls: dict[str, Counter[int]] = field(default_factory=lambda: {name: Counter() for name in ROLES})
    failures: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in ROLES})

    def __post_init__(self) -> None:
        self.http = asgi.get_client(self.app)  # not entered: no lifespan of its own

    def send(self, case: Any, use_real: bool, label: str) -> None:
        """One generated case, in every role."""
        resident = _use_real_ids(case, self.real) if use_real else {}
        for role in self.roles:
            headers, cookies = _credentials(role, self.app)
            headers = {**headers, **resident}
            try:
                response = case.call(session=self.http, headers=headers, cookies=cookies)
                self.calls[role.name][response.status_code] += 1
                checks = [not_a_server_error]
                if 200 <= response.status_code < 300:
                    # 4xx bodies are not yet in the documented shape (point 7 changes `detail`).
                    checks.append(response_schema_conformance)
                case.validate_response(response, checks=checks, headers=headers)
            except Exception as exc:  # noqa: BLE001 - every role's failure is reported
                self.failures[role.name].append(f"{label}: {str(exc)[:1500]}")
                continue
            deleted = (case.method, case.path) == ("DELETE", "/api/conversations/{conversation_id}")
            if deleted and use_real and response.status_code == 204:
                self.real.conversation = None  # the next real call starts a new one
                resident = _use_real_ids(case, self.real)

    def fuzz(self, op: Any, mode: GenerationMode) -> None:
        label = f"{op.method.upper()} {op.path} [{mode.value}]"

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: report the case as found
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy(generation_mode=mode), use_real=st.booleans())
        def run(case: Any, use_real: bool) -> None:
            self.send(case, use_real, label)

        with suppress(Unsatisfiable):  # nothing in this operation can be made invalid (no parameters)
            run()


def test_no_server_errors_over_the_whole_api(fuzz_app: Any) -> None:
    """Each generated case is sent in all four roles: one generation (the costly part), and every
    role meets the same inputs."""
    # From the app's document directly: schemathesis' own ASGI loader would start a second
    # lifespan that lives until the process ends.
    schema = schemathesis.openapi.from_dict(full_document(fuzz_app))  # anything left out of /docs too
    schema.app = fuzz_app
    operations = [op.ok() for op in schema.get_all_operations()]
    labels = {(op.method.upper(), op.path) for op in operations}
    # The resident's turn (which now understands the message and decides without Rasa here) is fuzzed.
    assert ("POST", "/api/conversations/{conversation_id}/messages") in labels
    assert not [path for _, path in labels if path.startswith("/internal")], "the API has no internal routes (issue 14)"
    assert labels >= EXCLUDED, "an excluded operation is gone: update EXCLUDED"
    run = Run(fuzz_app, [_role(fuzz_app, name) for name in ROLES], Fixtures(fuzz_app))
    started = time.monotonic()
    for op in operations:
        if (op.method.upper(), op.path) not in EXCLUDED:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run.fuzz(op, mode)
    elapsed = time.monotonic() - started
    for name, calls in run.calls.items():
        print(f"\nschemathesis as {name}: {calls.total()} calls, statuses {dict(sorted(calls.items()))}")
    print(f"schemathesis: {sum(c.total() for c in run.calls.values())} calls in {elapsed:.0f} s")
    assert all(c.total() > 0 for c in run.calls.values())
    found = [f"as {name}: {failure}" for name, items in run.failures.items() for failure in dict.fromkeys(items)]
    assert not found, "\n\n".join(found[:40])
