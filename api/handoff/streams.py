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
from typing import Any

import anyio
from sqlalchemy import select

from api.conversations.models import Conversation, Message
from api.db import session_scope
from api.handoff import serialize, sessions
from api.handoff.auth import touch
from api.handoff.models import StaffUser
from api.handoff.pubsub import STAFF_CHANNEL, Broker, conversation_channel, get_broker

HEARTBEAT_S = 15.0
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


def _check_staff(id_hash: str, staff_id: int) -> bool:
    """Still logged in (and marked as online while the desk is open)."""
    with session_scope() as session:
        staff = session.get(StaffUser, staff_id)
        if staff is None or not staff.active or not sessions.still_valid(session, id_hash):
            return False
        touch(staff)
        return True


async def staff_stream(
    staff_id: int,
    languages: list[str],
    session_hash: str,
    *,
    broker: Broker | None = None,
    heartbeat: float = HEARTBEAT_S,
) -> AsyncIterator[str]:
    """Events: `ready`, `ticket` {event, ticket}, `message` {ticket_id, conversation_id, message},
    `note` {ticket_id, note}, `logout` (the session ended: log in again)."""
    broker = broker or get_broker()
    async with broker.subscribe(STAFF_CHANNEL) as sub:
        yield f"retry: {RETRY_MS}\n\n"
        yield sse({"staff_id": staff_id}, "ready")
        while True:
            item = await sub.get(heartbeat)
            if item is None:
                if not await anyio.to_thread.run_sync(_check_staff, session_hash, staff_id):
                    yield sse({}, "logout")
                    return
                yield ": heartbeat\n\n"
                continue
            if item.get("type") == "ticket":
                item["ticket"]["speaks_language"] = item["ticket"].get("language") in languages
            yield sse(item, str(item.get("type", "update")))
