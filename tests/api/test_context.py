"""The conversation's context for the next message (api/conversations/context.py, decision 0015):
the topic last answered, read from the stored transcript, and the message read after it."""

from __future__ import annotations

import json

from api.conversations.context import MAX_TURNS_BACK, previous
from api.conversations.models import Conversation, Message
from api.conversations.service import create_conversation
from api.conversations.understanding import understand


def _conversation(db, *turns: tuple[str, str, str | None]) -> Conversation:  # type: ignore[no-untyped-def]
    """turns: (sender, kind, topic) in order."""
    conv, _ = create_conversation(db, "web", "solna", "sv")
    db.flush()
    for sender, kind, topic in turns:
        db.add(Message(conversation_id=conv.id, sender=sender, text="…", kind=kind, topic=topic, language="sv"))
        db.flush()
    return conv


def test_nothing_before_the_first_answer(db) -> None:  # type: ignore[no-untyped-def]
    assert previous(db, _conversation(db)) is None
    assert previous(db, _conversation(db, ("resident", None, None), ("bot", "clarify", None))) is None


def test_the_last_answer_is_the_context_with_its_title_in_the_residents_language(db) -> None:  # type: ignore[no-untyped-def]
    from api.faq.answers import titles

    conv = _conversation(
        db,
        ("resident", None, None),
        ("bot", "faq", "card.get"),
        ("resident", None, None),
        ("bot", "faq", "loan.renew"),
        ("resident", None, None),  # the message being understood
    )
    got = previous(db, conv)
    assert got is not None and got.topic == "loan.renew"
    assert got.text == titles(db, ["loan.renew"], "sv", "solna")["loan.renew"]


def test_an_off_topic_question_in_between_keeps_the_thread_a_long_detour_does_not(db) -> None:  # type: ignore[no-untyped-def]
    turns = [("resident", None, None), ("bot", "faq", "loan.renew")]
    detour = [("resident", None, None), ("bot", "out_of_scope", None)]
    kept = _conversation(db, *turns, *detour, ("resident", None, None))
    assert previous(db, kept) is not None
    lost = _conversation(db, *turns, *detour * MAX_TURNS_BACK, ("resident", None, None))
    assert previous(db, lost) is None


def test_the_context_is_deleted_with_the_conversation(db) -> None:  # type: ignore[no-untyped-def]
    conv = _conversation(db, ("resident", None, None), ("bot", "faq", "loan.renew"))
    db.delete(conv)
    db.flush()
    assert db.query(Message).filter(Message.conversation_id == conv.id).count() == 0


def test_understand_reads_the_message_after_the_last_answer_too(db) -> None:  # type: ignore[no-untyped-def]
    conv = _conversation(db, ("resident", None, None), ("bot", "faq", "emedia.overview"), ("resident", None, None))
    last = previous(db, conv)
    turn = understand(db, "och för min son?", "solna", previous=last)
    context = turn.understanding.context
    assert context is not None and context.topic == "emedia.overview" and context.candidates
    # The reading in context leans on the answered topic's neighbourhood: the e-media topics rank
    # higher than for the message alone.
    alone = [c.topic for c in turn.understanding.candidates]
    in_context = [c.topic for c in context.candidates]
    assert sum(t.startswith("emedia.") for t in in_context) > sum(t.startswith("emedia.") for t in alone)
    wire = json.loads(json.dumps(turn.metadata))["turn"]["context"]
    assert wire["topic"] == "emedia.overview" and len(wire["candidates"]) == len(context.candidates)
    # Without an answer before it, no context is sent.
    assert "context" not in understand(db, "och för min son?", "solna").metadata["turn"]  # type: ignore[operator]
