"""The staff desk API: /api/staff/... (login, the shared queue, tickets, live updates).

Every endpoint needs a staff session cookie; every state-changing one also the X-CSRF-Token
header. Staff see conversations only through tickets, here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Message
from api.conversations.routes import SessionDep, _out
from api.conversations.schemas import TranscriptMessage
from api.faq.answers import find_answer, titles
from api.faq.models import FaqEntry
from api.handoff import accounts, serialize, sessions, tickets
from api.handoff.auth import StaffDep, StaffWriteDep
from api.handoff.availability import is_online
from api.handoff.models import StaffUser, Ticket, TicketNote
from api.handoff.queue import Sort, list_tickets
from api.handoff.schemas import (
    Colleague,
    Login,
    LoginOut,
    NoteOut,
    StaffMessage,
    StaffOut,
    Suggestion,
    TicketDetail,
    TicketList,
    TicketOut,
    TicketState,
    Topic,
    Transfer,
)
from api.handoff.states import IllegalTransition
from api.handoff.streams import staff_stream
from api.handoff.throttle import login_throttle
from api.input_rules import DbInt
from api.ratelimit import client_address, in_words
from api.settings import get_settings
from api.sms.phone import mask

router = APIRouter(prefix="/api/staff", tags=["staff desk"])

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def staff_out(staff: StaffUser) -> StaffOut:
    return StaffOut(
        id=staff.id,
        email=staff.email,
        name=staff.name,
        role=staff.role,  # type: ignore[arg-type]
        library=staff.library_id,
        languages=list(staff.languages or []),
        active=staff.active,
    )


def _ticket_out(ticket: Ticket, viewer: StaffUser) -> TicketOut:
    return TicketOut.model_validate(serialize.ticket_summary(ticket, viewer))


def _ticket(session: Session, ticket_id: int, *, lock: bool = False) -> Ticket:
    try:
        return tickets.load(session, ticket_id, lock=lock)
    except tickets.TicketNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No ticket {ticket_id}") from None


def _act(session: Session, action: Any) -> Any:
    """Run a ticket action, mapping its errors to HTTP: 409 conflict, 403 not yours, 422 bad input."""
    try:
        result = action()
    except IllegalTransition as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except tickets.NotAllowed as exc:
        session.rollback()
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    except tickets.BadRequest as exc:
        session.rollback()
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    session.commit()
    return result


# ---- login ---------------------------------------------------------------------------------


@router.post("/login", response_model=LoginOut)
def login(body: Login, request: Request, response: Response, session: SessionDep) -> LoginOut:
    """Sets the session cookie (HttpOnly, SameSite=Strict) and returns the CSRF token (also as a cookie)."""
    client = client_address(request)
    wait = login_throttle.retry_after(body.email, client)
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"Too many failed logins. Try again in {in_words(wait)}, or ask an admin to reset the password.",
            headers={"Retry-After": str(wait)},
        )
    staff = accounts.authenticate(session, body.email, body.password)
    if staff is None:
        session.commit()
        login_throttle.failed(body.email, client)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong e-mail address or password")
    login_throttle.succeeded(body.email, client)
    new = sessions.start(session, staff)
    session.commit()
    # Secure over HTTPS, also behind a TLS proxy (claiming https can only make the cookie stricter).
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").startswith("https")
    max_age = get_settings().staff_session_hours * 3600
    response.set_cookie(
        sessions.SESSION_COOKIE, new.session_id, max_age=max_age, httponly=True, samesite="strict", secure=secure
    )
    response.set_cookie(
        sessions.CSRF_COOKIE, new.csrf_token, max_age=max_age, httponly=False, samesite="strict", secure=secure
    )
    return LoginOut(staff=staff_out(staff), csrf_token=new.csrf_token, expires_at=new.expires_at)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(caller: StaffWriteDep, response: Response, session: SessionDep) -> None:
    sessions.end(session, caller.login)
    session.commit()
    response.delete_cookie(sessions.SESSION_COOKIE, httponly=True, samesite="strict")
    response.delete_cookie(sessions.CSRF_COOKIE, samesite="strict")


@router.get("/me", response_model=StaffOut)
def me(caller: StaffDep) -> StaffOut:
    return staff_out(caller.staff)


@router.get("/colleagues", response_model=list[Colleague])
def colleagues(caller: StaffDep, session: SessionDep) -> list[Colleague]:
    """Active colleagues to transfer a ticket to (names, libraries, languages, online now)."""
    rows = session.scalars(select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name))
    return [
        Colleague(id=s.id, name=s.name, library=s.library_id, languages=list(s.languages or []), online=is_online(s))
        for s in rows
    ]


# ---- the queue and tickets -------------------------------------------------------------------


@router.get("/tickets", response_model=TicketList)
def queue(
    caller: StaffDep,
    session: SessionDep,
    state: Annotated[list[TicketState] | None, Query(description="Default: waiting and with_staff")] = None,
    library: str | None = None,
    language: str | None = None,
    channel: str | None = None,
    topic: str | None = Query(default=None, description="A topic id or its prefix (`emedia`)"),
    assignee: str | None = Query(default=None, pattern=r"^(me|none|\d{1,9})$", description="me, none or a staff id"),
    sort: Sort = "age",
) -> TicketList:
    found = list_tickets(
        session,
        caller.staff,
        states=list(state) if state else None,
        library=library,
        language=language,
        channel=channel,
        topic=topic,
        assignee=assignee,
        sort=sort,
    )
    return TicketList(tickets=[_ticket_out(t, caller.staff) for t in found])


def _detail(session: Session, ticket: Ticket, viewer: StaffUser) -> TicketDetail:
    conv = session.get(Conversation, ticket.conversation_id)
    assert conv is not None
    messages = session.scalars(select(Message).where(Message.conversation_id == conv.id).order_by(Message.id))
    notes = session.scalars(select(TicketNote).where(TicketNote.ticket_id == ticket.id).order_by(TicketNote.id))
    number = serialize.resident_number(ticket)
    return TicketDetail(
        ticket=_ticket_out(ticket, viewer),
        conversation=_out(conv),
        messages=[TranscriptMessage.model_validate(m, from_attributes=True) for m in messages],
        notes=[NoteOut.model_validate(serialize.note(n)) for n in notes],
        contact=ticket.contact if ticket.assignee_id == viewer.id else None,
        phone=number if ticket.assignee_id == viewer.id else mask(number),
    )


@router.get("/tickets/{ticket_id}", response_model=TicketDetail)
def ticket_detail(ticket_id: DbInt, caller: StaffDep, session: SessionDep) -> TicketDetail:
    """The whole conversation (the bot's part included), the internal notes, and for the assignee the contact."""
    return _detail(session, _ticket(session, ticket_id), caller.staff)


@router.post("/tickets/{ticket_id}/claim", response_model=TicketDetail)
def claim(ticket_id: DbInt, caller: StaffWriteDep, session: SessionDep) -> TicketDetail:
    """Take a waiting ticket. Of two staff claiming at once exactly one wins; the other gets 409."""
    ticket = _ticket(session, ticket_id)
    _act(session, lambda: tickets.claim(session, ticket, caller.staff))
    return _detail(session, ticket, caller.staff)


@router.post("/tickets/{ticket_id}/reply", response_model=TranscriptMessage, status_code=status.HTTP_201_CREATED)
def reply(ticket_id: DbInt, body: StaffMessage, caller: StaffWriteDep, session: SessionDep) -> TranscriptMessage:
    """A reply in the resident's chat (only by the staff member who claimed the ticket)."""
    ticket = _ticket(session, ticket_id, lock=True)
    msg = _act(session, lambda: tickets.reply(session, ticket, caller.staff, body.text))
    return TranscriptMessage.model_validate(msg, from_attributes=True)


@router.post("/tickets/{ticket_id}/notes", response_model=NoteOut, status_code=status.HTTP_201_CREATED)
def add_note(ticket_id: DbInt, body: StaffMessage, caller: StaffWriteDep, session: SessionDep) -> NoteOut:
    """An internal note for colleagues: never shown to the resident."""
    ticket = _ticket(session, ticket_id)
    note = _act(session, lambda: tickets.add_note(session, ticket, caller.staff, body.text))
    return NoteOut.model_validate(serialize.note(note))


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketOut)
def transfer(ticket_id: DbInt, body: Transfer, caller: StaffWriteDep, session: SessionDep) -> TicketOut:
    """To another library (`library`: back in the queue for it) or to a colleague (`staff_id`: assigned)."""
    ticket = _ticket(session, ticket_id)
    _act(session, lambda: tickets.transfer(session, ticket, caller.staff, body.library, body.staff_id))
    return _ticket_out(ticket, caller.staff)


