"""A request to be answered in another language (api/conversations/answering.py choose_language):
compared with the language the assistant has been answering in, not with the request's own."""

from __future__ import annotations

from actions.reply_policy import Candidate, Understanding
from api.conversations.answering import choose_language
from api.conversations.models import Message
from api.conversations.service import create_conversation


def _after_a_reply_in(db, language: str, detected: str):  # type: ignore[no-untyped-def]
    conv, _ = create_conversation(db, "web", "solna", language)
    db.flush()
    db.add(Message(conversation_id=conv.id, sender="bot", text="…", kind="faq", topic="card.get", language=language))
    db.flush()
    conv.language = detected  # what the store step made of the request itself
    return conv


def test_asking_in_swedish_for_swedish_after_finnish_answers_is_a_switch(db) -> None:  # type: ignore[no-untyped-def]
    conv = _after_a_reply_in(db, "fi", detected="sv")
    # The FAQ would answer it too (practising Swedish at the library): the request comes first.
    u = Understanding(candidates=(Candidate("visit.learn_swedish", 0.9),))
    reply = choose_language(db, conv, "Kan du svara på svenska? Jag vill öva lite", u)
    assert (reply.kind, reply.language) == ("system", "sv")
    assert conv.language == "sv" and conv.language_locked


def test_naming_the_language_already_spoken_is_a_question_not_a_switch(db) -> None:  # type: ignore[no-untyped-def]
    conv = _after_a_reply_in(db, "sv", detected="sv")
    # The FAQ has an answer to it (the retrieval ranks the language café first).
    u = Understanding(candidates=(Candidate("visit.learn_swedish", 0.9),))
    reply = choose_language(db, conv, "Jag vill lära mig svenska, har ni språkcafé?", u)
    assert (reply.kind, reply.topic) == ("faq", "visit.learn_swedish") and not conv.language_locked
