"""Resident-side conversation endpoints: /api/conversations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Header, HTTPException, Request, status
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.conversations import service
from api.conversations.models import Conversation
from api.conversations.schemas import (
    ConversationCreated,
    ConversationOut,
    ConversationSettings,
    NewConversation,
    NewMessage,
    Replies,
    Transcript,
    TranscriptMessage,
)
from api.db import session_scope
from api.input_rules import DbInt
from api.language.registry import is_supported
from api.libraries.models import Library
from api.ratelimit import client_address, residents

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


def get_session() -> Iterator[Session]:
    """A session per request. Handlers that write commit before they return: a dependency's
    exit may run after the response is sent, and the resident's next call must see the write."""
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def bearer_token(authorization: Annotated[str | None, Header()] = None) -> str:
    if not authorization or not authorization.lower().startswith("bearer ") or not authorization[7:].strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Send the conversation token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return authorization[7:].strip()


TokenDep = Annotated[str, Depends(bearer_token)]
NOT_FOUND = "Conversation not found (or the token does not belong to it)"


def _authorised(session: Session, conversation_id: str, token: str) -> Conversation:
    try:
        return service.authorise(session, conversation_id, token)
    except service.NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND) from None


def _out(conv: Conversation) -> ConversationOut:
    return ConversationOut(
        id=conv.id,
        channel=conv.channel,
        library=conv.library_id,
        language=conv.language,
        language_locked=conv.language_locked,
        easy_read=conv.easy_read,
        state=conv.state,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ConversationCreated)
def create(request: Request, session: SessionDep, body: NewConversation | None = None) -> ConversationCreated:
    body = body or NewConversation()
    if body.library is not None and session.get(Library, body.library) is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "Unknown library id: use one from GET /api/libraries"
        )
    address = client_address(request)
    residents.new_conversation(address)
    locale = body.locale.split("-")[0].lower() if body.locale else None
    if locale is not None and not is_supported(locale):
        locale = None  # an unknown page locale is only a missing hint, not an error
    conv, token = service.create_conversation(session, body.channel, body.library, locale)
    session.commit()
    residents.started(conv.id, address)
    return ConversationCreated(id=conv.id, token=token)


def _count_message(conversation_id: str, token: str) -> None:
    """Counted against the conversation's limit only for its own resident (429 past it)."""
    with session_scope() as session:
        _authorised(session, conversation_id, token)
    residents.message(conversation_id)


@router.post("/{conversation_id}/messages", response_model=Replies)
async def post_message(conversation_id: str, body: NewMessage, token: TokenDep) -> Replies:
    # Asynchronous: waiting for Rasa (or for a retried message's first attempt) holds no worker thread.
    await run_in_threadpool(_count_message, conversation_id, token)
    try:
        replies = await service.post_message(conversation_id, token, body.text, body.payload, body.client_id)
    except service.NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND) from None
    except service.StillAnswering:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "The message is still being answered. Please send it again.",
            headers={"Retry-After": "5"},
        ) from None
    return Replies.model_validate({"messages": [r.to_dict() for r in replies]})


@router.get("/{conversation_id}/messages", response_model=Transcript)
def get_messages(conversation_id: str, session: SessionDep, token: TokenDep, after: DbInt = 0) -> Transcript:
    conv = _authorised(session, conversation_id, token)
    messages = [
        TranscriptMessage.model_validate(m, from_attributes=True) for m in service.transcript(session, conv, after)
    ]
    return Transcript(conversation=_out(conv), messages=messages)


@router.patch("/{conversation_id}", response_model=ConversationOut)
def update(conversation_id: str, body: ConversationSettings, session: SessionDep, token: TokenDep) -> ConversationOut:
    conv = _authorised(session, conversation_id, token)
    if body.language is not None:
        if not is_supported(body.language):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"Unsupported language {body.language!r}")
        conv.language, conv.language_locked = body.language, True
    if body.easy_read is not None:
        conv.easy_read = body.easy_read
        if body.easy_read:
            conv.language, conv.language_locked = "sv", True
    session.commit()
    return _out(conv)


@router.delete("/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(conversation_id: str, session: SessionDep, token: TokenDep, background: BackgroundTasks) -> None:
    """The resident ends the conversation: it and its transcript are deleted at once, and
    Rasa's copy right after the answer (a slow Rasa does not keep the resident waiting)."""
    service.delete_conversation(session, _authorised(session, conversation_id, token))
    session.commit()
    background.add_task(service.after_delete, conversation_id)
