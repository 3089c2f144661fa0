"""A resident message understood once (api/conversations/understanding.py): its sentences, the
vectors Rasa gets as metadata, and the FAQ candidates with their calibrated confidence, on the
seeded test database (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from actions.reply_policy import ANSWER, Understanding
from api.conversations.understanding import MAX_SENTENCES, sentences, understand

DIM = 384  # multilingual-e5-small


# ---- sentences --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hej! Jag vill låna om mina böcker.", ["Hej!", "Jag vill låna om mina böcker."]),
        ("Hello. Can I renew my books? Thanks!", ["Hello.", "Can I renew my books?", "Thanks!"]),
        ("Здравствуйте. Можно продлить книги?", ["Здравствуйте.", "Можно продлить книги?"]),
        ("مرحبا؟ أريد تجديد كتبي", ["مرحبا؟", "أريد تجديد كتبي"]),
        ("ሰላም። መጽሐፍ ማደስ እችላለሁ፧ አመሰግናለሁ", ["ሰላም።", "መጽሐፍ ማደስ እችላለሁ፧", "አመሰግናለሁ"]),
        ("Första raden\nandra raden", ["Första raden", "andra raden"]),
        ("Hejsan\n\n\nkan jag låna om?", ["Hejsan", "kan jag låna om?"]),
    ],
)
def test_sentences_of_a_longer_message(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hur lånar jag om mina böcker?",
        "كيف أجدد كتبي؟",
        "መጽሐፍ ማደስ እችላለሁ፧",
        "Version 2.5 av appen",  # no space after the full stop: one sentence
        "Hej. ok",  # the second part is too short to count as a sentence
        "",
    ],
)
def test_a_single_sentence_gives_nothing(text: str) -> None:
    assert sentences(text) == []


def test_a_very_long_message_keeps_its_first_sentences() -> None:
    text = " ".join(f"Mening nummer {i}." for i in range(MAX_SENTENCES + 4))
    got = sentences(text)
    assert got == [f"Mening nummer {i}." for i in range(MAX_SENTENCES)]


# ---- understand() on the seeded database ----------------------------------------------------------


def _vector(encoded: object) -> np.ndarray:
    assert isinstance(encoded, str)
    raw = base64.b64decode(encoded, validate=True)
    assert len(raw) == DIM * 4
    return np.frombuffer(raw, dtype="<f4")


def test_understand_gives_rasa_the_vectors_of_the_message_and_its_sentences(db) -> None:  # type: ignore[no-untyped-def]
    from api.faq.retrieval import get_index

    text = "Hej! Jag har tappat mitt lånekort. Hur får jag ett nytt?"
    turn = understand(db, text, "solna")
    json.dumps(turn.metadata)  # it travels to Rasa as JSON
    nlu = turn.metadata["nlu"]
    assert isinstance(nlu, dict)
    message = _vector(nlu["vector"])
    clauses = nlu["clauses"]
    assert [c["text"] for c in clauses] == sentences(text) and len(clauses) == 3
    expected = get_index().embedder.inner.embed([text, *sentences(text)])
    assert np.allclose(message, expected[0], atol=1e-6)
    assert np.linalg.norm(message) == pytest.approx(1.0, abs=1e-3)
    for clause, want in zip(clauses, expected[1:], strict=True):
        got = _vector(clause["vector"])
        assert np.allclose(got, want, atol=1e-6), clause["text"]
    # Each sentence has its own vector.
    assert not np.allclose(_vector(clauses[0]["vector"]), _vector(clauses[2]["vector"]))


def test_a_single_sentence_has_no_clauses(db) -> None:  # type: ignore[no-untyped-def]
    turn = understand(db, "Hur lånar jag om mina böcker?", None)
    assert turn.metadata["nlu"]["clauses"] == []  # type: ignore[index]
    assert _vector(turn.metadata["nlu"]["vector"]).shape == (DIM,)  # type: ignore[index]


def test_candidates_are_sorted_probabilities_and_match_the_metadata(db) -> None:  # type: ignore[no-untyped-def]
    for text in (
        "Hur lånar jag om mina böcker?",
        "Kan jag skriva ut på biblioteket?",
        "Finns det ett kafé i biblioteket?",
    ):
        turn = understand(db, text, "solna")
        candidates = turn.understanding.candidates
        assert candidates, text
        confidences = [c.confidence for c in candidates]
        assert all(0.0 <= c <= 1.0 for c in confidences), (text, confidences)
        assert confidences == sorted(confidences, reverse=True), (text, confidences)
        assert len({c.topic for c in candidates}) == len(candidates)
        assert "_not_covered" not in {c.topic for c in candidates}  # a pseudo-topic, never returned
        # What Rasa (the reply policy in the action server) gets is what the API itself holds.
        assert Understanding.from_dict(turn.metadata["turn"]) == turn.understanding  # type: ignore[arg-type]


def test_the_unsupported_language_flag_is_passed_on(db) -> None:  # type: ignore[no-untyped-def]
    turn = understand(db, "Wie kann ich meine Bücher verlängern?", None, unsupported_language=True)
    assert turn.understanding.unsupported_language is True
    assert turn.metadata["turn"]["unsupported_language"] is True  # type: ignore[index]
    assert understand(db, "Hur lånar jag om mina böcker?", None).understanding.unsupported_language is False


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Hur lånar jag om mina böcker?", "loan.renew"),
        ("Hur skaffar jag ett lånekort?", "card.get"),
        ("How do I renew my books?", "loan.renew"),
    ],
)
def test_a_direct_faq_question_is_confident(db, text: str, topic: str) -> None:  # type: ignore[no-untyped-def]
    best = understand(db, text, "solna").understanding.candidates[0]
    assert best.topic == topic
    assert best.confidence >= ANSWER


def test_a_library_question_the_faq_does_not_cover_is_not_confident(db) -> None:  # type: ignore[no-untyped-def]
    candidates = understand(db, "Finns det ett kafé i biblioteket?", "solna").understanding.candidates
    assert candidates[0].confidence < ANSWER, candidates
