"""When the assistant hands over to a person, and what it tells the resident about what happens next."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.conversations.models import Conversation
from api.conversations.replies import Reply
from api.handoff import desk_hours
from api.handoff.availability import expected_wait_minutes, staff_online
from api.handoff.clock import now
from api.handoff.states import language_of
from api.handoff.tickets import request_handoff
from api.texts.service import catalog

FAILED_TURNS_BEFORE_OFFER = 2  # clarify turns in a row before the assistant offers a person


def what_happens_next(session: Session, conv: Conversation) -> Reply:
    """Staff online: the expected wait. Otherwise: saved, answered when the desk is open, contact optional."""
    lang = language_of(conv)
    if staff_online(session):
        text, lang = catalog.get(session, "handoff_online", lang, minutes=str(expected_wait_minutes(session)))
        return Reply(text=text, language=lang, kind="handoff")
    when = desk_hours.answering(now())
    if when is not None and when.open_now:
        text, lang = catalog.get(session, "handoff_saved_today", lang, time=when.at.strftime("%H:%M"))
    elif when is not None:
        days, days_lang = catalog.get(session, "desk_days", lang)
        names = [d.strip() for d in days.split("|")]
        day = names[when.at.weekday()] if len(names) == 7 else when.at.strftime("%Y-%m-%d")
        text, lang = catalog.get(session, "handoff_saved_later", days_lang, day=day, time=when.at.strftime("%H:%M"))
    else:  # no desk hours configured: say only that it is saved
        text, lang = catalog.get(session, "handoff_message_saved", lang)
    return Reply(text=text, language=lang, kind="handoff")


def request_human(session: Session, conv: Conversation) -> Reply:
    """The resident asked for a person (any language, any channel, or the `handoff` button)."""
    request_handoff(session, conv)
    return what_happens_next(session, conv)


def offer_person(session: Session, conv: Conversation, reply: Reply) -> Reply:
    """After two clarify turns in a row, the clarify reply also says a person can help."""
    has_topics = any(b.get("payload", "").startswith("topic:") for b in reply.buttons)
    if reply.kind == "clarify" and conv.failed_turns >= FAILED_TURNS_BEFORE_OFFER and has_topics:
        offer, _ = catalog.get(session, "handoff_offer", reply.language)
        reply.text = f"{reply.text}\n\n{offer}"
    return reply
