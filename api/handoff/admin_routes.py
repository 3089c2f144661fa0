"""Admin-only: staff accounts (/api/staff/users). Desk staff and coordinators get 403 here."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from api.conversations.routes import SessionDep
from api.handoff import accounts, sessions
from api.handoff.auth import AdminDep, AdminWriteDep
from api.handoff.models import StaffUser
from api.handoff.schemas import NewStaff, StaffUpdate, UserOut
from api.input_rules import DbInt

router = APIRouter(prefix="/api/staff/users", tags=["staff accounts (admin)"])


def user_out(user: StaffUser) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,  # type: ignore[arg-type]
        library=user.library_id,
        languages=list(user.languages or []),
        active=user.active,
        last_seen_at=user.last_seen_at,
        created_at=user.created_at,
    )


@router.get("", response_model=list[UserOut])
def list_users(caller: AdminDep, session: SessionDep) -> list[UserOut]:
    return [user_out(u) for u in session.scalars(select(StaffUser).order_by(StaffUser.email))]


@router.post("", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(body: NewStaff, caller: AdminWriteDep, session: SessionDep) -> UserOut:
    try:
        user = accounts.create_user(
            session,
            email=body.email,
            name=body.name,
            password=body.password,
            role=body.role,
            library=body.library,
            languages=body.languages,
        )
    except accounts.AccountError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    session.commit()
    session.refresh(user)
    return user_out(user)


@router.patch("/{user_id}", response_model=UserOut)
def update_user(user_id: DbInt, body: StaffUpdate, caller: AdminWriteDep, session: SessionDep) -> UserOut:
    """Change name, role, library, languages or password; `active: false` also ends the account's sessions."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No staff account {user_id}")
    if user.id == caller.staff.id and (body.active is False or (body.role is not None and body.role != "admin")):
        raise HTTPException(status.HTTP_409_CONFLICT, "You cannot deactivate or demote your own account")
    try:
        accounts.update_user(
            session,
            user,
            name=body.name,
            role=body.role,
            library=body.library,
            languages=body.languages,
            active=body.active,
            password=body.password,
        )
    except accounts.AccountError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    if body.active is False or body.password is not None:
        sessions.end_all(session, user.id)
    session.commit()
    return user_out(user)
