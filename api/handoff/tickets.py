"""What happens to a ticket: opened by a resident's request, claimed, answered, noted, transferred,
resolved, reopened, handed back. Authorisation of the person acting is checked here too."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Message
from api.handoff import notify, serialize
from api.handoff.clock import aware, now
from api.handoff.models import StaffUser, Ticket, TicketNote
from api.handoff.states import IllegalTransition, apply, language_of, record_event
from api.insights import counters
from api.libraries.models import Library
from api.privacy.redact import Profile, redact
from api.ratelimit import residents

OVERRIDE_ROLES = ("coordinator", "admin")  # may act on a ticket someone else has claimed


class TicketNotFound(LookupError):
    pass


class NotAllowed(PermissionError):
    pass


class BadRequest(ValueError):
    pass


def current_ticket(session: Session, conversation_id: str) -> Ticket | None:
    """The conversation's latest ticket (at most one is not closed)."""
    return session.scalar(
        select(Ticket).where(Ticket.conversation_id == conversation_id).order_by(Ticket.id.desc()).limit(1)
    )


def load(session: Session, ticket_id: int, *, lock: bool = False) -> Ticket:
    query = select(Ticket).where(Ticket.id == ticket_id)
    if lock:  # PostgreSQL: hold the row while we check and write (SQLite serialises writers anyway)
        query = query.with_for_update(of=Ticket)
    ticket = session.scalar(query)
    if ticket is None:
        raise TicketNotFound(ticket_id)
    return ticket


def changed(session: Session, ticket: Ticket, event: str, msg: Message | None = None) -> None:
    """Tell the desks (after commit): the ticket's new summary and its transcript event."""
    notify.to_staff(session, {"type": "ticket", "event": event, "ticket": serialize.ticket_summary(ticket)})
    if msg is not None:
        message_to_staff(session, ticket, msg)


def message_to_staff(session: Session, ticket: Ticket, msg: Message) -> None:
    notify.to_staff(
        session,
        {
            "type": "message",
            "ticket_id": ticket.id,
            "conversation_id": ticket.conversation_id,
            "message": serialize.message(msg),
        },
    )


def _last_topic(session: Session, conversation_id: str) -> str | None:
    return session.scalar(
        select(Message.topic)
        .where(Message.conversation_id == conversation_id, Message.topic.is_not(None))
        .order_by(Message.id.desc())
        .limit(1)
    )


def open_ticket(session: Session, conv: Conversation) -> Ticket:
    """bot -> waiting: a new ticket in the shared queue. Idempotent under concurrent requests.
    Raises RateLimited when the resident's client has opened too many tickets lately."""
    if conv.state == "bot":
        residents.ticket(conv.id)
    session.flush()
    moved = session.execute(
        update(Conversation)
        .where(Conversation.id == conv.id, Conversation.state == "bot")
        .values(state="waiting", failed_turns=0)
        .execution_options(synchronize_session=False)
    )
    session.refresh(conv)
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        existing = current_ticket(session, conv.id)
        if existing is None:
            raise IllegalTransition("handoff_requested", conv.state)
        return existing
    # An earlier episode that was resolved is finished for good once a new one starts.
    session.execute(
        update(Ticket)
        .where(Ticket.conversation_id == conv.id, Ticket.state == "resolved")
        .values(state="closed")
        .execution_options(synchronize_session=False)
    )
    at = now()
    ticket = Ticket(
        conversation_id=conv.id,
        state="waiting",
        library_id=conv.library_id,
        language=language_of(conv),
        channel=conv.channel,
        topic=_last_topic(session, conv.id),
        created_at=at,
        queued_at=at,
    )
    session.add(ticket)
    session.flush()
    counters.count(
        session,
        "handoff",
        library=ticket.library_id,
        language=ticket.language,
        channel=ticket.channel,
        topic=ticket.topic,
    )
    changed(session, ticket, "handoff_requested", record_event(session, conv, "handoff_requested"))
    return ticket


def request_handoff(session: Session, conv: Conversation) -> Ticket:
    """The resident asks for a person: queue the conversation (or reopen its resolved ticket)."""
    if conv.state == "resolved":
        ticket = current_ticket(session, conv.id)
        if ticket is not None and ticket.state == "resolved":
            return reopen(session, ticket)
    if conv.state in ("waiting", "with_staff"):
        ticket = current_ticket(session, conv.id)
        if ticket is not None:
            return ticket
    return open_ticket(session, conv)


def _check_may_act(staff: StaffUser, ticket: Ticket) -> None:
    if ticket.assignee_id not in (None, staff.id) and staff.role not in OVERRIDE_ROLES:
        name = ticket.assignee.name if ticket.assignee else "a colleague"
        raise NotAllowed(f"This ticket is handled by {name}; only they or a coordinator can do that")


def _same_assignee(ticket: Ticket):  # type: ignore[no-untyped-def]
    """Guard: nobody claimed or transferred the ticket between our check and our write."""
    return Ticket.assignee_id.is_(None) if ticket.assignee_id is None else Ticket.assignee_id == ticket.assignee_id


