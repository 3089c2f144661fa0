"""The coordinators' try-it box: which entry would answer, in which language, how sure, for which
library version, by the same reply policy as the live path. Rasa is down in these tests (a closed
port), so the box says so and decides from the FAQ alone, as the API then does for residents."""

from __future__ import annotations

from typing import Any

from actions import reply_policy
from actions.reply_policy import Candidate, Understanding, decide
from tests.api.handoff_support import new_resident
from tests.api.test_curation_editor import FEES, seed_question

CANDIDATE_FIELDS = {"topic", "title", "confidence", "exact", "score", "dense", "lexical"}


def _faq_alone(out: dict[str, Any]) -> dict[str, Any]:
    """The decision the policy takes on the candidates the box shows, with no intents."""
    candidates = tuple(Candidate(c["topic"], c["confidence"], c["exact"]) for c in out["candidates"])
    return decide(Understanding({}, candidates, not out["detected_supported"])).to_dict()


def test_try_shows_the_local_version_for_its_library_and_the_regional_for_others(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    coordinator.put(f"{FEES}/solna/so", json={"title": "Ganaaxa Solna", "answer": "Solna: ganaax ma jiro."})
    question = seed_question("loan.fees")
    solna = coordinator.post("/api/curation/try", json={"text": question, "library": "solna"}).json()
    assert (solna["detected_language"], solna["reply_language"]) == ("so", "so")
    assert (solna["decision"]["kind"], solna["decision"]["topic"]) == ("faq", "loan.fees")
    # Rasa could not be asked: no intents, and the decision is the FAQ's alone.
    assert (solna["rasa"], solna["intents"]) == (False, {})
    assert solna["decision"] == _faq_alone(solna)
    assert solna["limits"] == {
        "person": reply_policy.PERSON,
        "off_topic": reply_policy.OFF_TOPIC,
        "answer": reply_policy.ANSWER,
        "offer": reply_policy.OFFER,
        "small_talk": reply_policy.SMALL_TALK,
        "short_words": reply_policy.SHORT_WORDS,
        "short_lead": reply_policy.SHORT_LEAD,
    }
    best = solna["candidates"][0]
    assert set(best) == CANDIDATE_FIELDS
    assert best["topic"] == "loan.fees" and best["confidence"] >= solna["limits"]["answer"]
    assert solna["decision"]["confidence"] == best["confidence"]
    assert best["title"] == "Ganaaxa Solna"  # the library's own title, in the reply language
    confidences = [c["confidence"] for c in solna["candidates"]]
    assert all(0.0 <= c <= 1.0 for c in confidences) and confidences[0] == max(confidences)
    assert solna["answer"] == {
        "topic": "loan.fees", "language": "so", "version": "solna", "title": "Ganaaxa Solna",
        "text": "Solna: ganaax ma jiro.", "sms": "", "status": "draft", "fallback": False,
    }  # fmt: skip
    nacka = coordinator.post("/api/curation/try", json={"text": question, "library": "nacka"}).json()
    assert nacka["answer"]["version"] == "regional" and nacka["answer"]["text"] != "Solna: ganaax ma jiro."
    assert nacka["candidates"][0]["title"] not in ("", "Ganaaxa Solna")  # Solna's wording is Solna's
    # What the box says is what a resident gets (Rasa is down for both).
    real = new_resident(client, library="nacka", locale="so").say(question)[0]
    assert (real["topic"], real["text"]) == ("loan.fees", nacka["answer"]["text"])


def test_try_with_a_chosen_language_easy_read_and_an_uncovered_question(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    question = seed_question("loan.renew", "sv")
    english = coordinator.post("/api/curation/try", json={"text": question, "language": "en"}).json()
    assert english["answer"]["language"] == "en" and english["detected_language"] == "sv"
    assert english["decision"]["kind"] == "faq" and english["decision"]["topic"] == "loan.renew"
    easy = coordinator.post("/api/curation/try", json={"text": question, "easy_read": True}).json()
    assert easy["answer"]["language"] == "sv-easy"
    # A library question no topic covers (like those of data/not_covered.yml): no answer, no guess.
    uncovered = coordinator.post(
        "/api/curation/try", json={"text": "Kan jag parkera min cykel vid biblioteket?"}
    ).json()
    assert uncovered["decision"]["kind"] == "not_covered" and uncovered["answer"] is None
    assert uncovered["decision"] == _faq_alone(uncovered)
    assert all(c["confidence"] < uncovered["limits"]["offer"] for c in uncovered["candidates"])
    assert coordinator.post("/api/curation/try", json={"text": "x", "library": "atlantis"}).status_code == 422


def test_try_shows_rasas_intents_and_decides_with_them(client, coordinator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With Rasa up, its intent probabilities for the message go into the same policy."""
    from api.conversations import rasa_client

    asked: list[tuple[str, dict[str, Any]]] = []

    def parse(text: str, metadata: dict[str, Any]) -> dict[str, float]:
        asked.append((text, metadata))
        return {"ask_question": 0.1, "request_human": 0.85, "out_of_scope": 0.05}

    monkeypatch.setattr(rasa_client, "parse", parse)
    question = "Jag vill prata med en bibliotekarie om mitt lånekort"
    out = coordinator.post("/api/curation/try", json={"text": question}).json()
    assert out["rasa"] is True
    assert list(out["intents"]) == ["request_human", "ask_question", "out_of_scope"]  # most likely first
    assert out["decision"]["kind"] == "handoff" and out["decision"]["confidence"] == 0.85
    assert out["answer"] is None
    ((text, metadata),) = asked
    assert text == question and metadata["nlu"]["vector"] and "candidates" in metadata["turn"]
