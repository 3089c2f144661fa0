"""The conversation front door shared by every channel: store, understand, answer, store.

A turn is asynchronous: the database work runs in worker threads (a few at a time, see
`_turn_threads`), and waiting for Rasa or for another attempt's answer holds no thread. A resident
message is claimed while its turn runs (a lease), so a retry with the same client id never starts
a second turn (docs/decisions/0013-turn-resilience.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar
from weakref import WeakKeyDictionary

import anyio
import anyio.from_thread
import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from actions.reply_policy import Decision, Understanding
from api.conversations import answering, context, lease, rasa_client, trackers, understanding
from api.conversations.answering import faq_reply, text_reply
from api.conversations.models import Conversation, Message
from api.conversations.replies import Reply
from api.db import checkpoint_sqlite, session_scope
from api.handoff.intake import hold_for_staff
from api.handoff.states import record_event
from api.insights import counters
from api.language.detect import detect
from api.language.registry import FALLBACK_LANGUAGE, languages
from api.needs import record as needs
from api.privacy.redact import Profile, scan
from api.settings import get_settings

log = logging.getLogger(__name__)


class NotFound(LookupError):
    pass


class StillAnswering(RuntimeError):
    """A retry waited as long as a turn may take and the message is still being answered."""


# How often a retry looks whether the attempt it waits for has answered.
POLL_S = 0.2
T = TypeVar("T")
_limiters: WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = WeakKeyDictionary()


def _turn_threads() -> anyio.CapacityLimiter:
    """Turns' database and CPU work (language detection, the FAQ fallback) runs on at most
    TURN_THREADS threads of its own: a burst of messages queues there, and the threads of the
    other routes (and the interpreter lock) stay free for them."""
    loop = asyncio.get_running_loop()
    if loop not in _limiters:
        _limiters[loop] = anyio.CapacityLimiter(get_settings().turn_threads)
    return _limiters[loop]


async def _in_thread(fn: Callable[..., T], *args: object) -> T:
    return await anyio.to_thread.run_sync(partial(fn, *args), limiter=_turn_threads())


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
    redaction_notice: Reply | None = None  # something was removed: the resident is told (once per conversation)
    lease: str | None = None  # our claim on the message; None with no replies: another attempt answers it


REDACTED_EVENT = "redacted"


def _as_reply(msg: Message) -> Reply:
    return Reply(msg.text, msg.language or "sv", msg.kind or "system", msg.topic, msg.buttons, msg.id)  # type: ignore[arg-type]


def _redaction_notice(session: Session, conv: Conversation, message_id: int) -> Reply | None:
    """The first time something is removed from a resident's message, a notice in the transcript
    (event `redacted`, in their language); later removals are silent."""
    told = session.scalar(
        select(Message.id).where(Message.conversation_id == conv.id, Message.event == REDACTED_EVENT).limit(1)
    )
    if told is not None:
        return None
    return _as_reply(record_event(session, conv, REDACTED_EVENT, reply_to=message_id))


def _stored_replies(session: Session, message_id: int) -> list[Message]:
    return list(session.scalars(select(Message).where(Message.reply_to == message_id).order_by(Message.id)))


def _retry(session: Session, earlier: Message, payload: str | None) -> Incoming:
    """A message we already have: its answer, a wait for the attempt answering it, or its turn
    taken over from an attempt that died (its claim expired)."""
    waiting = Incoming(earlier.id, earlier.text, payload, False, language=earlier.language)
    stored = _stored_replies(session, earlier.id)
    if earlier.lease_owner is None:  # answered (or put on a staff ticket) already: answer as before
        return Incoming(earlier.id, earlier.text, payload, False, [_as_reply(m) for m in stored])
    if lease.is_live(earlier):
        return waiting  # another attempt is answering it right now
    owner, until = lease.new()
    if not lease.swap(session, earlier.id, earlier.lease_owner, lease_owner=owner, lease_until=until):
        return waiting  # another retry took it over a moment ago
    log.warning("a turn's claim expired (its attempt died?): a retry answers the message")
    # The notice stored with the message by the attempt that died is still owed to the resident.
    notice = next((_as_reply(m) for m in stored if m.event == REDACTED_EVENT), None)
    return Incoming(
        earlier.id, earlier.text, payload, False, language=earlier.language, lease=owner, redaction_notice=notice
    )


def _record_incoming(
    conversation_id: str, token: str | None, text: str, payload: str | None, client_id: str | None
) -> Incoming:
    try:
        return _store_incoming(conversation_id, token, text, payload, client_id)
    except IntegrityError:
        if not client_id:
            raise
        # The same message arrived twice at once and the other request stored it first.
        return _store_incoming(conversation_id, token, text, payload, client_id)


def _store_incoming(
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
            if earlier is not None:  # a retry of a message we already have
                return _retry(session, earlier, payload)
        # Redacted before anything else sees it: the detector, the database, Rasa, the inbox, the logs.
        # (Cut to length after redaction, so that a cut cannot leave half a number behind.)
        found = scan(text, Profile.RESIDENT)
        clean = found.text[: get_settings().max_message_chars]
        detection = detect(clean, context=conv.language or conv.locale)
        if not conv.language_locked and not payload:
            conv.language = detection.language if detection.supported else FALLBACK_LANGUAGE
        first = session.scalar(
            select(Message.id).where(Message.conversation_id == conv.id, Message.sender == "resident").limit(1)
        )
        owner, until = lease.new()
        msg = Message(
            conversation_id=conv.id,
            sender="resident",
            text=clean,
            language=detection.language,
            client_id=client_id,
            lease_owner=owner,
            lease_until=until,
        )
        conv.last_activity_at = datetime.now(UTC)
        session.add(msg)
        session.flush()
        notice = _redaction_notice(session, conv, msg.id) if found.changed else None
        if first is None:  # the insights count a conversation once it has a question in it
            counters.count(
                session, "conversation", library=conv.library_id, language=detection.language, channel=conv.channel
            )
        return Incoming(
            msg.id,
            clean,
            payload,
            not detection.supported,
            language=detection.language,
            redaction_notice=notice,
            lease=owner,
        )


def _poll(conversation_id: str, message_id: int, payload: str | None) -> Incoming:
    with session_scope() as session:
        conv, msg = session.get(Conversation, conversation_id), session.get(Message, message_id)
        if conv is None or msg is None:  # deleted meanwhile ("End and delete")
            raise NotFound(conversation_id)
        return _retry(session, msg, payload)


def _topic_reply(conversation_id: str, incoming: Incoming) -> list[Reply]:
    """A topic button is answered from the FAQ without Rasa."""
    with session_scope() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        if incoming.payload and incoming.payload.startswith("topic:"):
            reply = faq_reply(session, conv, incoming.payload.removeprefix("topic:"))
            if reply is not None:
                return [reply]
        return []


def _understand(conversation_id: str, text: str, unsupported_language: bool) -> understanding.Turn:
    with session_scope() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        return understanding.understand(
            session, text, conv.library_id, unsupported_language, previous=context.previous(session, conv)
        )


def _render(conversation_id: str, text: str, decision: Decision | None, turn: understanding.Turn | None) -> list[Reply]:
    """The decision written as replies; with no decision (Rasa is down), the API decides alone."""
    with session_scope() as session:
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        if decision is None:
            return answering.without_rasa(session, conv, text, turn.understanding if turn else None)
        u = turn.understanding if turn is not None else Understanding()
        return answering.render(session, conv, decision, text, u)


async def _bot_turn(conversation_id: str, incoming: Incoming) -> list[Reply]:
    replies = await _in_thread(_topic_reply, conversation_id, incoming)
    if replies:
        return replies
    text = "/request_human" if incoming.payload == "handoff" else incoming.text
    # The message is embedded and the FAQ ranked once, here; Rasa gets both (understanding.py).
    turn = (
        None
        if text.startswith("/")
        else await _in_thread(_understand, conversation_id, text, incoming.unsupported_language)
    )
    try:
        decision: Decision | None = await rasa_client.send(conversation_id, text, turn.metadata if turn else {})
    except rasa_client.RasaUnavailable as exc:
        # Degraded mode: the API decides from the FAQ itself, so the resident is not left waiting.
        log.warning("Rasa unavailable, answering from the FAQ directly: %s", exc)
        decision = None
    return await _in_thread(_render, conversation_id, text, decision, turn)


def _language_notice(session: Session, conv: Conversation, replies: list[Reply]) -> None:
    """For a message in a language we do not support: one line listing the ones we do."""
    names = ", ".join(lang.name for lang in languages().values())
    notice = text_reply(session, conv, "language_unsupported", "system", languages=names)
    if replies:
        replies[0].text = f"{notice.text}\n\n{replies[0].text}"
    else:
        replies.append(notice)


async def post_message(
    conversation_id: str, token: str, text: str, payload: str | None = None, client_id: str | None = None
) -> list[Reply]:
    return await _post(conversation_id, token, text, payload, client_id)


def post_channel_message(
    conversation_id: str, text: str, payload: str | None = None, client_id: str | None = None
) -> list[Reply]:
    """The same turn for a channel that has authenticated the sender itself (an SMS webhook:
    the provider's signature and the sender's number), so there is no conversation token.
    Called from a worker thread of the API (or from a script, which has no event loop)."""
    turn = partial(_post, conversation_id, None, text, payload, client_id)
    try:
        return anyio.from_thread.run(turn)
    except anyio.NoEventLoopError:
        return asyncio.run(turn())


async def _post(
    conversation_id: str, token: str | None, text: str, payload: str | None, client_id: str | None
) -> list[Reply]:
    incoming = await _in_thread(_record_incoming, conversation_id, token, text, payload, client_id)
    # A retry waits at most as long as a claim lasts (then it takes the turn over itself), twice over.
    deadline = time.monotonic() + 2 * get_settings().turn_lease_s + 5
    while True:
        if incoming.duplicate_replies is not None:
            return incoming.duplicate_replies
        if incoming.lease is not None:
            replies = await _answer(conversation_id, incoming)
            if replies is not None:
                return replies
            # Our claim expired mid-turn and a retry took the message over: its answer counts.
        if time.monotonic() > deadline:
            raise StillAnswering(conversation_id)
        await asyncio.sleep(POLL_S)
        incoming = await anyio.to_thread.run_sync(_poll, conversation_id, incoming.message_id, payload)


async def _answer(conversation_id: str, incoming: Incoming) -> list[Reply] | None:
    """The turn of a message we hold the claim on; None if the claim was lost before the end."""
    owner = incoming.lease
    assert owner is not None
    notice = [incoming.redaction_notice] if incoming.redaction_notice else []
    try:
        held = await _in_thread(hold_for_staff, conversation_id, incoming.message_id, owner)
        if held is not None:  # waiting or with staff: the message is on the ticket and Rasa stays silent
            return notice + held
        replies = await _bot_turn(conversation_id, incoming)
        return notice + await _in_thread(_finish, conversation_id, incoming, replies)
    except lease.LeaseLost:
        return None  # the transaction that would have answered was rolled back
    except BaseException:
        # This attempt failed: a retry may take the turn over at once instead of after the claim.
        with anyio.CancelScope(shield=True):
            try:
                await anyio.to_thread.run_sync(_give_up, incoming.message_id, owner)
            except Exception:  # noqa: BLE001 - the database may be what failed; the claim expires anyway
                log.warning("could not give up a turn's claim; it expires by itself")
        raise


def _give_up(message_id: int, owner: str) -> None:
    with session_scope() as session:
        lease.expire(session, message_id, owner)


def _finish(conversation_id: str, incoming: Incoming, replies: list[Reply]) -> list[Reply]:
    """Store the answer and give up the claim in one transaction, only if the claim is still ours:
    so a message is answered once even when a late attempt and its retry both finish."""
    with session_scope() as session:
        lease.release(session, incoming.message_id, incoming.lease)  # LeaseLost: nothing is stored
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


def delete_conversation(session: Session, conv: Conversation) -> None:
    """Deletes it with everything that cascades, and queues its Rasa tracker's deletion in the
    same transaction; after the commit the caller runs `after_delete`."""
    trackers.queue(session, [conv.id])
    session.delete(conv)


def after_delete(conversation_id: str) -> None:
    """Once the delete is committed: Rasa forgets the tracker (or the retention job retries),
    and SQLite's WAL no longer holds the deleted text."""
    trackers.forget_now(conversation_id)
    checkpoint_sqlite()


__all__ = ["IntegrityError", "NotFound", "authorise", "create_conversation", "post_message", "transcript"]
