"""Staff login sessions and their CSRF tokens.

The session id travels in an HttpOnly, SameSite=Strict cookie; the CSRF token is returned at
login (and set in a cookie the desk's script can read) and must come back as the
`X-CSRF-Token` header on every state-changing call. Only SHA-256 hashes of both are stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.handoff import notify
from api.handoff.clock import aware, now
from api.handoff.models import StaffSession, StaffUser
from api.settings import get_settings

SESSION_COOKIE = "bh_staff"
CSRF_COOKIE = "bh_csrf"
CSRF_HEADER = "X-CSRF-Token"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class NewLogin:
    session_id: str
    csrf_token: str
    expires_at: datetime


def start(session: Session, staff: StaffUser) -> NewLogin:
    purge_expired(session)
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    created = now()
    expires = created + timedelta(hours=get_settings().staff_session_hours)
    session.add(
        StaffSession(
            id_hash=_hash(sid), staff_id=staff.id, csrf_hash=_hash(csrf), created_at=created, expires_at=expires
        )
    )
    session.flush()
    return NewLogin(sid, csrf, expires)


def lookup(session: Session, session_id: str | None) -> tuple[StaffSession, StaffUser] | None:
    """The live login and its active account for a session cookie, or None."""
    if not session_id:
        return None
    row = session.get(StaffSession, _hash(session_id))
    if row is None:
        return None
    if aware(row.expires_at) <= now():
        session.delete(row)
        return None
    staff = session.get(StaffUser, row.staff_id)
    if staff is None or not staff.active:
        return None
    return row, staff


def csrf_ok(login: StaffSession, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(login.csrf_hash, _hash(token or ""))


def end(session: Session, login: StaffSession) -> None:
    session.delete(login)
    notify.staff_access_changed(session, login.staff_id)  # its open event streams end at once


def end_all(session: Session, staff_id: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))
    notify.staff_access_changed(session, staff_id)


def valid_until(session: Session, id_hash: str) -> datetime | None:
    """When the login expires; None when it has ended (logged out, expired, deleted)."""
    row = session.scalar(select(StaffSession).where(StaffSession.id_hash == id_hash))
    if row is None or aware(row.expires_at) <= now():
        return None
    return aware(row.expires_at)


def still_valid(session: Session, id_hash: str) -> bool:
    return valid_until(session, id_hash) is not None


def purge_expired(session: Session) -> None:
    session.execute(delete(StaffSession).where(StaffSession.expires_at <= now()))
