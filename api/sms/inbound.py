"""An inbound SMS, whichever provider brought it: recognise retries, STOP/START, the rate limit,
find the number's conversation, turn "1"/"2"/"3" into the option it names, and take the same
path as a web message (api/conversations/service.py). Replies reach the outbox on their own
(api/sms/outbox.py)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations import service
from api.conversations.models import Conversation
from api.db import session_scope
from api.handoff.clock import now
from api.libraries.models import Library
from api.ratelimit import Limit, hit
from api.settings import get_settings
from api.sms import optout
from api.sms.models import SmsConversation, SmsInbound
from api.sms.outbox import new_row
from api.sms.phone import library_numbers, number_hash
from api.sms.texts import keyword, sms_text

log = logging.getLogger("api.sms")

_OPTION = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


@dataclass(frozen=True)
class InboundSms:
    provider: str  # 46elks | twilio
    provider_id: str  # the provider's message id: a retry carries the same
    sender: str  # the resident, E.164
    to: str  # our number, E.164
    text: str


def _log_row(session: Session, sms: InboundSms) -> SmsInbound:
    row = session.scalar(
        select(SmsInbound).where(SmsInbound.provider == sms.provider, SmsInbound.provider_id == sms.provider_id)
    )
    if row is None:
        row = SmsInbound(
            provider=sms.provider,
            provider_id=sms.provider_id,
            number_hash=number_hash(sms.sender),
            outcome="received",
            received_at=now(),
        )
        session.add(row)
        session.flush()
    return row


def _over_limit(row: SmsInbound) -> bool:
    """The per-number limit, in the shared limiter (api/ratelimit). A provider's retry of a message
    already handled never gets here (recognised by its id above)."""
    s = get_settings()
    return hit("sms", row.number_hash, Limit(s.sms_rate_limit, s.sms_rate_window_minutes * 60)) > 0


def _thread(session: Session, sms: InboundSms) -> SmsConversation | None:
    """The number's open conversation: within the window, or still with staff."""
    window = now() - timedelta(hours=get_settings().sms_conversation_window_hours)
    return session.scalar(
        select(SmsConversation)
        .join(Conversation, Conversation.id == SmsConversation.conversation_id)
        .where(SmsConversation.phone == sms.sender, SmsConversation.our_number == sms.to)
        .where((Conversation.last_activity_at >= window) | Conversation.state.in_(("waiting", "with_staff")))
        .order_by(Conversation.last_activity_at.desc())
        .limit(1)
    )


def _library(session: Session, number: str) -> str | None:
    library = library_numbers().get(number)
    if library is not None and session.get(Library, library) is None:
        log.warning("SMS_NUMBERS names an unknown library %r; the conversation gets none", library)
        return None
    return library


def _start_conversation(session: Session, sms: InboundSms) -> SmsConversation:
    conv, _token = service.create_conversation(session, "sms", _library(session, sms.to), None)
    thread = SmsConversation(conversation_id=conv.id, phone=sms.sender, our_number=sms.to, options=[])
    session.add(thread)
    session.flush()
    return thread


def _keyword_reply(session: Session, sms: InboundSms, word: str, language: str | None) -> str:
    """STOP/START: change the opt-out and confirm once (a repeated STOP gets no second text)."""
    thread = _thread(session, sms)
    if language is None:
        conv = session.get(Conversation, thread.conversation_id) if thread else None
        language = (conv.language if conv else None) or "sv"
    if word == "stop":
        changed, outcome, key = optout.opt_out(session, sms.sender), "opt_out", "stopped"
    else:
        changed, outcome, key = optout.opt_in(session, sms.sender), "opt_in", "started"
    if changed:
        session.add(new_row(sms.sender, sms.to, sms_text(session, key, language), kind="control"))
    return outcome


def _chosen_option(thread: SmsConversation, text: str) -> dict[str, Any] | None:
    match = _OPTION.match(text)
    if match is None or not thread.options:
        return None
    number = int(match.group(1))
    return thread.options[number - 1] if 1 <= number <= len(thread.options) else None


def receive(sms: InboundSms) -> str:
    """Handle one inbound SMS; returns what became of it. Raises if it could not be handled,
    so the webhook answers 5xx and the provider sends it again (a retry is recognised)."""
    with session_scope() as session:
        row = _log_row(session, sms)
        if row.outcome != "received":  # a retry of a message we have handled
            return "duplicate"
        found = keyword(sms.text)
        if found is not None:
            row.outcome = _keyword_reply(session, sms, *found)
            return row.outcome
        if optout.is_opted_out(session, sms.sender):
            row.outcome = "opted_out"  # nothing is stored and nothing is sent until START
            return row.outcome
        if _over_limit(row):
            row.outcome = "limited"
            log.warning("SMS rate limit: a number sent more than %s messages", get_settings().sms_rate_limit)
            return row.outcome
        if not sms.text.strip():
            row.outcome = "empty"
            return row.outcome
        thread = _thread(session, sms) or _start_conversation(session, sms)
        option = _chosen_option(thread, sms.text)
        conversation_id, row_id = thread.conversation_id, row.id
    text, payload = (str(option["title"]), str(option["payload"])) if option else (sms.text, None)
    # Not cut to length here: the conversation service redacts first and then cuts (decision 0009).
    service.post_channel_message(conversation_id, text, payload, client_id=f"{sms.provider}:{sms.provider_id}")
    with session_scope() as session:
        done = session.get(SmsInbound, row_id)
        if done is not None:
            done.outcome, done.conversation_id = "answered", conversation_id
    return "answered"
