"""The resident's side of a handoff: leave contact details, and a live stream of the conversation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, status
from fastapi.responses import StreamingResponse

from api.conversations.routes import NOT_FOUND, SessionDep, TokenDep, _authorised
from api.conversations.schemas import ReplyOut
from api.handoff import tickets
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


def _stream_token(authorization: str | None, token: str | None) -> str:
    if authorization and authorization.lower().startswith("bearer ") and authorization[7:].strip():
        return authorization[7:].strip()
    if token:
        return token
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "Send the conversation token as 'Authorization: Bearer <token>' or as ?token= (EventSource)",
        headers={"WWW-Authenticate": "Bearer"},
    )


@router.get("/{conversation_id}/events", response_class=StreamingResponse)
def events(
    conversation_id: str,
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query(description="The conversation token, for EventSource")] = None,
    after: Annotated[DbInt, Query(description="Send transcript messages after this id first")] = 0,
    last_event_id: Annotated[DbInt | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events: `ready` {state}, then each new transcript message as `message` (bot, staff,
    system events), `state` when the conversation's state changes, `gone` when it was deleted."""
    try:
        _authorised(session, conversation_id, _stream_token(authorization, token))
    except HTTPException as exc:
        if exc.status_code == status.HTTP_404_NOT_FOUND:
            raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND) from None
        raise
    session.commit()  # release the database connection: the stream may stay open for hours
    start = max(after, last_event_id or 0)  # a reconnecting EventSource resumes where it was
    return StreamingResponse(
        resident_stream(conversation_id, start),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
