"""Staff accounts, sessions, CSRF and roles; residents see only their own conversation."""

from __future__ import annotations

import argparse

import pytest
from sqlalchemy import select

from api.handoff import accounts, throttle, user_command
from api.handoff.models import StaffSession, StaffUser
from api.ratelimit import forget_process_state
from api.settings import get_settings
from tests.api.handoff_support import PASSWORD, login, new_resident, new_staff


def test_login_sets_a_strict_httponly_cookie_and_returns_a_csrf_token(client) -> None:  # type: ignore[no-untyped-def]
    email = new_staff()
    resp = client.post("/api/staff/login", json={"email": email.upper(), "password": PASSWORD})
    assert resp.status_code == 200
    body = resp.json()
    assert body["staff"]["email"] == email and body["staff"]["role"] == "staff" and len(body["csrf_token"]) >= 40
    cookies = [h for h in resp.headers.get_list("set-cookie")]
    session_cookie = next(c for c in cookies if c.startswith("bh_staff="))
    assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie.replace("Strict", "strict")
    csrf_cookie = next(c for c in cookies if c.startswith("bh_csrf="))
    assert "HttpOnly" not in csrf_cookie  # the desk's script reads it after a reload
    client.cookies.clear()


def test_only_hashes_are_stored(client, db) -> None:  # type: ignore[no-untyped-def]
    staff = login(client.app, new_staff())
    user = db.scalar(select(StaffUser).where(StaffUser.email == staff.email))
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    rows = db.scalars(select(StaffSession).where(StaffSession.staff_id == user.id)).all()
    assert rows and all(staff.csrf not in (r.id_hash, r.csrf_hash) for r in rows)
    assert staff.http.cookies["bh_staff"] not in [r.id_hash for r in rows]


