"""Who is calling a staff endpoint: the session cookie, the CSRF header, the role. Checked on every call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from api.conversations.routes import SessionDep
from api.handoff import sessions
from api.handoff.clock import aware, now
from api.handoff.models import StaffSession, StaffUser

TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often


@dataclass
class Caller:
    staff: StaffUser
    login: StaffSession


def touch(staff: StaffUser) -> None:
    if staff.last_seen_at is None or aware(staff.last_seen_at) < now() - TOUCH_EVERY:
        staff.last_seen_at = now()


def current_staff(request: Request, session: SessionDep) -> Caller:
    found = sessions.lookup(session, request.cookies.get(sessions.SESSION_COOKIE))
    if found is None:
        session.commit()  # an expired session row found on the way is deleted
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Log in as staff first (POST /api/staff/login)")
    login, staff = found
    touch(staff)
    return Caller(staff=staff, login=login)


StaffDep = Annotated[Caller, Depends(current_staff)]


def csrf_checked(caller: StaffDep, x_csrf_token: Annotated[str | None, Header()] = None) -> Caller:
    if not sessions.csrf_ok(caller.login, x_csrf_token):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"Missing or wrong {sessions.CSRF_HEADER} header (the csrf_token from login, also in the bh_csrf cookie)",
        )
    return caller


StaffWriteDep = Annotated[Caller, Depends(csrf_checked)]


def role_required(*roles: str) -> Callable[[Caller], Caller]:
    def check(caller: StaffDep) -> Caller:
        if caller.staff.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"Only for {' or '.join(roles)} accounts")
        return caller

    return check


def role_and_csrf_required(*roles: str) -> Callable[[Caller], Caller]:
    def check(caller: StaffWriteDep) -> Caller:
        if caller.staff.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"Only for {' or '.join(roles)} accounts")
        return caller

    return check


AdminDep = Annotated[Caller, Depends(role_required("admin"))]
AdminWriteDep = Annotated[Caller, Depends(role_and_csrf_required("admin"))]
