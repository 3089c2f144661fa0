"""Pick the text of an FAQ answer for a resident: their library's local version first,
then the regional one; their language first, easy-to-read Swedish when asked for."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.faq.models import FaqEntry, FaqTranslation

_FALLBACK_LANGUAGES = ("en", "sv")


@dataclass(frozen=True)
class Answer:
    topic: str
    language: str
    title: str
    text: str
    sms: str
    status: str
    local: bool  # a library's own version
    easy: bool = False  # easy-to-read Swedish


def find_answer(
    session: Session, topic: str, language: str, library: str | None = None, easy: bool = False
) -> Answer | None:
    entries = session.scalars(select(FaqEntry).where(FaqEntry.topic == topic, FaqEntry.state == "live")).all()
    # The resident's library's local version first, then the regional one.
    ordered = sorted((e for e in entries if e.library_id in (None, library)), key=lambda e: e.library_id is None)
    wanted = [("sv", "easy")] if easy and language == "sv" else []
    wanted += [(lang, "") for lang in dict.fromkeys((language, *_FALLBACK_LANGUAGES))]
    for key in wanted:
        for entry in ordered:
            tr: FaqTranslation | None = next((t for t in entry.translations if (t.language, t.variant) == key), None)
            if tr is not None:
                return Answer(
                    topic=topic,
                    language=tr.language,
                    title=tr.title,
                    text=tr.answer,
                    sms=tr.sms,
                    status=tr.status,
                    local=entry.library_id is not None,
                    easy=tr.variant == "easy",
                )
    return None


def titles(session: Session, topics: list[str], language: str, library: str | None = None) -> dict[str, str]:
    """Each topic's title in `language`: the library's own local version where it has one."""
    out: dict[str, str] = {}
    for topic in topics:
        answer = find_answer(session, topic, language, library)
        if answer is not None:
            out[topic] = answer.title
    return out
