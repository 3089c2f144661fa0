"""A resident's message while the conversation is with staff: stored on the ticket, no bot turn."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.conversations import lease
from api.conversations.models import Conversation, Message
from api.conversations.replies import Reply
from api.db import session_scope
from api.handoff.clock import aware, now
from api.handoff.states import IllegalTransition, language_of, record_event
from api.handoff.tickets import current_ticket, message_to_staff, reopen
from api.needs.record import note_held
from api.settings import get_settings

# Events after which the first resident message gets one acknowledgement.
_QUEUED_EVENTS = ("handoff_requested", "reopened", "transferred")


def _as_reply(msg: Message) -> Reply:
    return Reply(text=msg.text, language=msg.language or "sv", kind="system")


def _acknowledged(session: Session, conv: Conversation) -> bool:
    queued = session.scalar(
        select(func.max(Message.id)).where(Message.conversation_id == conv.id, Message.event.in_(_QUEUED_EVENTS))
    )
    return (
        session.scalar(
            select(Message.id)
            .where(Message.conversation_id == conv.id, Message.event == "message_received", Message.id > (queued or 0))
            .limit(1)
        )
        is not None
    )


def hold_for_staff(conversation_id: str, message_id: int, owner: str | None = None) -> list[Reply] | None:
    """None: the bot answers as usual. A list: the message went to staff; these are the only replies.
    `owner`: the turn's claim on the message, released in the same transaction (LeaseLost: not ours)."""
    with session_scope() as session:
        held = _hold(session, conversation_id, message_id)
        if held is not None:
            lease.release(session, message_id, owner)
        return held


def _hold(session: Session, conversation_id: str, message_id: int) -> list[Reply] | None:
    conv = session.get(Conversation, conversation_id)
    if conv is None or conv.state == "bot":
        return None
    ticket = current_ticket(session, conv.id)
    if ticket is None or ticket.state == "closed":  # inconsistent: let the bot answer rather than go silent
        conv.state = "bot"
        return None
    msg = session.get(Message, message_id)
    assert msg is not None
    if conv.state == "resolved":
        window = timedelta(hours=get_settings().reopen_window_hours)
        if ticket.resolved_at is None or aware(ticket.resolved_at) < now() - window:
            conv.state = "bot"
            record_event(session, conv, "bot_resumed")
            return None
        try:
            reopen(session, ticket, reply_to=message_id)
        except IllegalTransition:  # reopened by someone else a moment ago: the message is queued all the same
            session.refresh(ticket)
        message_to_staff(session, ticket, msg)
        event = session.scalar(select(Message).where(Message.reply_to == message_id, Message.event == "reopened"))
        return [_as_reply(event)] if event is not None else []
    ticket.language = language_of(conv)
    message_to_staff(session, ticket, msg)
    note_held(session, conv, msg)
    if conv.state == "waiting" and not _acknowledged(session, conv):
        return [_as_reply(record_event(session, conv, "message_received", reply_to=message_id))]
    return []
