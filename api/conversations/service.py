"""The conversation front door shared by every channel: store, understand, answer, store."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.conversations import rasa_client
from api.conversations.answering import faq_reply, respond, text_reply
from api.conversations.models import Conversation, Message
from api.conversations.redact import redact
from api.conversations.replies import Reply
from api.db import session_scope
from api.handoff.intake import hold_for_staff
from api.insights import counters
from api.language.detect import detect
from api.language.registry import FALLBACK_LANGUAGE, languages
from api.needs import record as needs
from api.ratelimit import residents

log = logging.getLogger(__name__)


class NotFound(LookupError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_conversation(
    session: Session, channel: str = "web", library: str | None = None, locale: str | None = None
) -> tuple[Conversation, str]:
    token = secrets.token_urlsafe(32)
    conv = Conversation(
        id=uuid.uuid4().hex,
        token_hash=hash_token(token),
        channel=channel,
        library_id=library,
        locale=locale,
        language=locale,
    )
    session.add(conv)
    return conv, token


def authorise(session: Session, conversation_id: str, token: str) -> Conversation:
    conv = session.get(Conversation, conversation_id)
    # Same answer for unknown id and wrong token: a stranger learns nothing.
    if conv is None or not hmac.compare_digest(conv.token_hash, hash_token(token)):
        raise NotFound(conversation_id)
    return conv


def _store_reply(session: Session, conv: Conversation, reply: Reply, reply_to: int | None) -> Message:
    msg = Message(
        conversation_id=conv.id,
        sender="staff" if reply.kind == "staff" else "bot",
        text=reply.text,
        language=reply.language,
        kind=reply.kind,
        topic=reply.topic,
        buttons=reply.buttons,
        reply_to=reply_to,
    )
    session.add(msg)
    return msg


@dataclass
class Incoming:
    message_id: int
    text: str
    payload: str | None
    unsupported_language: bool
    duplicate_replies: list[Reply] | None = None
    language: str | None = None  # as detected: what the resident wrote in


def _record_incoming(
    conversation_id: str, token: str | None, text: str, payload: str | None, client_id: str | None
) -> Incoming:
    with session_scope() as session:
        if token is None:  # a server-side channel that authenticated the sender itself (SMS)
            conv = session.get(Conversation, conversation_id)
            if conv is None:
                raise NotFound(conversation_id)
        else:
            conv = authorise(session, conversation_id, token)
        if client_id:
            earlier = session.scalar(
                select(Message).where(Message.conversation_id == conv.id, Message.client_id == client_id)
            )
            if earlier is not None:  # a retry of a message we already have: answer as before
                stored = session.scalars(select(Message).where(Message.reply_to == earlier.id).order_by(Message.id))
                replies = [
                    Reply(m.text, m.language or "sv", m.kind or "system", m.topic, m.buttons, m.id) for m in stored
                ]  # type: ignore[arg-type]
                if replies or conv.state != "bot":
                    return Incoming(earlier.id, earlier.text, payload, False, replies)
                # Stored but never answered (the first attempt died mid-turn): answer it now.
                return Incoming(earlier.id, earlier.text, payload, False)
        clean = redact(text)
        detection = detect(clean, context=conv.language or conv.locale)
        if not conv.language_locked and not payload:
            conv.language = detection.language if detection.supported else FALLBACK_LANGUAGE
        first = session.scalar(
            select(Message.id).where(Message.conversation_id == conv.id, Message.sender == "resident").limit(1)
        )
        msg = Message(
            conversation_id=conv.id, sender="resident", text=clean, language=detection.language, client_id=client_id
        )
        conv.last_activity_at = datetime.now(UTC)
        session.add(msg)
        session.flush()
        if first is None:  # the insights count a conversation once it has a question in it
            counters.count(
                session, "conversation", library=conv.library_id, language=detection.language, channel=conv.channel
            )
        return Incoming(msg.id, clean, payload, not detection.supported, language=detection.language)


def _bot_turn(conversation_id: str, incoming: Incoming) -> list[Reply]:
    with session_scope() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        language = conv.language or "sv"
        if incoming.payload and incoming.payload.startswith("topic:"):
            reply = faq_reply(session, conv, incoming.payload.removeprefix("topic:"))
            if reply is not None:
                return [reply]
    text = "/request_human" if incoming.payload == "handoff" else incoming.text
    residents.take_ticket_refusal(conversation_id)  # a stale note from an earlier turn
    try:
        replies = rasa_client.send(conversation_id, text, language)
        _raise_if_ticket_refused(conversation_id)
        if replies:
            return replies
        raise rasa_client.RasaUnavailable("Rasa answered nothing (the action server may be down)")
    except rasa_client.RasaUnavailable as exc:
        _raise_if_ticket_refused(conversation_id)
        # Degraded mode: the API answers from the FAQ itself, so the resident is not left waiting.
        log.warning("Rasa unavailable, answering from the FAQ directly: %s", exc)
        with session_scope() as session:
            conv = session.get(Conversation, conversation_id)
            assert conv is not None
            action = "request_human" if incoming.payload == "handoff" else "answer_faq"
            return respond(session, conv, action, text)


def _raise_if_ticket_refused(conversation_id: str) -> None:
    """The action server's call to open a ticket got 429 (the client opened too many): the resident's
    turn answers 429 too, rather than a reply that pretends staff were asked."""
    wait = residents.take_ticket_refusal(conversation_id)
    if wait:
        raise residents.ticket_refused(wait)


def _language_notice(session: Session, conv: Conversation, replies: list[Reply]) -> None:
    """For a message in a language we do not support: one line listing the ones we do."""
    names = ", ".join(lang.name for lang in languages().values())
    notice = text_reply(session, conv, "language_unsupported", "system", languages=names)
    if replies:
        replies[0].text = f"{notice.text}\n\n{replies[0].text}"
    else:
        replies.append(notice)


def post_message(
    conversation_id: str, token: str, text: str, payload: str | None = None, client_id: str | None = None
) -> list[Reply]:
    return _post(conversation_id, token, text, payload, client_id)


def post_channel_message(
    conversation_id: str, text: str, payload: str | None = None, client_id: str | None = None
) -> list[Reply]:
    """The same turn for a channel that has authenticated the sender itself (an SMS webhook:
    the provider's signature and the sender's number), so there is no conversation token."""
    return _post(conversation_id, None, text, payload, client_id)


def _post(
    conversation_id: str, token: str | None, text: str, payload: str | None, client_id: str | None
) -> list[Reply]:
    incoming = _record_incoming(conversation_id, token, text, payload, client_id)
    if incoming.duplicate_replies is not None:
        return incoming.duplicate_replies
    held = hold_for_staff(conversation_id, incoming.message_id)
    if held is not None:  # waiting or with staff: the message is on the ticket and Rasa stays silent
        return held
    replies = _bot_turn(conversation_id, incoming)
    with session_scope() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        if incoming.unsupported_language and not conv.language_locked:
            _language_notice(session, conv, replies)
        stored = [_store_reply(session, conv, reply, incoming.message_id) for reply in replies]
        session.flush()
        for reply, msg in zip(replies, stored, strict=True):
            reply.id = msg.id  # so the widget can attach feedback to the answer
        if replies:
            counters.count_turn(session, conv, incoming.language, replies[0].kind, replies[0].topic)
        needs.note_turn(session, conv, incoming.message_id, incoming.payload, replies)
    return replies


def transcript(session: Session, conv: Conversation, after: int = 0) -> list[Message]:
    return list(
        session.scalars(
            select(Message).where(Message.conversation_id == conv.id, Message.id > after).order_by(Message.id)
        )
    )


def last_resident_language(session: Session, conv: Conversation) -> str | None:
    return session.scalar(
        select(Message.language)
        .where(Message.conversation_id == conv.id, Message.sender == "resident")
        .order_by(Message.id.desc())
        .limit(1)
    )


def delete_conversation(session: Session, conv: Conversation) -> None:
    session.delete(conv)


__all__ = ["IntegrityError", "NotFound", "authorise", "create_conversation", "post_message", "transcript"]
