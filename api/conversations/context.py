"""What the conversation said last, for understanding the next message as a follow-up.

The state is the transcript the API stores anyway: the topic of the assistant's last FAQ answer.
It survives a restart of any process and goes when the conversation is deleted, because it is
the conversation (docs/decisions/0015-conversation-context.md). A follow-up is read together
with that topic's title in the resident's language ("Låna om" + "och om nån har reserverat den?").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Message
from api.faq.answers import titles

# How far back an answer still frames a message: the resident's messages since that answer,
# this one included. An off-topic question or a thank-you in between does not break the thread.
MAX_TURNS_BACK = 3


@dataclass(frozen=True)
class Previous:
    topic: str  # the topic last answered
    text: str  # what a follow-up is read together with: that topic's title


def previous(session: Session, conv: Conversation) -> Previous | None:
    """The conversation's last FAQ answer, if recent enough; None before the first one."""
    last = session.scalar(
        select(Message)
        .where(Message.conversation_id == conv.id, Message.sender == "bot", Message.kind == "faq")
        .order_by(Message.id.desc())
        .limit(1)
    )
    if last is None or last.topic is None:
        return None
    since = session.scalar(
        select(func.count(Message.id)).where(
            Message.conversation_id == conv.id, Message.sender == "resident", Message.id > last.id
        )
    )
    if (since or 0) > MAX_TURNS_BACK:
        return None
    language = conv.language or conv.locale or "sv"
    title = titles(session, [last.topic], language, conv.library_id).get(last.topic)
    return Previous(last.topic, title) if title else None
