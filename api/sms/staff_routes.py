"""GET /api/staff/tickets/{id}/sms: the texts sent (or waiting to be sent) in a ticket's conversation.

The resident's number is in full only for the staff member handling the ticket."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel
from sqlalchemy import select

from api.conversations.routes import SessionDep
from api.handoff.auth import StaffDep
from api.handoff.models import Ticket
from api.input_rules import DbInt
from api.sms.models import SmsOutbox
from api.sms.phone import mask

router = APIRouter(prefix="/api/staff", tags=["staff desk"])


class OutgoingSms(BaseModel):
    id: int
    message_id: int | None
    to: str | None
    text: str
    encoding: str
    segments: int
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None


@router.get("/tickets/{ticket_id}/sms", response_model=list[OutgoingSms])
def ticket_sms(ticket_id: DbInt, caller: StaffDep, session: SessionDep) -> list[OutgoingSms]:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No ticket {ticket_id}")
    handling = ticket.assignee_id == caller.staff.id
    rows = session.scalars(
        select(SmsOutbox).where(SmsOutbox.conversation_id == ticket.conversation_id).order_by(SmsOutbox.id)
    )
    return [
        OutgoingSms(
            id=r.id,
            message_id=r.message_id,
            to=r.to_number if handling else mask(r.to_number),
            text=r.text,
            encoding=r.encoding,
            segments=r.segments,
            status=r.status,
            attempts=r.attempts,
            last_error=r.last_error,
            created_at=r.created_at,
            sent_at=r.sent_at,
            delivered_at=r.delivered_at,
        )
        for r in rows
    ]
