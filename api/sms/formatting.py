"""A reply as SMS: the FAQ's SMS form, shortened with a link to the full answer where needed,
numbered options instead of buttons, every text within SMS_MAX_SEGMENTS."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session

from api.conversations.models import Conversation
from api.faq.answers import find_answer
from api.settings import get_settings
from api.sms.segments import fits, plain, shorten, split
from api.sms.texts import sms_text


@dataclass
class Composed:
    parts: list[str]  # one SMS each, every one within the budget
    options: list[dict[str, Any]] = field(default_factory=list)  # what "1", "2", ... select next


def answer_url(topic: str, language: str, library: str | None) -> str:
    query = {"lang": language, **({"library": library} if library else {})}
    return f"{get_settings().public_base_url}/answers/{quote(topic)}?{urlencode(query)}"


def _numbers(session: Session, count: int, language: str) -> str:
    numbers = [str(i) for i in range(1, count + 1)]
    if count == 1:
        return numbers[0]
    return f"{', '.join(numbers[:-1])} {sms_text(session, 'or', language)} {numbers[-1]}"


def options_block(session: Session, buttons: list[dict[str, Any]], language: str) -> str:
    lines = [f"{i} {b['title']}" for i, b in enumerate(buttons, start=1)]
    numbers = _numbers(session, len(buttons), language)
    return "\n".join([*lines, sms_text(session, "reply_with", language, numbers=numbers)])


def _faq_text(session: Session, conv: Conversation, text: str, topic: str, language: str) -> tuple[str, str]:
    """The text with the answer replaced by its SMS form, and the link to the full answer."""
    answer = find_answer(session, topic, language, conv.library_id, conv.easy_read)
    if answer is None:
        return text, ""
    if answer.sms and answer.text in text:  # keep what was added around it (a language notice)
        text = text.replace(answer.text, answer.sms)
    link = f"\n{sms_text(session, 'more', answer.language)} {answer_url(topic, answer.language, conv.library_id)}"
    return text, link


def compose(
    session: Session,
    conv: Conversation,
    *,
    text: str,
    kind: str | None,
    topic: str | None,
    language: str,
    buttons: list[dict[str, Any]] | None,
) -> Composed:
    budget = get_settings().sms_max_segments
    buttons = list(buttons or [])
    tail = plain(f"\n\n{options_block(session, buttons, language)}") if buttons else ""
    if kind == "faq" and topic:
        body, link = _faq_text(session, conv, text, topic, language)
        body = plain(body)
        if fits(f"{body}{tail}", budget):  # the SMS form is enough: no link needed
            return Composed([f"{body}{tail}"], buttons)
        return Composed([shorten(body, budget, suffix=f"{link}{tail}")], buttons)
    # Our own texts and staff replies are never cut: a long one goes as several messages.
    body = plain(text.strip())
    if fits(f"{body}{tail}", budget):
        return Composed([f"{body}{tail}"], buttons)
    parts = split(body, budget)
    if tail:
        if fits(f"{parts[-1]}{tail}", budget):
            parts[-1] = f"{parts[-1]}{tail}"
        else:
            parts.append(tail.strip())
    return Composed(parts, buttons)
