"""A resident rates an answer (thumbs up or down in the widget): kept on the message, counted
per topic for the insights, and a thumbs down puts the question in the needs inbox."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Message
from api.insights import counters
from api.needs.record import note_rating

RATINGS = ("up", "down")


class NotRateable(ValueError):
    pass


def rate(session: Session, conv: Conversation, message_id: int, rating: str | None) -> Message:
    """Set (or, with None, withdraw) the rating of one of the bot's answers in this conversation."""
    msg = session.get(Message, message_id)
    if msg is None or msg.conversation_id != conv.id:
        raise LookupError(message_id)
    if msg.sender != "bot" or msg.kind != "faq":
        raise NotRateable("Only the assistant's answers (kind faq) can be rated")
    if rating is not None and rating not in RATINGS:
        raise NotRateable("rating must be up, down or null")
    if msg.feedback == rating:
        return msg
    where = {"library": conv.library_id, "language": msg.language, "channel": conv.channel, "topic": msg.topic}
    if msg.feedback is not None:  # a changed mind moves the count, it does not add one
        counters.count(session, f"feedback_{msg.feedback}", by=-1, **where)
    if rating is not None:
        counters.count(session, f"feedback_{rating}", **where)
    msg.feedback = rating
    session.flush()
    note_rating(session, conv, msg)
    return msg