@router.post("/tickets/{ticket_id}/resolve", response_model=TicketOut)
def resolve(ticket_id: DbInt, caller: StaffWriteDep, session: SessionDep) -> TicketOut:
    ticket = _ticket(session, ticket_id)
    _act(session, lambda: tickets.resolve(session, ticket, caller.staff))
    return _ticket_out(ticket, caller.staff)


@router.post("/tickets/{ticket_id}/reopen", response_model=TicketOut)
def reopen(ticket_id: DbInt, caller: StaffWriteDep, session: SessionDep) -> TicketOut:
    """A resolved ticket back in the queue (unassigned)."""
    ticket = _ticket(session, ticket_id)
    _act(session, lambda: tickets.reopen(session, ticket))
    return _ticket_out(ticket, caller.staff)


@router.post("/tickets/{ticket_id}/hand-back", response_model=TicketOut)
def hand_back(ticket_id: DbInt, caller: StaffWriteDep, session: SessionDep) -> TicketOut:
    """The assistant answers the conversation again; the ticket is closed."""
    ticket = _ticket(session, ticket_id)
    _act(session, lambda: tickets.hand_back(session, ticket, caller.staff))
    return _ticket_out(ticket, caller.staff)


# ---- curated answers as draft replies --------------------------------------------------------


