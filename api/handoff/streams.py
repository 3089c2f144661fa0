"""Server-sent event streams: a resident's conversation, and the staff desk's queue.

The resident stream sends every new transcript message of the conversation (the database is
the source: a pub/sub message only wakes the stream, which then reads what is new after the
last id it sent, also after every heartbeat, so nothing is lost even if a wake-up is). The
staff stream forwards queue changes, ticket messages and notes as they are published.
Both send a comment line every HEARTBEAT_S seconds so proxies keep the connection open.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio
from sqlalchemy import select

from api.conversations.models import Conversation, Message
from api.db import session_scope
from api.handoff import notify, serialize, sessions
from api.handoff.auth import touch
from api.handoff.clock import now
from api.handoff.models import StaffUser
from api.handoff.pubsub import STAFF_CHANNEL, Broker, conversation_channel, get_broker

HEARTBEAT_S = 15.0
SESSION_CHECK_S = 5.0  # a staff stream re-reads its login this often, events or not (issue 13: end within 15 s)
RETRY_MS = 3000


def sse(data: dict[str, Any], event: str | None = None, event_id: int | None = None) -> str:
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    if event:
        lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, default=str))
    return "\n".join(lines) + "\n\n"


def _new_messages(conversation_id: str, after: int) -> tuple[str, list[dict[str, Any]]] | None:
    with session_scope() as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            return None
        rows = session.scalars(
            select(Message).where(Message.conversation_id == conversation_id, Message.id > after).order_by(Message.id)
        )
        return conv.state, [serialize.message(m) for m in rows]


async def resident_stream(
    conversation_id: str, after: int = 0, *, broker: Broker | None = None, heartbeat: float = HEARTBEAT_S
) -> AsyncIterator[str]:
    """Events: `ready` {state}, `message` {transcript message} (id: = message id), `state` {state}, `gone`."""
    broker = broker or get_broker()
    async with broker.subscribe(conversation_channel(conversation_id)) as sub:
        yield f"retry: {RETRY_MS}\n\n"
        last, state, first = after, None, True
        while True:
            found = await anyio.to_thread.run_sync(_new_messages, conversation_id, last)
            if found is None:  # the resident deleted the conversation, or it expired
                yield sse({}, "gone")
                return
            current, messages = found
            if first:
                yield sse({"state": current}, "ready")
                first = False
            for m in messages:
                yield sse(m, "message", m["id"])
                last = m["id"]
            if state is not None and current != state:
                yield sse({"state": current}, "state")
            state = current
            if await sub.get(heartbeat) is None:
                yield ": heartbeat\n\n"
            sub.drain()  # one read catches up with every wake-up that arrived meanwhile


@dataclass(frozen=True)
class _Access:
    languages: list[str]
    expires_at: datetime


def _staff_access(id_hash: str, staff_id: int) -> _Access | None:
    """What a staff stream may still deliver: None once its login ended (logged out, expired) or
    its account was deactivated. Also marks the person as online while the desk is open."""
    with session_scope() as session:
        staff = session.get(StaffUser, staff_id)
        expires = sessions.valid_until(session, id_hash)
        if staff is None or not staff.active or expires is None:
            return None
        touch(staff)
        return _Access(list(staff.languages or []), expires)


async def staff_stream(
    staff_id: int,
    session_hash: str,
    *,
    broker: Broker | None = None,
    heartbeat: float = HEARTBEAT_S,
    recheck: float = SESSION_CHECK_S,
) -> AsyncIterator[str]:
    """Events: `ready`, `ticket` {event, ticket}, `message` {ticket_id, conversation_id, message},
    `note` {ticket_id, note}, `logout` (the session ended: log in again). A ticket is flagged
    `speaks_language` by the account's languages as they are now.

    The stream carries residents' messages, so it ends with its login: at once when a logout or
    an account change is announced (ACCESS_CHANGED, published after its commit, on the same
    channel, so nothing published later is delivered), at its expiry time, and otherwise within
    `recheck` seconds (an unannounced change, a lost Redis message), busy or quiet."""
    broker = broker or get_broker()
    clock = anyio.current_time
    async with broker.subscribe(STAFF_CHANNEL) as sub:  # before the check: no announcement is missed
        access: _Access | None = await anyio.to_thread.run_sync(_staff_access, session_hash, staff_id)
        yield f"retry: {RETRY_MS}\n\n"
        if access is None:
            yield sse({}, "logout")
            return
        yield sse({"staff_id": staff_id}, "ready")
        checked = sent = clock()
        while True:
            until_expiry = (access.expires_at - now()).total_seconds()
            item = await sub.get(max(min(checked + recheck - clock(), sent + heartbeat - clock(), until_expiry), 0.01))
            announced = item is not None and item.get("type") == notify.ACCESS_CHANGED
            if announced and item is not None and item.get("staff_id") != staff_id:
                continue  # someone else's sessions
            if announced or clock() - checked >= recheck:
                access = await anyio.to_thread.run_sync(_staff_access, session_hash, staff_id)
                checked = clock()
            if access is None or now() >= access.expires_at:
                yield sse({}, "logout")
                return
            if item is None or announced:
                if clock() - sent >= heartbeat:
                    yield ": heartbeat\n\n"
                    sent = clock()
                continue
            if item.get("type") == "ticket":
                item["ticket"]["speaks_language"] = item["ticket"].get("language") in access.languages
            yield sse(item, str(item.get("type", "update")))
            sent = clock()
