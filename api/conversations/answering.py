"""The reply a resident reads, written from the reply policy's decision.

The decision (actions/reply_policy.py) says what kind of reply a message gets; this module
writes it from the content the API owns: the FAQ answer in the resident's language and the
library's local version, the "did you mean" buttons, the honest "I don't know", a ticket for
staff. It decides nothing itself (docs/decisions/0014-one-pass-turn.md).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.reply_policy import Decision, Understanding, decide
from api.conversations.language_choice import parse_language_choice
from api.conversations.models import Conversation, Message
from api.conversations.replies import Reply
from api.conversations.understanding import understand
from api.faq.answers import find_answer, titles
from api.handoff.triggers import offer_person, request_human
from api.texts.service import catalog


def _lang(conv: Conversation) -> str:
    return conv.language or conv.locale or "sv"


def text_reply(session: Session, conv: Conversation, key: str, kind: str, **values: str) -> Reply:
    text, lang = catalog.get(session, key, _lang(conv), **values)
    return Reply(text=text, language=lang, kind=kind)  # type: ignore[arg-type]


def _person_button(session: Session, language: str) -> dict[str, str]:
    return {"title": catalog.get(session, "offer_person", language)[0], "payload": "handoff"}


# Topics whose answer says library staff can help further (../shared/faq-topics.yml `covers`):
# the answer carries a button to talk to a person.
STAFF_CAN_HELP = frozenset({"emedia.trouble", "about.contact"})


def faq_reply(session: Session, conv: Conversation, topic: str) -> Reply | None:
    answer = find_answer(session, topic, _lang(conv), conv.library_id, conv.easy_read)
    if answer is None:
        return None
    reply = Reply(text=answer.text, language=answer.language, kind="faq", topic=topic)
    if topic in STAFF_CAN_HELP:
        reply.buttons = [_person_button(session, answer.language)]
    return reply


def _clarify(session: Session, conv: Conversation, options: tuple[str, ...]) -> Reply:
    names = titles(session, list(options), _lang(conv), conv.library_id)
    reply = text_reply(session, conv, "clarify", "clarify")
    reply.buttons = [{"title": names[t], "payload": f"topic:{t}"} for t in options if t in names]
    reply.buttons.append(_person_button(session, reply.language))
    return reply


def _not_covered(session: Session, conv: Conversation) -> Reply:
    """An honest "I have no answer to that; your library can help", with the person button. The
    needs inbox notes the question (api/needs/record.py), so coordinators see what is missing."""
    reply = text_reply(session, conv, "not_covered", "clarify")
    reply.buttons = [_person_button(session, reply.language)]
    return reply


def _spoken(session: Session, conv: Conversation) -> str:
    """The language the assistant has been answering in: its last reply's, before this message
    (whose own language may already be the conversation's)."""
    last = session.scalar(
        select(Message.language)
        .where(Message.conversation_id == conv.id, Message.sender == "bot", Message.language.is_not(None))
        .order_by(Message.id.desc())
        .limit(1)
    )
    return last or conv.locale or _lang(conv)


def choose_language(session: Session, conv: Conversation, text: str, u: Understanding) -> Reply:
    spoken = _spoken(session, conv)
    choice = parse_language_choice(text, spoken)
    if choice.easy_read:
        conv.language, conv.language_locked, conv.easy_read = "sv", True, True
        return text_reply(session, conv, "easy_read_on", "system")
    # No language named, or only the one we already speak ("I want to practise speaking Swedish"):
    # not a switch, so the FAQ decides as for any question.
    if choice.language is None or (choice.language == spoken and not conv.easy_read):
        decision = decide(replace(u, intents={}))
        if decision.kind in ("faq", "clarify") or choice.language is None:
            return _write(session, conv, decision, text, u)
    assert choice.language is not None
    conv.language, conv.language_locked, conv.easy_read = choice.language, True, False
    return text_reply(session, conv, "language_switched", "system")


def _write(session: Session, conv: Conversation, decision: Decision, text: str, u: Understanding) -> Reply:
    match decision.kind:
        case "faq":
            assert decision.topic is not None
            return faq_reply(session, conv, decision.topic) or _not_covered(session, conv)
        case "clarify":
            return _clarify(session, conv, decision.options)
        case "handoff":
            return request_human(session, conv)
        case "smalltalk":
            return text_reply(session, conv, decision.intent or "greet", "smalltalk")
        case "out_of_scope":
            return text_reply(session, conv, "out_of_scope", "out_of_scope")
        case "language":
            return choose_language(session, conv, text, u)
        case _:
            return _not_covered(session, conv)


def render(session: Session, conv: Conversation, decision: Decision, text: str, u: Understanding) -> list[Reply]:
    """The replies for one decision; a run of replies that could not help offers a person."""
    reply = _write(session, conv, decision, text, u)
    conv.failed_turns = conv.failed_turns + 1 if reply.kind == "clarify" else 0
    return [offer_person(session, conv, reply)]


def without_rasa(session: Session, conv: Conversation, text: str, u: Understanding | None) -> list[Reply]:
    """Rasa is down: the same policy on what the API knows alone (the FAQ, no intents). A button
    press for a person still reaches one."""
    if text == "/request_human":
        return [request_human(session, conv)]
    if u is None:
        u = understand(session, text, conv.library_id).understanding
    return render(session, conv, decide(u), text, u)
