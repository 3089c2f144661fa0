"""The resident's side of a handoff: leave contact details, and a live stream of the conversation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.conversations.models import Conversation
from api.conversations.routes import SessionDep, TokenDep, _authorised
from api.conversations.schemas import ReplyOut
from api.handoff import stream_tickets, tickets
from api.handoff.schemas import Contact
from api.handoff.states import IllegalTransition
from api.handoff.streams import resident_stream
from api.input_rules import DbInt

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


@router.post("/{conversation_id}/contact", response_model=ReplyOut)
def leave_contact(conversation_id: str, body: Contact, session: SessionDep, token: TokenDep) -> ReplyOut:
    """An e-mail address or phone number for staff's answer: stored on the ticket, shown only to the
    staff member handling it, never in the transcript. Returns the confirmation (also in the transcript)."""
    conv = _authorised(session, conversation_id, token)
    try:
        msg = tickets.leave_contact(session, conv, body.contact)
    except IllegalTransition as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    session.commit()
    return ReplyOut(text=msg.text, language=msg.language or "sv", kind="system", topic=None, buttons=[])


class StreamTicket(BaseModel):
    ticket: str
    expires_in: int


@router.post("/{conversation_id}/events/ticket", status_code=status.HTTP_201_CREATED, response_model=StreamTicket)
def events_ticket(conversation_id: str, session: SessionDep, token: TokenDep) -> StreamTicket:
    """A ticket that opens this conversation's event stream (`GET .../events?ticket=`) for
    `expires_in` seconds and nothing else: the bearer token never goes into a URL."""
    conv = _authorised(session, conversation_id, token)
    return StreamTicket(ticket=stream_tickets.issue(conv), expires_in=stream_tickets.TICKET_SECONDS)


NO_TICKET = "Open the stream with a ticket from POST /api/conversations/{id}/events/ticket (?ticket=)"


@router.get("/{conversation_id}/events", response_class=StreamingResponse)
def events(
    conversation_id: str,
    session: SessionDep,
    ticket: Annotated[str | None, Query(description="From POST .../events/ticket (EventSource sends no headers)")] = (
        None
    ),
    after: Annotated[DbInt, Query(description="Send transcript messages after this id first")] = 0,
    last_event_id: Annotated[DbInt | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events: `ready` {state}, then each new transcript message as `message` (bot, staff,
    system events), `state` when the conversation's state changes, `gone` when it was deleted."""
    conv = session.get(Conversation, conversation_id)
    # One answer for an unknown conversation and a wrong, expired or foreign ticket: a stranger learns nothing.
    if conv is None or not ticket or not stream_tickets.valid(conv, ticket):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, NO_TICKET)
    session.commit()  # release the database connection: the stream may stay open for hours
    start = max(after, last_event_id or 0)  # a reconnecting EventSource resumes where it was
    return StreamingResponse(
        resident_stream(conversation_id, start),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
