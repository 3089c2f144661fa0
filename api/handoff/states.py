"""The conversation state machine of the handoff, and its events in the transcript.

Conversation states: `bot` -> `waiting` (in the queue) -> `with_staff` -> `resolved`, and back
to `bot` when staff hand it back (or when a resident writes to a resolved conversation after
the reopen window). A ticket is one handoff episode; its state mirrors the conversation's,
with `closed` for "handed back to the bot".

Every transition is one conditional UPDATE of the ticket row (`... WHERE state IN (allowed)`,
plus guards such as `assignee_id IS NULL` for a claim); a rowcount other than 1 means another
request got there first or the move is not allowed, and nothing changes. The conversation's
state and the transcript event are written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Message
from api.handoff.clock import now
from api.handoff.models import Ticket
from api.texts.service import catalog

CONVERSATION_STATES = ("bot", "waiting", "with_staff", "resolved")
# Ticket state -> conversation state.
CONVERSATION_STATE = {"waiting": "waiting", "with_staff": "with_staff", "resolved": "resolved", "closed": "bot"}


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]  # ticket states it may start from
    target: str  # the ticket state it ends in
    notice: str  # the bot text key of the resident-facing notice in the transcript


TRANSITIONS: dict[str, Transition] = {
    "claimed": Transition(frozenset({"waiting"}), "with_staff", "event_claimed"),
    "reassigned": Transition(frozenset({"waiting", "with_staff"}), "with_staff", "event_transferred"),
    "transferred": Transition(frozenset({"waiting", "with_staff"}), "waiting", "event_transferred"),
    "resolved": Transition(frozenset({"waiting", "with_staff"}), "resolved", "event_resolved"),
    "reopened": Transition(frozenset({"resolved"}), "waiting", "event_reopened"),
    "handed_back": Transition(frozenset({"waiting", "with_staff", "resolved"}), "closed", "event_handed_back"),
}
# Events that change only the conversation (no ticket transition), with their notices.
CONVERSATION_EVENTS = {
    "handoff_requested": "event_handoff",  # bot -> waiting: a new ticket
    "bot_resumed": "event_handed_back",  # resolved -> bot: written to after the reopen window
}
# Transcript events that are not state changes.
NOTICE_EVENTS = {
    "message_received": "handoff_message_saved",
    "contact_left": "contact_saved",
    "redacted": "redaction_notice",  # something personal was removed from a message (decision 0009)
}

ACTIONS = {
    "claimed": "claim",
    "reassigned": "transfer",
    "transferred": "transfer",
    "resolved": "resolve",
    "reopened": "reopen",
    "handed_back": "hand back",
}


class IllegalTransition(RuntimeError):
    """The move is not allowed from the ticket's current state, or another request changed it first."""

    def __init__(self, event: str, state: str, detail: str = "") -> None:
        self.event, self.state = event, state
        super().__init__(detail or f"Cannot {ACTIONS.get(event, event)} a ticket that is {state.replace('_', ' ')}")


def language_of(conv: Conversation) -> str:
    return conv.language or conv.locale or "sv"


def record_event(session: Session, conv: Conversation, event: str, reply_to: int | None = None) -> Message:
    """A `system` message in the transcript: a short notice in the resident's language plus the event name."""
    key = TRANSITIONS[event].notice if event in TRANSITIONS else CONVERSATION_EVENTS.get(event) or NOTICE_EVENTS[event]
    text, lang = catalog.get(session, key, language_of(conv))
    msg = Message(
        conversation_id=conv.id,
        sender="system",
        kind="system",
        text=text,
        language=lang,
        event=event,
        buttons=[],
        reply_to=reply_to,
        created_at=now(),
    )
    session.add(msg)
    session.flush()
    return msg


def apply(
    session: Session,
    ticket: Ticket,
    event: str,
    *,
    guards: tuple[ColumnElement[bool], ...] = (),
    values: dict[str, Any] | None = None,
    reply_to: int | None = None,
) -> Message:
    """Move `ticket` (and its conversation) by `event`, or raise IllegalTransition and change nothing."""
    t = TRANSITIONS[event]
    session.flush()  # pending changes first: the refreshes below must not discard them
    stmt = (
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.state.in_(t.sources), *guards)
        .values(state=t.target, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if session.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(ticket)
        raise IllegalTransition(event, ticket.state)
    session.execute(
        update(Conversation)
        .where(Conversation.id == ticket.conversation_id)
        .values(state=CONVERSATION_STATE[t.target])
        .execution_options(synchronize_session=False)
    )
    session.refresh(ticket)
    conv = session.get(Conversation, ticket.conversation_id)
    assert conv is not None
    session.refresh(conv)
    return record_event(session, conv, event, reply_to)