def claim(session: Session, ticket: Ticket, staff: StaffUser) -> Ticket:
    """waiting -> with_staff. One conditional UPDATE: of two staff claiming at once exactly one wins."""
    try:
        msg = apply(
            session,
            ticket,
            "claimed",
            guards=(Ticket.assignee_id.is_(None),),
            values={"assignee_id": staff.id, "claimed_at": now()},
        )
    except IllegalTransition as exc:
        if ticket.state == "with_staff" and ticket.assignee is not None:
            who = "you" if ticket.assignee_id == staff.id else ticket.assignee.name
            raise IllegalTransition("claimed", ticket.state, f"This ticket was already claimed by {who}") from exc
        raise
    changed(session, ticket, "claimed", msg)
    return ticket


def reply(session: Session, ticket: Ticket, staff: StaffUser, text: str) -> Message:
    """A staff answer in the resident's transcript (only by the staff member who claimed the ticket)."""
    if ticket.state == "waiting":
        raise IllegalTransition("replied", ticket.state, "Claim the ticket before replying")
    if ticket.state != "with_staff":
        raise IllegalTransition(
            "replied", ticket.state, f"The ticket is {ticket.state}: reopen and claim it before replying"
        )
    if ticket.assignee_id != staff.id:
        name = ticket.assignee.name if ticket.assignee else "a colleague"
        raise NotAllowed(f"This ticket is handled by {name}; only they can reply")
    conv = session.get(Conversation, ticket.conversation_id)
    assert conv is not None
    at = now()
    msg = Message(
        conversation_id=conv.id,
        sender="staff",
        kind="staff",
        text=redact(text, Profile.STAFF),  # keeps the library's phone number, never a resident's secret
        language=language_of(conv),
        buttons=[],
        created_at=at,
    )
    conv.last_activity_at = at
    session.add(msg)
    if ticket.first_reply_at is None:
        ticket.first_reply_at = at
        _count_first_reply(session, ticket, (at - aware(ticket.created_at)).total_seconds())
    session.flush()
    message_to_staff(session, ticket, msg)
    return msg


def _count_first_reply(session: Session, ticket: Ticket, seconds: float) -> None:
    """The insights' staff time to first reply: from the handoff request to the first answer."""
    where = {"library": ticket.library_id, "language": ticket.language, "channel": ticket.channel}
    counters.count(session, "first_reply", **where)
    counters.count(session, "first_reply_seconds", by=max(0, round(seconds)), **where)
    counters.count(session, "first_reply_within", topic=counters.first_reply_bucket(seconds), **where)


def add_note(session: Session, ticket: Ticket, staff: StaffUser, text: str) -> TicketNote:
    note = TicketNote(ticket_id=ticket.id, author_id=staff.id, text=redact(text, Profile.STAFF), created_at=now())
    session.add(note)
    session.flush()
    session.refresh(note)
    notify.to_staff(session, {"type": "note", "ticket_id": ticket.id, "note": serialize.note(note)})
    return note


def transfer(
    session: Session, ticket: Ticket, staff: StaffUser, library: str | None = None, colleague_id: int | None = None
) -> Ticket:
    """To another library (back in the queue, for that library) or to a colleague (assigned to them)."""
    if (library is None) == (colleague_id is None):
        raise BadRequest("Give either a library or a colleague to transfer to")
    _check_may_act(staff, ticket)
    if library is not None:
        if session.get(Library, library) is None:
            raise BadRequest(f"Unknown library id {library!r}")
        event = "transferred"
        values = {"assignee_id": None, "claimed_at": None, "transferred_to_library_id": library, "queued_at": now()}
    else:
        colleague = session.get(StaffUser, colleague_id)
        if colleague is None or not colleague.active:
            raise BadRequest(f"No active colleague with id {colleague_id}")
        event = "reassigned"
        values = {"assignee_id": colleague.id, "claimed_at": now()}
    msg = apply(session, ticket, event, guards=(_same_assignee(ticket),), values=values)
    changed(session, ticket, event, msg)
    return ticket


def resolve(session: Session, ticket: Ticket, staff: StaffUser) -> Ticket:
    _check_may_act(staff, ticket)
    msg = apply(session, ticket, "resolved", guards=(_same_assignee(ticket),), values={"resolved_at": now()})
    changed(session, ticket, "resolved", msg)
    return ticket


def reopen(session: Session, ticket: Ticket, reply_to: int | None = None) -> Ticket:
    """resolved -> waiting: back in the queue, unassigned (by staff, or by the resident writing again)."""
    values = {"assignee_id": None, "claimed_at": None, "resolved_at": None, "queued_at": now()}
    msg = apply(session, ticket, "reopened", values=values, reply_to=reply_to)
    changed(session, ticket, "reopened", msg)
    return ticket


def hand_back(session: Session, ticket: Ticket, staff: StaffUser) -> Ticket:
    """-> bot: the assistant answers the conversation again; the ticket is closed."""
    _check_may_act(staff, ticket)
    msg = apply(session, ticket, "handed_back", guards=(_same_assignee(ticket),))
    changed(session, ticket, "handed_back", msg)
    return ticket


def leave_contact(session: Session, conv: Conversation, contact: str) -> Message:
    """The resident's e-mail address or phone number for the answer, on the ticket only."""
    ticket = current_ticket(session, conv.id)
    if ticket is None or ticket.state == "closed":
        raise IllegalTransition("contact_left", conv.state, "There is no question for library staff in this chat")
    ticket.contact = contact
    msg = record_event(session, conv, "contact_left")
    changed(session, ticket, "contact_left", msg)
    return msg
