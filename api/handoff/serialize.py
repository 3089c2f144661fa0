"""JSON shapes of tickets, messages and notes, shared by the REST API and the live updates."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import object_session

from api.conversations.models import Message
from api.handoff.clock import aware, iso, now
from api.handoff.models import StaffUser, Ticket, TicketNote
from api.sms.models import number_of
from api.sms.phone import mask


def resident_number(ticket: Ticket) -> str | None:
    """The resident's phone number of an SMS ticket (in full: mask it unless the viewer handles it)."""
    session = object_session(ticket)
    return number_of(session, ticket.conversation_id) if ticket.channel == "sms" and session else None


def person(staff: StaffUser | None) -> dict[str, Any] | None:
    return None if staff is None else {"id": staff.id, "name": staff.name, "library": staff.library_id}


def ticket_summary(ticket: Ticket, viewer: StaffUser | None = None) -> dict[str, Any]:
    """What the queue shows. No contact details and nothing of the transcript."""
    return {
        "id": ticket.id,
        "conversation_id": ticket.conversation_id,
        "state": ticket.state,
        "library": ticket.library_id,
        "transferred_to": ticket.transferred_to_library_id,
        "responsible_library": ticket.transferred_to_library_id or ticket.library_id,
        "language": ticket.language,
        "channel": ticket.channel,
        "topic": ticket.topic,
        "created_at": iso(ticket.created_at),
        "queued_at": iso(ticket.queued_at),
        "claimed_at": iso(ticket.claimed_at),
        "resolved_at": iso(ticket.resolved_at),
        "age_seconds": max(0, int((now() - aware(ticket.queued_at)).total_seconds())),
        "assignee": person(ticket.assignee),
        "has_contact": ticket.contact is not None,
        "phone": mask(resident_number(ticket)),  # masked: the queue is seen by every staff member
        "speaks_language": viewer is not None and ticket.language in (viewer.languages or []),
    }


def message(msg: Message) -> dict[str, Any]:
    return {
        "id": msg.id,
        "sender": msg.sender,
        "text": msg.text,
        "language": msg.language,
        "kind": msg.kind,
        "topic": msg.topic,
        "buttons": msg.buttons or [],
        "event": msg.event,
        "feedback": msg.feedback,
        "created_at": iso(msg.created_at) if msg.created_at is not None else iso(now()),
    }


def note(n: TicketNote) -> dict[str, Any]:
    return {
        "id": n.id,
        "ticket_id": n.ticket_id,
        "author": person(n.author),
        "text": n.text,
        "created_at": iso(n.created_at),
    }