@router.get("/tickets/{ticket_id}/suggestion", response_model=Suggestion)
def suggestion(ticket_id: DbInt, caller: StaffDep, session: SessionDep, topic: str | None = None) -> Suggestion:
    """The curated FAQ answer of `topic` (default: the ticket's topic) in the resident's language, as a draft."""
    ticket = _ticket(session, ticket_id)
    conv = session.get(Conversation, ticket.conversation_id)
    wanted = topic or ticket.topic
    if conv is None or wanted is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No topic given and the ticket has none")
    answer = find_answer(session, wanted, ticket.language, conv.library_id, conv.easy_read)
    if answer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No answer for topic {wanted!r}")
    return Suggestion(topic=wanted, language=answer.language, title=answer.title, text=answer.text)


@router.get("/topics", response_model=list[Topic])
def topics(caller: StaffDep, session: SessionDep, language: str = "sv") -> list[Topic]:
    """The FAQ topics with their titles in `language`, to pick an answer to insert."""
    ids = sorted(set(session.scalars(select(FaqEntry.topic).where(FaqEntry.state == "live"))))
    names = titles(session, ids, language)
    return [Topic(topic=t, title=names[t]) for t in ids if t in names]


# ---- live updates ----------------------------------------------------------------------------


@router.get("/events", response_class=StreamingResponse)
def events(caller: StaffDep, session: SessionDep) -> StreamingResponse:
    """Server-sent events: `ticket` (queue changes), `message` (ticket transcripts), `note`, `logout`."""
    session.commit()  # release the database connection: the stream may stay open for hours
    stream = staff_stream(caller.staff.id, caller.login.id_hash)
    return StreamingResponse(stream, media_type="text/event-stream", headers=STREAM_HEADERS)
