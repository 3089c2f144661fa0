"""Every content change in the history, with a diff; a revert writes the earlier text back
and is itself a change (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.api.handoff_support import new_resident
from tests.api.test_curation_editor import FEES, body, seed_question, translation


def test_a_change_is_recorded_with_its_author_and_a_word_diff(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    sv = translation(coordinator.get(FEES).json(), "regional", "sv")
    assert sv is not None
    new_answer = sv["answer"].replace("Många", "De flesta", 1) + " Fråga ditt bibliotek."
    saved = coordinator.put(
        f"{FEES}/regional/sv", json=body(sv, answer=new_answer, questions=[*sv["questions"], "böter för sen bok"])
    )
    assert saved.status_code == 200
    # Saving the same again records nothing.
    assert coordinator.put(f"{FEES}/regional/sv", json=body(saved.json())).status_code == 200

    changes = coordinator.get(f"{FEES}/history").json()
    assert len(changes) == 1
    change = changes[0]
    assert (change["action"], change["language"], change["library"]) == ("edited", "sv", None)
    assert change["author"].startswith("Coordinator")
    fields = {f["field"]: f for f in change["diff"]}
    assert set(fields) >= {"answer", "questions", "status"}  # a reviewed text became a draft
    words = fields["answer"]["words"]
    assert any("Fråga ditt bibliotek." in w["text"] for w in words if w["op"] == "added")
    assert any(w["op"] == "removed" and "Många" in w["text"] for w in words)
    assert "".join(w["text"] for w in words if w["op"] != "added") == sv["answer"]
    assert "".join(w["text"] for w in words if w["op"] != "removed") == new_answer
    assert fields["questions"]["added"] == ["böter för sen bok"] and fields["questions"]["removed"] == []
    assert (fields["status"]["before"], fields["status"]["after"]) == ("reviewed", "draft")
    assert coordinator.get("/api/curation/changes").json()[0]["id"] == change["id"]


def test_revert_brings_the_earlier_text_back_to_residents(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    question = seed_question("loan.fees", "sv")
    sv = translation(coordinator.get(FEES).json(), "regional", "sv")
    assert sv is not None
    coordinator.put(f"{FEES}/regional/sv", json=body(sv, answer="Ett tillfälligt svar."))
    assert new_resident(client).say(question)[0]["text"] == "Ett tillfälligt svar."

    edit = coordinator.get(f"{FEES}/history").json()[0]
    assert coordinator.post(f"/api/curation/changes/{edit['id']}/revert").status_code == 200
    restored = translation(coordinator.get(FEES).json(), "regional", "sv")
    assert restored is not None
    assert (restored["answer"], restored["status"], restored["questions"]) == (
        sv["answer"],
        "reviewed",
        sv["questions"],
    )
    assert new_resident(client).say(question)[0]["text"] == sv["answer"]

    revert = coordinator.get(f"{FEES}/history").json()[0]
    assert (revert["action"], revert["revert_of"]) == ("reverted", edit["id"])
    # The revert is a change like any other: reverting it brings the edit back.
    assert coordinator.post(f"/api/curation/changes/{revert['id']}/revert").status_code == 200
    assert translation(coordinator.get(FEES).json(), "regional", "sv")["answer"] == "Ett tillfälligt svar."  # type: ignore[index]


def test_reverting_a_new_local_text_removes_it_and_a_retirement_is_undone(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    coordinator.put(f"{FEES}/solna/en", json={"title": "Fees in Solna", "answer": "Solna charges no late fees."})
    coordinator.put(
        f"{FEES}/solna/sv", json={"title": "Avgifter i Solna", "answer": "Solna tar inga förseningsavgifter."}
    )
    created = next(c for c in coordinator.get(f"{FEES}/history?version=solna").json() if c["language"] == "sv")
    assert created["action"] == "created" and created["diff"][0]["before"] is None
    assert coordinator.post(f"/api/curation/changes/{created['id']}/revert").status_code == 200
    assert translation(coordinator.get(FEES).json(), "solna", "sv") is None
    assert translation(coordinator.get(FEES).json(), "solna", "en") is not None

    assert coordinator.post(f"{FEES}/solna/state", json={"state": "retired"}).status_code == 200
    english = seed_question("loan.fees", "en")
    assert not new_resident(client, library="solna").say(english)[0]["text"].startswith("Solna")
    retired = coordinator.get(f"{FEES}/history?version=solna").json()[0]
    assert (retired["action"], retired["diff"][0]["after"]) == ("state", "retired")
    assert coordinator.post(f"/api/curation/changes/{retired['id']}/revert").status_code == 200
    assert new_resident(client, library="solna", locale="en").say(english)[0]["text"] == "Solna charges no late fees."


def test_history_is_per_version_and_revert_respects_the_library(client, coordinator, make_staff) -> None:  # type: ignore[no-untyped-def]
    coordinator.put(f"{FEES}/solna/sv", json={"title": "Avgifter i Solna", "answer": "Inga avgifter."})
    assert coordinator.get(f"{FEES}/history").json() == []  # the regional entry did not change
    change = coordinator.get(f"{FEES}/history?version=solna").json()[0]
    other = make_staff("coordinator", library="nacka")
    assert other.post(f"/api/curation/changes/{change['id']}/revert").status_code == 403
    assert other.post("/api/curation/changes/999999/revert").status_code == 404
