"""The FAQ editor's API: roles, local versions, review status, conflicts, validation,
publishing; every change applies to the next resident message (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.api.error_support import messages
from tests.api.handoff_support import login, new_resident, new_staff

ROOT = Path(__file__).resolve().parents[2]
FEES = "/api/curation/entries/loan.fees"


def seed_question(topic: str, lang: str = "so") -> str:
    """A question variant of the seed: one the assistant surely matches to its topic."""
    data = yaml.safe_load((ROOT / "data" / "faq" / f"{lang}.yml").read_text(encoding="utf-8"))
    return str(next(e["questions"][0] for e in data["entries"] if e["topic"] == topic))


def translation(detail: dict, version: str, key: str) -> dict | None:  # type: ignore[type-arg]
    if version == "regional":
        return detail["regional"]["translations"].get(key)
    local = next((v for v in detail["locals"] if v["library"] == version), None)
    return local["translations"].get(key) if local else None


def body(tr: dict, **changes: object) -> dict:  # type: ignore[type-arg]
    """What the editor sends for a translation it has loaded (plus the changes)."""
    fields = {k: tr[k] for k in ("title", "answer", "sms", "questions")} | {"version": tr["version"]}
    return fields | changes


def test_only_coordinators_and_admins_curate(client, make_staff, content_guard) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/curation/entries").status_code == 401
    desk = make_staff("staff")
    assert desk.get("/api/curation/entries").status_code == 403
    coordinator = make_staff("coordinator", library="solna")
    listing = coordinator.get("/api/curation/entries")
    assert listing.status_code == 200
    assert {e["topic"] for e in listing.json()} >= {"card.get", "loan.fees", "emedia.libby"}
    # A write without the login's CSRF token changes nothing.
    body = {"title": "x", "answer": "y"}
    assert coordinator.put(f"{FEES}/solna/so", json=body, csrf=False).status_code == 403
    assert translation(coordinator.get(FEES).json(), "solna", "so") is None


def test_a_local_somali_answer_reaches_that_librarys_residents_only(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    """The issue's done-when, through the API: Solna's Somali version of loan.fees."""
    question = seed_question("loan.fees")
    regional = translation(coordinator.get(FEES).json(), "regional", "so")
    assert regional is not None
    text = "Solna: ma jiro ganaax dib u dhac ah. Buugga soo celi marka aad awoodo."
    resp = coordinator.put(f"{FEES}/solna/so", json={"title": "Ganaaxa Solna", "answer": text})
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "draft" and resp.json()["version"] == 1

    solna = new_resident(client, library="solna", locale="so").say(question)[0]
    assert (solna["kind"], solna["topic"], solna["language"], solna["text"]) == ("faq", "loan.fees", "so", text)
    nacka = new_resident(client, library="nacka", locale="so").say(question)[0]
    assert (nacka["topic"], nacka["text"]) == ("loan.fees", regional["answer"])
    # Solna's Swedish residents still get the regional Swedish text: the local version has only Somali.
    sv = new_resident(client, library="solna").say(seed_question("loan.fees", "sv"))[0]
    assert (
        sv["topic"] == "loan.fees"
        and sv["text"] == translation(coordinator.get(FEES).json(), "regional", "sv")["answer"]
    )  # type: ignore[index]


def test_a_coordinator_edits_only_their_own_librarys_local_versions(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    resp = coordinator.put(f"{FEES}/nacka/sv", json={"title": "Avgifter i Nacka", "answer": "..."})
    assert resp.status_code == 403
    assert "nacka" in resp.json()["detail"]
    admin = login(client.app, new_staff("admin", ("sv",), "stockholm"))
    assert (
        admin.put(f"{FEES}/nacka/sv", json={"title": "Avgifter i Nacka", "answer": "Inga avgifter."}).status_code == 200
    )
    assert coordinator.put(f"{FEES}/atlantis/sv", json={"title": "x", "answer": "y"}).status_code in (403, 404)


def test_review_needs_a_speaker_and_a_changed_text_is_a_draft_again(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    url = f"{FEES}/regional"
    so = translation(coordinator.get(FEES).json(), "regional", "so")
    assert so is not None and so["status"] == "draft"
    refused = coordinator.put(f"{url}/so", json=body(so, status="reviewed"))
    assert refused.status_code == 403 and "Somali" in refused.json()["detail"]
    assert coordinator.post(f"{url}/so/review").status_code == 403

    somali = login(client.app, new_staff("coordinator", ("so", "sv"), "solna"))
    reviewed = somali.post(f"{url}/so/review")
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["status"] == "reviewed" and reviewed.json()["reviewed_by"].startswith("Coordinator")
    assert reviewed.json()["reviewed_at"]

    # New question variants change nothing residents read: still reviewed.
    variants = [*so["questions"], "lacag ma la iga qaadayaa haddii aan dib u dhaco"]
    more = coordinator.put(f"{url}/so", json=body(reviewed.json(), questions=variants))
    assert more.status_code == 200 and more.json()["status"] == "reviewed"
    # A changed answer is a draft again unless a speaker marks it reviewed in the same save.
    edited = coordinator.put(
        f"{url}/so", json=body(more.json(), answer=more.json()["answer"] + " Weydii maktabaddaada.")
    )
    assert edited.status_code == 200
    assert (edited.json()["status"], edited.json()["reviewed_by"]) == ("draft", None)
    again = somali.put(f"{url}/so", json=body(edited.json(), answer=edited.json()["answer"] + "!", status="reviewed"))
    assert again.json()["status"] == "reviewed"
    # Swedish is reviewable by the Swedish-speaking coordinator; easy-to-read Swedish too.
    assert coordinator.post(f"{url}/sv-easy/review").status_code == 200


def test_a_save_over_a_newer_version_is_a_conflict_not_a_loss(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    colleague = login(client.app, new_staff("coordinator", ("sv",), "solna"))
    sv = translation(coordinator.get(FEES).json(), "regional", "sv")
    assert sv is not None
    first = colleague.put(f"{FEES}/regional/sv", json=body(sv, answer="Kollegans text."))
    assert first.status_code == 200
    second = coordinator.put(f"{FEES}/regional/sv", json=body(sv, answer="Min text."))
    assert second.status_code == 409
    assert "Coordinator" in second.json()["detail"]  # says who saved in between
    assert translation(coordinator.get(FEES).json(), "regional", "sv")["answer"] == "Kollegans text."  # type: ignore[index]


def test_invalid_texts_are_refused_with_a_clear_reason(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    url = f"{FEES}/regional"
    cases = {
        "title": ({"title": "x" * 41, "answer": "ok"}, "at most 40"),
        "sms": ({"title": "Avgifter", "answer": "ok", "sms": "x" * 301}, "SMS form"),
        "answer": ({"title": "Avgifter", "answer": " "}, "answer is missing"),
    }
    for body, words in cases.values():
        resp = coordinator.put(f"{url}/sv", json=body)
        assert resp.status_code == 422 and words in messages(resp), resp.text
    assert coordinator.put(f"{url}/xx", json={"title": "a", "answer": "b"}).status_code == 422
    assert (
        coordinator.put(
            "/api/curation/entries/no.such_topic/regional/sv", json={"title": "a", "answer": "b"}
        ).status_code
        == 404
    )
    assert coordinator.get(FEES).json()["regional"]["translations"]["sv"]["version"] == 1  # nothing saved


def test_a_new_topic_is_a_draft_until_published_and_then_live_at_once(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    question = "Får jag ta med min hund in på biblioteket?"
    new = {
        "topic": "visit.pets",
        "area": "visit",
        "question": "May I bring my pet?",
        "title": "Djur på biblioteket",
        "questions": {"sv": [question, "hund i biblioteket"], "en": ["Can I bring my dog to the library?"]},
    }
    created = coordinator.post("/api/curation/entries", json=new)
    assert created.status_code == 201, created.text
    assert created.json()["regional"]["state"] == "draft"
    assert coordinator.post("/api/curation/entries", json=new).status_code == 422  # exists already
    bad = coordinator.post("/api/curation/entries", json={**new, "topic": "Pets!"})
    assert bad.status_code == 422 and "area.name" in messages(bad)

    def answer() -> dict:  # type: ignore[type-arg]
        return new_resident(client, library="solna").say(question)[0]

    assert answer()["topic"] != "visit.pets"  # a draft answers nobody
    url = "/api/curation/entries/visit.pets/regional"
    refused = coordinator.post(f"{url}/state", json={"state": "live"})
    assert refused.status_code == 422 and "answer" in messages(refused)
    sv = {
        "title": "Djur på biblioteket",
        "answer": "Assistanshundar är alltid välkomna. Andra djur: fråga ditt bibliotek.",
    }
    en = {"title": "Pets in the library", "answer": "Assistance dogs are always welcome. Other pets: ask your library."}
    sv_now = coordinator.get("/api/curation/entries/visit.pets").json()["regional"]["translations"]["sv"]
    assert coordinator.put(f"{url}/sv", json={**sv, "questions": sv_now["questions"]}).status_code == 200
    en_now = coordinator.get("/api/curation/entries/visit.pets").json()["regional"]["translations"]["en"]
    assert coordinator.put(f"{url}/en", json={**en, "questions": en_now["questions"]}).status_code == 200
    assert coordinator.post(f"{url}/state", json={"state": "live"}).status_code == 200
    live = answer()
    assert (live["kind"], live["topic"], live["text"]) == ("faq", "visit.pets", sv["answer"])
    # Somali has no text of its own: the English one answers, in English.
    so = new_resident(client, library="solna", locale="so").say("Can I bring my dog to the library?")[0]
    assert (so["topic"], so["language"]) == ("visit.pets", "en")
    assert coordinator.post(f"{url}/state", json={"state": "retired"}).status_code == 200
    assert answer()["topic"] != "visit.pets"
    assert any(e["topic"] == "visit.pets" and e["custom"] for e in coordinator.get("/api/curation/entries").json())


def test_deleting_texts_keeps_what_residents_need(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    url = f"{FEES}/regional"
    resp = coordinator.delete(f"{url}/en")
    assert resp.status_code == 422 and "en text" in messages(resp)
    assert (
        coordinator.put(
            f"{FEES}/solna/sv", json={"title": "Avgifter i Solna", "answer": "Solna: inga avgifter."}
        ).status_code
        == 200
    )
    assert coordinator.delete(f"{FEES}/solna/sv").status_code == 422  # the local version's last text
    assert (
        coordinator.put(f"{FEES}/solna/en", json={"title": "Fees in Solna", "answer": "Solna: no fees."}).status_code
        == 200
    )
    assert coordinator.delete(f"{FEES}/solna/sv").status_code == 204
    # With the local Swedish text gone, Solna's Swedish residents get the regional one again.
    reply = new_resident(client, library="solna").say(seed_question("loan.fees", "sv"))[0]
    assert reply["topic"] == "loan.fees" and not reply["text"].startswith("Solna")
    assert coordinator.delete(f"{url}/ti").status_code == 204
    reply = new_resident(client, library="nacka", locale="ti").say(seed_question("loan.fees"))[0]
    assert reply["topic"] == "loan.fees"


def test_the_list_shows_review_status_and_local_versions(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    coordinator.put(f"{FEES}/solna/so", json={"title": "Ganaaxa Solna", "answer": "Solna: ganaax ma jiro."})
    fees = next(e for e in coordinator.get("/api/curation/entries").json() if e["topic"] == "loan.fees")
    assert fees["state"] == "live" and fees["area"] == "borrowing" and not fees["custom"]
    assert fees["languages"]["sv"] == "reviewed" and fees["languages"]["so"] == "draft"
    assert set(fees["languages"]) == {"sv", "sv-easy", "en", "ar", "fa", "fi", "so", "ti", "pl", "es", "uk", "ru", "tr"}
    assert fees["local_versions"] == [{"library": "solna", "state": "live", "languages": ["so"]}]
    meta = coordinator.get("/api/curation/meta").json()
    assert meta["editable_libraries"] == ["solna"]
    assert {lang["key"]: lang["may_review"] for lang in meta["languages"]}["so"] is False


def test_personal_numbers_typed_into_the_editor_are_redacted(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    """Staff text: a personnummer or PIN pasted into an answer or a bot text never reaches the
    content; the library's own phone number stays (decision 0009)."""
    answer = "Ring oss på 08-508 311 00. Exempel: 850312-1234 med pinkoden 4321 ska aldrig skrivas här."
    saved = coordinator.put(
        f"{FEES}/solna/sv", json={"title": "Avgifter i Solna", "answer": answer, "questions": ["pnr 850312-1234?"]}
    )
    assert saved.status_code == 200, saved.text
    stored = translation(coordinator.get(FEES).json(), "solna", "sv")
    assert stored is not None
    assert "850312-1234" not in stored["answer"] and "4321" not in stored["answer"]
    assert "08-508 311 00" in stored["answer"]
    assert all("850312-1234" not in q for q in stored["questions"])
    text = coordinator.put("/api/curation/texts/greet/sv", json={"text": "Hej! Kortnummer 4111 1111 1111 1111."})
    assert text.status_code == 200, text.text
    assert "4111" not in text.json()["text"]