def test_wrong_password_unknown_email_and_no_session_are_401(client) -> None:  # type: ignore[no-untyped-def]
    email = new_staff()
    wrong = client.post("/api/staff/login", json={"email": email, "password": "not the password"})
    unknown = client.post("/api/staff/login", json={"email": "nobody@bibliotek.example", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    for path in (
        "/api/staff/me",
        "/api/staff/tickets",
        "/api/staff/tickets/1",
        "/api/staff/users",
        "/api/staff/events",
    ):
        assert client.get(path).status_code == 401, path
    assert client.post("/api/staff/tickets/1/claim").status_code == 401


def test_every_state_changing_call_needs_the_csrf_header(client, resident, make_staff) -> None:  # type: ignore[no-untyped-def]
    staff = make_staff()
    resident.ask_for_person()
    tid = resident.ticket_id(staff)
    writes = [
        ("claim", None),
        ("reply", {"text": "hej"}),
        ("notes", {"text": "internt"}),
        ("transfer", {"library": "solna"}),
        ("resolve", None),
        ("reopen", None),
        ("hand-back", None),
    ]
    for action, body in writes:
        missing = staff.post(f"/api/staff/tickets/{tid}/{action}", json=body, csrf=False)
        assert missing.status_code == 403 and "X-CSRF-Token" in missing.json()["detail"], action
        wrong = staff.http.post(f"/api/staff/tickets/{tid}/{action}", json=body, headers={"X-CSRF-Token": "guess"})
        assert wrong.status_code == 403, action
    assert staff.ticket(tid)["ticket"]["state"] == "waiting" and staff.ticket(tid)["notes"] == []
    assert staff.post("/api/staff/logout", csrf=False).status_code == 403
    assert staff.act(tid, "claim").status_code == 200  # with the header it works


def test_logout_ends_the_session(client) -> None:  # type: ignore[no-untyped-def]
    staff = login(client.app, new_staff())
    cookie = staff.http.cookies["bh_staff"]
    assert staff.get("/api/staff/me").json()["email"] == staff.email
    assert staff.post("/api/staff/logout").status_code == 204
    again = login(client.app, new_staff())  # a fresh client replaying the old cookie
    again.http.cookies.clear()
    again.http.cookies.set("bh_staff", cookie)
    assert again.get("/api/staff/me").status_code == 401


def test_staff_cannot_use_admin_endpoints_but_admins_can(client, make_staff) -> None:  # type: ignore[no-untyped-def]
    staff, coordinator, admin = make_staff(), make_staff("coordinator"), make_staff("admin")
    new = {
        "email": "ny.kollega@bibliotek.example",
        "name": "Ny Kollega",
        "password": "a-long-password",
        "library": "nacka",
    }
    for person in (staff, coordinator):
        assert person.get("/api/staff/users").status_code == 403
        assert person.post("/api/staff/users", json=new).status_code == 403
        assert person.http.patch(f"/api/staff/users/{person.id}", json={"role": "admin"}).status_code == 403
    assert admin.post("/api/staff/users", json=new, csrf=False).status_code == 403
    created = admin.post("/api/staff/users", json={**new, "languages": ["sv", "so"]})
    assert created.status_code == 201, created.text
    assert created.json()["languages"] == ["sv", "so"] and "password" not in created.text
    assert admin.post("/api/staff/users", json=new).status_code == 422  # exists already
    assert (
        admin.post("/api/staff/users", json={**new, "email": "x@bibliotek.example", "library": "atlantis"}).status_code
        == 422
    )
    listed = admin.get("/api/staff/users").json()
    assert "ny.kollega@bibliotek.example" in [u["email"] for u in listed]
    assert all("password_hash" not in u for u in listed)
    # What desk staff see of colleagues: no e-mail addresses, no admin data.
    colleagues = staff.get("/api/staff/colleagues").json()
    assert colleagues and all(set(c) == {"id", "name", "library", "languages", "online"} for c in colleagues)
    login(client.app, "ny.kollega@bibliotek.example", "a-long-password")


def test_a_deactivated_account_is_logged_out_and_cannot_log_in(client, make_staff) -> None:  # type: ignore[no-untyped-def]
    admin = make_staff("admin")
    staff = login(client.app, new_staff())
    assert admin.http.patch(f"/api/staff/users/{staff.id}", json={"active": False}).status_code == 403  # no CSRF
    resp = admin.http.patch(
        f"/api/staff/users/{staff.id}", json={"active": False}, headers={"X-CSRF-Token": admin.csrf}
    )
    assert resp.status_code == 200 and resp.json()["active"] is False
    assert staff.get("/api/staff/me").status_code == 401
    assert client.post("/api/staff/login", json={"email": staff.email, "password": PASSWORD}).status_code == 401
    own = admin.http.patch(f"/api/staff/users/{admin.id}", json={"active": False}, headers={"X-CSRF-Token": admin.csrf})
    assert own.status_code == 409


def test_residents_see_only_their_own_conversation(client, resident, make_staff) -> None:  # type: ignore[no-untyped-def]
    other = new_resident(client)
    other.ask_for_person()
    url = f"/api/conversations/{other.id}"
    own_ticket = client.post(f"/api/conversations/{resident.id}/events/ticket", headers=resident.headers).json()
    assert client.post(f"{url}/events/ticket", headers=resident.headers).status_code == 404
    assert client.get(f"{url}/events", params={"ticket": own_ticket["ticket"]}).status_code == 401
    assert client.get(f"{url}/events").status_code == 401
    assert client.post(f"{url}/contact", json={"contact": "a@b.se"}, headers=resident.headers).status_code == 404
    # A resident's token opens nothing on the staff side.
    assert client.get("/api/staff/tickets", headers=resident.headers).status_code == 401


def test_contact_details_go_to_the_ticket_and_only_its_handler_sees_them(client, resident, make_staff) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/conversations/{resident.id}/contact"
    assert client.post(url, json={"contact": "anna@example.org"}, headers=resident.headers).status_code == 409
    resident.ask_for_person()
    assert client.post(url, json={"contact": "hello"}, headers=resident.headers).status_code == 422
    ok = client.post(url, json={"contact": "070-123 45 67"}, headers=resident.headers)
    assert ok.status_code == 200 and ok.json()["kind"] == "system" and ok.json()["language"] == "sv"

    anna, bo = make_staff(), make_staff()
    tid = resident.ticket_id(anna)
    queued = next(t for t in anna.queue() if t["id"] == tid)
    assert queued["has_contact"] is True and "070" not in str(queued)
    assert anna.ticket(tid)["contact"] is None  # nobody handles it yet
    anna.act(tid, "claim")
    assert anna.ticket(tid)["contact"] == "070-123 45 67"
    assert bo.ticket(tid)["contact"] is None
    assert "070-123" not in str(bo.ticket(tid)["messages"])
    assert "070-123" not in str(resident.transcript())


def test_create_user_command_and_demo_account(client, capsys, db) -> None:  # type: ignore[no-untyped-def]
    args = argparse.Namespace(
        email="Forsta.Admin@Bibliotek.Example",
        name="Första Admin",
        role="admin",
        library="stockholm",
        languages="sv,en",
        password="first-admin-password",
    )
    user_command.run(args)
    assert "created admin account forsta.admin@bibliotek.example" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        user_command.run(args)  # exists already
    with pytest.raises(SystemExit):
        user_command.run(argparse.Namespace(**{**vars(args), "email": "b@bibliotek.example", "languages": "xx"}))
    admin = login(client.app, "forsta.admin@bibliotek.example", "first-admin-password")
    assert admin.get("/api/staff/me").json()["role"] == "admin"

    user_command.ensure_demo()
    user_command.ensure_demo()  # idempotent
    demo = login(client.app, accounts.DEMO_EMAIL, accounts.DEMO_PASSWORD)
    assert demo.get("/api/staff/me").json()["role"] == "staff"


def test_the_session_cookie_is_secure_behind_a_tls_proxy(client) -> None:  # type: ignore[no-untyped-def]
    email = new_staff()
    resp = client.post(
        "/api/staff/login", json={"email": email, "password": PASSWORD}, headers={"X-Forwarded-Proto": "https"}
    )
    assert resp.status_code == 200
    assert all("Secure" in c for c in resp.headers.get_list("set-cookie"))
    client.cookies.clear()


def test_repeated_failed_logins_are_throttled_per_address(client) -> None:  # type: ignore[no-untyped-def]
    email = new_staff()
    for _ in range(get_settings().login_free_failures):
        assert client.post("/api/staff/login", json={"email": email, "password": "guess"}).status_code == 401
    blocked = client.post("/api/staff/login", json={"email": email.upper(), "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert "Try again" in blocked.json()["detail"]
    forget_process_state()
    assert client.post("/api/staff/login", json={"email": email, "password": PASSWORD}).status_code == 200
    client.cookies.clear()


def test_throttle_delay_passes_and_success_clears_the_pair(seeded: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    clock = [1000.0]
    monkeypatch.setattr(throttle, "_now", lambda: clock[0])
    forget_process_state()
    t = throttle.LoginThrottle()
    free = get_settings().login_free_failures
    for _ in range(free):
        assert t.retry_after("a@x", "10.0.0.1") == 0
        t.failed("a@x", "10.0.0.1")
    assert t.retry_after("a@x", "10.0.0.1") == 1 and t.retry_after("a@x", "10.0.0.2") == 0
    assert t.retry_after("b@x", "10.0.0.1") == 0  # another account from the same address
    clock[0] += 1
    assert t.retry_after("a@x", "10.0.0.1") == 0  # a delay, not a lockout
    t.succeeded("a@x", "10.0.0.1")
    t.failed("a@x", "10.0.0.1")
    assert t.retry_after("a@x", "10.0.0.1") == 0  # the success reset the pair
