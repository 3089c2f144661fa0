"""The persistent outbox and its worker.

Every transcript message that goes to an SMS resident (a bot reply, a staff reply, a notice)
gets its outbox rows in the same transaction that stores it (a `before_flush` listener), so
no code path can forget to send and nothing is sent that was rolled back. The worker claims a
due row with one conditional UPDATE (safe with several API workers), sends it, and on a
temporary failure schedules a retry with exponential backoff; a row whose claim lapsed (the
process died mid-send) is due again, so a restart resumes sending.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Message
from api.db import session_scope
from api.handoff.clock import now
from api.settings import get_settings
from api.sms.formatting import compose
from api.sms.models import SmsConversation, SmsOutbox
from api.sms.optout import is_opted_out
from api.sms.providers import Outgoing, PermanentFailure, TemporaryFailure, get_sender
from api.sms.segments import size

log = logging.getLogger("api.sms.outbox")

# Transcript notices worth a text message; the others (claimed, transferred, ...) are desk-side news.
SENT_EVENTS = frozenset({"message_received", "reopened", "resolved", "handed_back", "redacted"})
LEASE = timedelta(seconds=60)  # longer than a send can take (SMS_SEND_TIMEOUT_S)
MAX_BACKOFF = timedelta(hours=1)


def new_row(to: str, sender: str | None, text: str, *, kind: str = "reply", **extra: Any) -> SmsOutbox:
    measured = size(text)
    return SmsOutbox(
        to_number=to,
        from_number=sender,
        text=text,
        encoding=measured.encoding,
        segments=measured.segments,
        kind=kind,
        status="queued",
        attempts=0,
        next_attempt_at=now(),
        created_at=now(),
        **extra,
    )


def _goes_to_resident(msg: Message) -> bool:
    return msg.sender in ("bot", "staff") or (msg.sender == "system" and msg.event in SENT_EVENTS)


@event.listens_for(Session, "before_flush")
def _enqueue_sms(session: Session, _context: object, _instances: object) -> None:
    new = [o for o in session.new if isinstance(o, Message) and _goes_to_resident(o)]
    if not new:
        return
    with session.no_autoflush:
        for msg in new:
            conv = session.get(Conversation, msg.conversation_id)
            if conv is None or conv.channel != "sms":
                continue
            thread = session.get(SmsConversation, conv.id)
            if thread is None:
                continue
            composed = compose(
                session,
                conv,
                text=msg.text,
                kind=msg.kind,
                topic=msg.topic,
                language=msg.language or conv.language or "sv",
                buttons=msg.buttons,
            )
            thread.options = composed.options
            blocked = is_opted_out(session, thread.phone)
            for part in composed.parts:
                row = new_row(thread.phone, thread.our_number, part, conversation_id=conv.id, message=msg)
                if blocked:
                    row.status, row.last_error = "suppressed", "the number has opted out (STOP)"
                session.add(row)


# ---- the worker -------------------------------------------------------------------------------


def _due(at: datetime) -> Any:
    return or_(
        and_(SmsOutbox.status == "queued", SmsOutbox.next_attempt_at <= at),
        and_(SmsOutbox.status == "sending", SmsOutbox.lease_until < at),
    )


def _claim(row_id: int, at: datetime) -> bool:
    """Exactly one worker gets a row: the UPDATE matches only while the row is still due."""
    with session_scope() as session:
        result = session.execute(
            update(SmsOutbox)
            .where(SmsOutbox.id == row_id, _due(at))
            .values(status="sending", lease_until=at + LEASE, attempts=SmsOutbox.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


def backoff(attempts: int) -> timedelta:
    """15 s, 30 s, 1 min, 2 min, ... at most an hour (SMS_RETRY_BASE_SECONDS)."""
    delay = timedelta(seconds=get_settings().sms_retry_base_seconds * 2 ** max(0, attempts - 1))
    return min(delay, MAX_BACKOFF)


def _deliver(row_id: int, at: datetime) -> str:
    with session_scope() as session:
        row = session.get(SmsOutbox, row_id)
        if row is None:  # the conversation was deleted meanwhile
            return "gone"
        if row.kind != "control" and is_opted_out(session, row.to_number):
            row.status, row.lease_until, row.last_error = "suppressed", None, "the number has opted out (STOP)"
            return row.status
        sms = Outgoing(row.id, row.to_number, row.from_number, row.text)
    sender = get_sender()
    outcome: dict[str, Any]
    try:
        sent = sender.send(sms)
        outcome = {"status": "sent", "provider": sent.provider, "provider_id": sent.provider_id, "sent_at": now()}
        outcome["last_error"] = None
    except TemporaryFailure as exc:
        outcome = {"status": "queued", "last_error": f"{sender.name}: {exc}"[:200]}
    except PermanentFailure as exc:
        outcome = {"status": "failed", "last_error": f"{sender.name}: {exc}"[:200]}
    with session_scope() as session:
        row = session.get(SmsOutbox, row_id)
        if row is None:
            return "gone"
        if outcome["status"] == "queued":
            if row.attempts >= get_settings().sms_max_attempts:
                outcome["status"] = "failed"
            else:
                outcome["next_attempt_at"] = at + backoff(row.attempts)
        for key, value in outcome.items():
            setattr(row, key, value)
        row.lease_until = None
        if row.status != "sent":
            log.warning("SMS %s %s after %s attempt(s): %s", row.id, row.status, row.attempts, row.last_error)
        return row.status


def send_due(at: datetime | None = None, limit: int = 20) -> dict[str, int]:
    """Send what is due now; returns how many rows ended in which status."""
    at = at or now()
    with session_scope() as session:
        rows = session.execute(
            select(SmsOutbox.id, SmsOutbox.to_number).where(_due(at)).order_by(SmsOutbox.id).limit(limit)
        ).all()
        # A number's texts go out in order: nothing overtakes an earlier one that is still pending.
        pending = session.execute(
            select(SmsOutbox.to_number, SmsOutbox.id).where(SmsOutbox.status.in_(("queued", "sending")))
        ).all()
    first_pending: dict[str, int] = {}
    for number, row_id in pending:
        first_pending[number] = min(row_id, first_pending.get(number, row_id))
    counts: dict[str, int] = {}
    for row_id, number in rows:
        if first_pending.get(number, row_id) < row_id:
            continue
        if _claim(row_id, at):
            status = _deliver(row_id, at)
            counts[status] = counts.get(status, 0) + 1
            if status == "queued":  # keep this number's later texts behind it
                first_pending[number] = row_id
            elif first_pending.get(number) == row_id:  # done: the next one may go
                del first_pending[number]
    return counts


async def run_worker() -> None:
    """Started with the API (api/main.py); SMS_OUTBOX_POLL_SECONDS=0 turns it off."""
    poll = get_settings().sms_outbox_poll_seconds
    while poll > 0:
        busy = False
        try:
            busy = bool(await asyncio.to_thread(send_due))  # a full batch: there may be more right away
        except OperationalError:
            log.warning("SMS outbox: database not reachable; trying again")
        except Exception:
            log.exception("SMS outbox: sending failed; trying again")
        if not busy:
            await asyncio.sleep(poll)


# ---- delivery reports ---------------------------------------------------------------------------

DELIVERED = {"delivered"}
NOT_DELIVERED = {"failed", "undelivered"}


def record_status(session: Session, provider: str, provider_id: str, status: str) -> bool:
    """A delivery report (46elks `whendelivered`, Twilio `StatusCallback`). False: not ours."""
    row = session.scalar(select(SmsOutbox).where(SmsOutbox.provider == provider, SmsOutbox.provider_id == provider_id))
    if row is None:
        return False
    if status in DELIVERED:
        row.status, row.delivered_at = "delivered", now()
    elif status in NOT_DELIVERED and row.status != "delivered":
        row.status, row.last_error = "failed", f"{provider} reported: {status}"
    return True
