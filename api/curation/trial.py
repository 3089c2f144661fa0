"""The coordinators' try-it box: what the assistant would do with a question, and why.

It runs a resident's turn without a conversation: language detection, the message understood
once (api/conversations/understanding.py: the FAQ candidates of the chosen library, whose local
wordings count and other libraries' do not), Rasa's intent probabilities for exactly that
message, and the same reply policy (actions/reply_policy.py) that answers residents. So the
box and the chat agree (tests/e2e/test_try_agrees.py). When Rasa is down, the box says so and
decides as the API then does for residents: from the FAQ alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from actions import reply_policy
from actions.reply_policy import Understanding, decide
from api.conversations import rasa_client
from api.conversations.understanding import understand
from api.faq.answers import find_answer, titles
from api.faq.content_format import content_key
from api.language.detect import detect
from api.language.registry import FALLBACK_LANGUAGE, is_supported

LIMITS = ("PERSON", "OFF_TOPIC", "ANSWER", "OFFER", "SMALL_TALK", "SHORT_WORDS", "SHORT_LEAD")


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
    turn = understand(session, text, library, unsupported_language=not detection.supported)
    try:
        intents, rasa = rasa_client.parse(text, turn.metadata), True
    except rasa_client.RasaUnavailable:
        intents, rasa = {}, False
    u = Understanding(
        intents, turn.understanding.candidates, turn.understanding.unsupported_language, turn.understanding.words
    )
    decision = decide(u)
    matches = {m.topic: m for m in turn.matches}
    names = titles(session, list(matches), reply_language, library)
    out: dict[str, Any] = {
        "text": text,
        "library": library,
        "detected_language": detection.language,
        "detected_supported": detection.supported,
        "reply_language": reply_language,
        "decision": decision.to_dict(),
        "rasa": rasa,
        "intents": dict(sorted(intents.items(), key=lambda kv: -kv[1])),
        "limits": {name.lower(): getattr(reply_policy, name) for name in LIMITS},
        "candidates": [
            {
                "topic": c.topic,
                "title": names.get(c.topic, ""),
                "confidence": c.confidence,
                "exact": c.exact,  # word for word one of the topic's question variants: answered
                "score": round(matches[c.topic].score, 4) if c.topic in matches else None,
                "dense": round(matches[c.topic].dense, 4) if c.topic in matches else None,
                "lexical": round(matches[c.topic].lexical, 4) if c.topic in matches else None,
            }
            for c in u.candidates
        ],
        "answer": None,
    }
    if decision.kind == "faq" and decision.topic is not None:
        answer = find_answer(session, decision.topic, reply_language, library, easy_read)
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
