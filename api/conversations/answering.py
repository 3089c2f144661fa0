"""What the assistant says to a resident's message once Rasa has understood its intent.

The action server calls this through the internal API; the API also calls it directly when
Rasa is unreachable, so a resident still gets an answer.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from api.conversations.language_choice import parse_language_choice
from api.conversations.models import Conversation
from api.conversations.replies import Reply
from api.conversations import understanding
from api.conversations.second_opinion import mistaken_intent, wants_a_person
from api.faq.answers import find_answer, titles
from api.faq.retrieval import Match, get_index
from api.handoff.triggers import offer_person, request_human
from api.settings import get_settings
from api.texts.service import catalog

# Rasa's own confidence in `ask_question` above which a weak retrieval asks to rephrase
# rather than calling the message off-topic.
SURE_QUESTION = 0.8
# Rasa's off-topic intent is overruled only by a clearly strong FAQ match (a resident describing
# their situation can look off-topic to the intent classifier). Tuned on the dev sets.
OVERRULE_OUT_OF_SCOPE = 0.1
# ... and only when the message is semantically close to a variant: character n-grams and the
# classifier also score off-topic messages that share a word ("helgen i sthlm") or lie far
# from every variant, where a linear classifier extrapolates. 95% of correctly matched dev-set
# questions have a dense similarity of 0.888 or more; most off-topic ones stay below.
OVERRULE_MIN_DENSE = 0.885


def _lang(conv: Conversation) -> str:
    return conv.language or conv.locale or "sv"


def text_reply(session: Session, conv: Conversation, key: str, kind: str, **values: str) -> Reply:
    text, lang = catalog.get(session, key, _lang(conv), **values)
    return Reply(text=text, language=lang, kind=kind)  # type: ignore[arg-type]


# Topics whose answer says library staff can help further (../shared/faq-topics.yml `covers`):
# the answer carries a button to talk to a person.
STAFF_CAN_HELP = frozenset({"emedia.trouble", "about.contact"})


def faq_reply(session: Session, conv: Conversation, topic: str) -> Reply | None:
    answer = find_answer(session, topic, _lang(conv), conv.library_id, conv.easy_read)
    if answer is None:
        return None
    reply = Reply(text=answer.text, language=answer.language, kind="faq", topic=topic)
    if topic in STAFF_CAN_HELP:
        reply.buttons = [{"title": catalog.get(session, "offer_person", answer.language)[0], "payload": "handoff"}]
    return reply


# A one- or two-word message ("kort", "böcker") fits several topics: it must win clearly.
SHORT_WORDS = 2
SHORT_MARGIN = 0.05


def _is_confident(matches: list[Match], text: str) -> bool:
    s = get_settings()
    if not matches or matches[0].score < s.faq_confident:
        return False
    margin = SHORT_MARGIN if len(text.split()) <= SHORT_WORDS else s.faq_margin
    return len(matches) < 2 or matches[0].score - matches[1].score >= margin


def retrieval_decision(matches: list[Match], text: str) -> str:
    """What retrieval alone makes of a question: `answer` (confident), `clarify` (ask back with
    the likely topics) or `none`. The coordinators' try-it box shows the same decision."""
    if matches and _is_confident(matches, text):
        return "answer"
    if matches and matches[0].score >= get_settings().faq_weak:
        return "clarify"
    return "none"


def _clarify(session: Session, conv: Conversation, matches: list[Match]) -> Reply:
    options = [m.topic for m in matches[:3]]
    names = titles(session, options, _lang(conv))
    reply = text_reply(session, conv, "clarify", "clarify")
    person, _ = catalog.get(session, "offer_person", reply.language)
    reply.buttons = [{"title": names[t], "payload": f"topic:{t}"} for t in options if t in names]
    reply.buttons.append({"title": person, "payload": "handoff"})
    return reply


def _not_understood(session: Session, conv: Conversation) -> Reply:
    reply = text_reply(session, conv, "clarify_none", "clarify")
    reply.buttons = [{"title": catalog.get(session, "offer_person", reply.language)[0], "payload": "handoff"}]
    return reply


