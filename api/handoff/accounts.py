"""Staff accounts: create, change, authenticate. Used by the admin API and `python -m api.cli create-user`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.handoff import notify
from api.handoff.clock import now
from api.handoff.models import ROLES, StaffUser
from api.handoff.passwords import check_strength, hash_password, needs_rehash, verify
from api.language.registry import is_supported
from api.libraries.models import Library

DEMO_EMAIL = "demo@bibliotek.example"
DEMO_COORDINATOR_EMAIL = "samordnare@bibliotek.example"
DEMO_PASSWORD = "bibliotek-demo"  # documented in the README; the account exists only with DEMO_ACCOUNTS=1


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise AccountError(f"Not an e-mail address: {email!r}")
    return email


def _languages(languages: Iterable[str]) -> list[str]:
    out = [code.strip().lower() for code in languages if code.strip()]
    unknown = [code for code in out if not is_supported(code)]
    if unknown:
        raise AccountError(f"Unsupported language code(s): {', '.join(unknown)}")
    return list(dict.fromkeys(out))


def _check(session: Session, role: str | None = None, library: str | None = None) -> None:
    if role is not None and role not in ROLES:
        raise AccountError(f"Unknown role {role!r} (one of {', '.join(ROLES)})")
    if library is not None and session.get(Library, library) is None:
        raise AccountError(f"Unknown library id {library!r}")


def by_email(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower()))


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str = "staff",
    library: str,
    languages: Iterable[str] = (),
) -> StaffUser:
    email = normalise_email(email)
    _check(session, role, library)
    try:
        check_strength(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    if by_email(session, email) is not None:
        raise AccountError(f"An account for {email} already exists")
    user = StaffUser(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash=hash_password(password),
        role=role,
        library_id=library,
        languages=_languages(languages),
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    user: StaffUser,
    *,
    name: str | None = None,
    role: str | None = None,
    library: str | None = None,
    languages: Iterable[str] | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> StaffUser:
    _check(session, role, library)
    if name is not None:
        user.name = name.strip() or user.name
    if role is not None:
        user.role = role
    if library is not None:
        user.library_id = library
    if languages is not None:
        user.languages = _languages(languages)
    if active is not None:
        user.active = active
    if password is not None:
        try:
            check_strength(password)
        except ValueError as exc:
            raise AccountError(str(exc)) from None
        user.password_hash = hash_password(password)
    if active is not None or role is not None or languages is not None:
        notify.staff_access_changed(session, user.id)  # open desk streams re-check at once
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> StaffUser | None:
    """The active account with this e-mail and password, or None (the same for every failure)."""
    user = by_email(session, email)
    ok = verify(user.password_hash if user is not None else None, password)
    if user is None or not ok or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_seen_at = now()
    return user


# The local demo accounts (DEMO_ACCOUNTS=1): desk staff, and a coordinator for the content editor.
DEMO_ACCOUNTS = (
    {
        "email": DEMO_EMAIL,
        "name": "Demo Bibliotekarie",
        "role": "staff",
        "library": "stockholm",
        "languages": ["sv", "en"],
    },
    {
        "email": DEMO_COORDINATOR_EMAIL,
        "name": "Demo Samordnare",
        "role": "coordinator",
        "library": "solna",
        "languages": ["sv", "en"],
    },
)


def ensure_demo_accounts(session: Session) -> list[StaffUser]:
    """The demo accounts: created once, their documented password kept working."""
    users = []
    for spec in DEMO_ACCOUNTS:
        user = by_email(session, str(spec["email"]))
        if user is None:
            user = create_user(session, password=DEMO_PASSWORD, **spec)  # type: ignore[arg-type]
        elif not verify(user.password_hash, DEMO_PASSWORD):
            user.password_hash = hash_password(DEMO_PASSWORD)
        user.active = True
        users.append(user)
    return users
