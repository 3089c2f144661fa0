"""The shared queue: tickets of every library, filtered and sorted for the desk."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.handoff.models import StaffUser, Ticket

OPEN_STATES = ("waiting", "with_staff")
Sort = Literal["age", "library", "language"]
LIMIT = 500


def list_tickets(
    session: Session,
    viewer: StaffUser,
    *,
    states: list[str] | None = None,
    library: str | None = None,
    language: str | None = None,
    channel: str | None = None,
    topic: str | None = None,
    assignee: str | None = None,
    sort: Sort = "age",
) -> list[Ticket]:
    """`topic` matches the id or a prefix ("emedia" matches "emedia.app"); `assignee` is me, none or an id."""
    responsible = func.coalesce(Ticket.transferred_to_library_id, Ticket.library_id)
    query = select(Ticket).where(Ticket.state.in_(states or OPEN_STATES))
    if library:
        query = query.where(responsible == library)
    if language:
        query = query.where(Ticket.language == language)
    if channel:
        query = query.where(Ticket.channel == channel)
    if topic:
        query = query.where(or_(Ticket.topic == topic, Ticket.topic.startswith(f"{topic}.", autoescape=True)))
    if assignee == "me":
        query = query.where(Ticket.assignee_id == viewer.id)
    elif assignee == "none":
        query = query.where(Ticket.assignee_id.is_(None))
    elif assignee:
        query = query.where(Ticket.assignee_id == int(assignee))
    order = {
        "age": (Ticket.queued_at, Ticket.id),  # the longest waiting first
        "library": (responsible, Ticket.queued_at, Ticket.id),
        "language": (Ticket.language, Ticket.queued_at, Ticket.id),
    }[sort]
    return list(session.scalars(query.order_by(*order).limit(LIMIT)).unique())