def _ranked(session: Session, conv: Conversation, text: str) -> tuple[np.ndarray, list[Match]]:
    """The message embedded once, for retrieval and for the second opinions on Rasa's intent."""
    query = understanding.embed(text).message  # the turn's vector, shared with Rasa
    return query, get_index().rank(session, text, conv.library_id, query=query)


def answer_question(
    session: Session, conv: Conversation, text: str, intent: str | None = None, confidence: float | None = None
) -> Reply:
    query, matches = _ranked(session, conv, text)
    top = matches[0] if matches else None
    if intent != "out_of_scope" and text and not text.startswith("/") and wants_a_person(query, top):
        return request_human(session, conv)
    if intent == "out_of_scope":
        strong = top is not None and (
            (top.score >= get_settings().faq_confident + OVERRULE_OUT_OF_SCOPE and top.dense >= OVERRULE_MIN_DENSE)
            or mistaken_intent("out_of_scope", query, top)
        )
        if not (strong and _is_confident(matches, text)):
            return text_reply(session, conv, "out_of_scope", "out_of_scope")
    decision = retrieval_decision(matches, text)
    if top is not None and decision == "answer":
        reply = faq_reply(session, conv, top.topic)
        if reply is not None:
            return reply
    if decision in ("answer", "clarify"):
        return _clarify(session, conv, matches)
    if intent == "ask_question" and (confidence or 0.0) >= SURE_QUESTION:
        return _not_understood(session, conv)
    return text_reply(session, conv, "out_of_scope", "out_of_scope")


def small_talk(session: Session, conv: Conversation, intent: str, text: str) -> Reply:
    """Rasa's greet, thanks or goodbye, in the resident's language; a question the intent
    classifier mistook for small talk gets its answer instead (second_opinion.py)."""
    if text and not text.startswith("/"):
        query, matches = _ranked(session, conv, text)
        if matches and _is_confident(matches, text) and mistaken_intent(intent, query, matches[0]):
            reply = faq_reply(session, conv, matches[0].topic)
            if reply is not None:
                conv.failed_turns = 0
                return offer_person(session, conv, reply)
    return text_reply(session, conv, intent, "smalltalk")


def choose_language(session: Session, conv: Conversation, text: str) -> Reply:
    choice = parse_language_choice(text)
    if choice.easy_read:
        conv.language, conv.language_locked, conv.easy_read = "sv", True, True
        return text_reply(session, conv, "easy_read_on", "system")
    if choice.language is None:
        return answer_question(session, conv, text)
    # Naming the language we already speak ("I want to practise speaking Swedish") asks for no
    # switch: it is a library question when the FAQ matches clearly. Another language named is
    # always taken as a switch, since the resident can switch back from the menu or by asking.
    if choice.language == _lang(conv) and not conv.easy_read:
        matches = get_index().rank(session, text, conv.library_id)
        if _is_confident(matches, text) and len(text.split()) > SHORT_WORDS:
            reply = faq_reply(session, conv, matches[0].topic)
            if reply is not None:
                return reply
    conv.language, conv.language_locked, conv.easy_read = choice.language, True, False
    return text_reply(session, conv, "language_switched", "system")


def respond(
    session: Session,
    conv: Conversation,
    action: str,
    text: str,
    intent: str | None = None,
    confidence: float | None = None,
) -> list[Reply]:
    """One bot turn for a Rasa action (or for the API itself when Rasa is down)."""
    if action == "request_human":
        # A button press or command ("/request_human") always reaches a person; typed words may
        # be a situation the intent classifier mistook for a request (api/conversations/second_opinion.py).
        if not text.startswith("/"):
            query, matches = _ranked(session, conv, text)
            if matches and _is_confident(matches, text) and mistaken_intent("request_human", query, matches[0]):
                reply = faq_reply(session, conv, matches[0].topic)
                if reply is not None:
                    person = {"title": catalog.get(session, "offer_person", reply.language)[0], "payload": "handoff"}
                    reply.buttons = [b for b in reply.buttons if b["payload"] != "handoff"] + [person]
                    return [reply]
        return [request_human(session, conv)]
    if action == "choose_language":
        return [choose_language(session, conv, text)]
    reply = answer_question(session, conv, text, intent, confidence)
    conv.failed_turns = conv.failed_turns + 1 if reply.kind == "clarify" else 0
    return [offer_person(session, conv, reply)]
