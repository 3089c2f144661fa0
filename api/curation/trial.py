"""The coordinators' try-it box: what the assistant would do with a question, and why.

It runs the resident's path without a conversation: language detection, FAQ retrieval for
the chosen library (its local wordings count, other libraries' do not), the same thresholds,
and the answer text the resident would get (local version, language fallback, easy-to-read).
Rasa's intent classifier is not consulted: greetings and requests for a person are Rasa's, and
this box is about the content."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.conversations.answering import retrieval_decision
from api.faq.answers import find_answer, titles
from api.faq.content_format import content_key
from api.faq.retrieval import get_index
from api.language.detect import detect
from api.language.registry import FALLBACK_LANGUAGE, is_supported
from api.settings import get_settings


def try_question(
    session: Session, text: str, library: str | None, language: str | None = None, easy_read: bool = False
) -> dict[str, Any]:
    detection = detect(text, context=language)
    if language and is_supported(language):
        reply_language = language  # as if the resident had chosen it in the menu
    else:
        reply_language = detection.language if detection.supported else FALLBACK_LANGUAGE
    if easy_read:
        reply_language = "sv"
    matches = get_index().rank(session, text, library, limit=5)
    decision = retrieval_decision(matches, text)
    names = titles(session, [m.topic for m in matches], reply_language)
    s = get_settings()
    out: dict[str, Any] = {
        "text": text,
        "library": library,
        "detected_language": detection.language,
        "detected_supported": detection.supported,
        "reply_language": reply_language,
        "decision": decision,
        "thresholds": {"confident": s.faq_confident, "margin": s.faq_margin, "weak": s.faq_weak},
        "candidates": [
            {
                "topic": m.topic,
                "title": names.get(m.topic, ""),
                "score": round(m.score, 4),
                "dense": round(m.dense, 4),
                "lexical": round(m.lexical, 4),
                "classifier": round(m.probability, 4),
            }
            for m in matches
        ],
        "margin": round(matches[0].score - matches[1].score, 4) if len(matches) > 1 else None,
        "answer": None,
    }
    if decision == "answer":
        answer = find_answer(session, matches[0].topic, reply_language, library, easy_read)
        if answer is not None:
            out["answer"] = {
                "topic": answer.topic,
                "language": content_key(answer.language, "easy" if answer.easy else ""),
                "version": library if answer.local else "regional",
                "title": answer.title,
                "text": answer.text,
                "sms": answer.sms,
                "status": answer.status,
                "fallback": answer.language != reply_language,
            }
    return out
