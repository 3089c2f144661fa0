"""Note the questions the assistant could not answer, as they happen.

What goes into the inbox: a question answered with `clarify` (the assistant asked back) or
`out_of_scope`; the question a resident asked before going to staff, and what they wrote to
staff while waiting; an answer the resident rated down. Greetings, button presses and
one-word messages ("ok", "hej") are left out: they say nothing about missing content."""

from __future__ import annotations

import re

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Message
from api.conversations.replies import Reply
from api.conversations.understanding import sentences
from api.handoff.clock import now
from api.needs.models import ResidentNeed

MIN_WORDS = 3
MIN_LETTERS = 12
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
UNANSWERED_KINDS = ("faq", "clarify", "out_of_scope")


def substantive(text: str) -> bool:
    return len(text.split()) >= MIN_WORDS or len(_LETTER.findall(text)) >= MIN_LETTERS


def note(session: Session, conv: Conversation, message: Message, reason: str, topic: str | None = None) -> bool:
    """Put the message in the inbox (once: a message already there keeps its first reason)."""
    if message.sender != "resident" or not substantive(message.text):
        return False
    if session.scalar(select(ResidentNeed.id).where(ResidentNeed.message_id == message.id)) is not None:
        return False
    session.add(
        ResidentNeed(
            message_id=message.id,
            conversation_id=conv.id,
            reason=reason,
            language=message.language,
            library_id=conv.library_id,
            channel=conv.channel,
            topic=topic,
            state="open",
            created_at=now(),
        )
    )
    return True


def _first_topic(reply: Reply) -> str | None:
    for button in reply.buttons:
        if button.get("payload", "").startswith("topic:"):
            return button["payload"].removeprefix("topic:")
    return reply.topic


def _question_before(session: Session, conv: Conversation, message_id: int) -> tuple[Message, str | None] | None:
    """The resident's last question before `message_id` that the bot answered (or tried to)."""
    replies = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conv.id,
            Message.sender == "bot",
            Message.reply_to < message_id,
            Message.kind.in_(UNANSWERED_KINDS),
        )
        .order_by(Message.id.desc())
        .limit(1)
    ).all()
    if not replies or replies[0].reply_to is None:
        return None
    question = session.get(Message, replies[0].reply_to)
    return (question, replies[0].topic) if question is not None else None


def note_turn(session: Session, conv: Conversation, message_id: int, payload: str | None, replies: list[Reply]) -> None:
    """After a bot turn: what, if anything, of it belongs in the inbox."""
    message = session.get(Message, message_id)
    if message is None or not replies:
        return
    kinds = [r.kind for r in replies]
    if "handoff" in kinds:
        earlier = _question_before(session, conv, message_id)
        if earlier is not None:
            note(session, conv, earlier[0], "handoff", earlier[1])
        if not payload and not _only_asks_for_a_person(message.text):
            note(session, conv, message, "handoff")
        return
    if payload:  # a button press repeats a title, not the resident's words
        return
    main = replies[0]
    if main.kind == "clarify":
        note(session, conv, message, "unanswered", _first_topic(main))
    elif main.kind == "out_of_scope":
        note(session, conv, message, "out_of_scope")


# A request for a person this short, in one sentence, says nothing about the question.
SITUATION_WORDS = 9


def _only_asks_for_a_person(text: str) -> bool:
    """'I want to talk to a librarian' says nothing about the question; a longer message
    that also asks for a person ('my Libby says my card is blocked, can someone help') does."""
    return not substantive(text) or (len(text.split()) < SITUATION_WORDS and not sentences(text))


def note_held(session: Session, conv: Conversation, message: Message) -> None:
    """A message written to staff while the question waits in the queue: the question itself."""
    if conv.state == "waiting":
        note(session, conv, message, "handoff")


def note_rating(session: Session, conv: Conversation, answer: Message) -> None:
    """A thumbs down: the question that got this answer goes to the inbox; undone by a thumbs up."""
    if answer.reply_to is None:
        return
    question = session.get(Message, answer.reply_to)
    if question is None:
        return
    if answer.feedback == "down":
        existing = session.scalar(select(ResidentNeed).where(ResidentNeed.message_id == question.id))
        if existing is None:
            note(session, conv, question, "rated_down", answer.topic)
        return
    session.execute(
        delete(ResidentNeed).where(
            ResidentNeed.message_id == question.id, ResidentNeed.reason == "rated_down", ResidentNeed.state == "open"
        )
    )
