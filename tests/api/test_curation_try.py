"""The coordinators' try-it box: which entry would answer, in which language, with what score,
for which library version, by the same decision as the live path."""

from __future__ import annotations

from tests.api.handoff_support import new_resident
from tests.api.test_curation_editor import FEES, seed_question


def test_try_shows_the_local_version_for_its_library_and_the_regional_for_others(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    coordinator.put(f"{FEES}/solna/so", json={"title": "Ganaaxa Solna", "answer": "Solna: ganaax ma jiro."})
    question = seed_question("loan.fees")
    solna = coordinator.post("/api/curation/try", json={"text": question, "library": "solna"}).json()
    assert (solna["detected_language"], solna["reply_language"], solna["decision"]) == ("so", "so", "answer")
    assert (
        solna["candidates"][0]["topic"] == "loan.fees"
        and solna["candidates"][0]["score"] >= solna["thresholds"]["confident"]
    )
    assert {"dense", "lexical", "classifier", "title"} <= set(solna["candidates"][0])
    assert solna["answer"] == {
        "topic": "loan.fees", "language": "so", "version": "solna", "title": "Ganaaxa Solna",
        "text": "Solna: ganaax ma jiro.", "sms": "", "status": "draft", "fallback": False,
    }  # fmt: skip
    nacka = coordinator.post("/api/curation/try", json={"text": question, "library": "nacka"}).json()
    assert nacka["answer"]["version"] == "regional" and nacka["answer"]["text"] != "Solna: ganaax ma jiro."
    # What the box says is what a resident gets.
    real = new_resident(client, library="nacka", locale="so").say(question)[0]
    assert (real["topic"], real["text"]) == ("loan.fees", nacka["answer"]["text"])


def test_try_with_a_chosen_language_easy_read_and_an_unclear_question(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    question = seed_question("loan.renew", "sv")
    english = coordinator.post("/api/curation/try", json={"text": question, "language": "en"}).json()
    assert english["answer"]["language"] == "en" and english["detected_language"] == "sv"
    easy = coordinator.post("/api/curation/try", json={"text": question, "easy_read": True}).json()
    assert easy["answer"]["language"] == "sv-easy"
    vague = coordinator.post("/api/curation/try", json={"text": "kort"}).json()
    assert vague["decision"] in ("clarify", "none") and vague["answer"] is None
    assert coordinator.post("/api/curation/try", json={"text": "x", "library": "atlantis"}).status_code == 422
