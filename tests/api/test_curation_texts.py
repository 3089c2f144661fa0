"""The assistant's own texts, curated like the FAQ and used at run time: the API writes every
reply from them (api/conversations/answering.py), so an edit is what the next resident reads
(SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.api.error_support import messages
from tests.api.handoff_support import Resident, login, new_resident, new_staff
from tests.api.test_handoff_languages import rasa_decides

# Rasa's decision for a greeting (actions/reply_policy.py); the API writes it from the text `greet`.
GREET = {"kind": "smalltalk", "intent": "greet", "confidence": 0.95}


def greeting(resident: Resident, text: str = "Salaan") -> tuple[str, str]:
    (reply,) = resident.say(text)
    assert reply["kind"] == "smalltalk", reply
    return reply["text"], reply["language"]


def test_an_edited_greeting_is_what_the_resident_gets_next(client, coordinator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rasa_decides(monkeypatch, GREET)
    somali = login(client.app, new_staff("coordinator", ("so", "sv"), "solna"))
    resident = new_resident(client, locale="so")
    before, language = greeting(resident)
    assert language == "so"
    new = "Soo dhawoow! Waxaan ahay Bibliotekshjälpen. Wax kasta oo ku saabsan maktabadda i weydii."
    saved = somali.put("/api/curation/texts/greet/so", json={"text": new, "status": "reviewed"})
    assert saved.status_code == 200, saved.text
    assert (saved.json()["status"], saved.json()["reviewed_by"]) == (
        "reviewed",
        somali.get("/api/staff/me").json()["name"],
    )
    assert before != new and greeting(resident) == (new, "so")
    listing = coordinator.get("/api/curation/texts").json()
    assert listing["texts"]["greet"]["languages"]["so"]["text"] == new
    assert any(t["key"] == "greet" for g in listing["groups"] for t in g["texts"])
    history = coordinator.get("/api/curation/texts/greet/history").json()
    assert history[0]["language"] == "so" and history[0]["key"] == "greet"
    assert coordinator.post(f"/api/curation/changes/{history[0]['id']}/revert").status_code == 200
    assert greeting(resident) == (before, "so")


def test_placeholders_must_stay_as_in_english(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    placeholders = coordinator.get("/api/curation/texts").json()["texts"]["handoff_online"]["placeholders"]
    assert placeholders == ["minutes"]
    cases = {
        "Personal svarar snart.": "exactly {minutes}",
        "Svar inom {minuter} minuter.": "exactly {minutes}",
        "Svar inom {minutes minuter.": "unmatched",
    }
    for text, words in cases.items():
        resp = coordinator.put("/api/curation/texts/handoff_online/sv", json={"text": text})
        assert resp.status_code == 422 and words in messages(resp), resp.text
    days = coordinator.put("/api/curation/texts/desk_days/sv", json={"text": "på måndag|på tisdag"})
    assert days.status_code == 422 and "7 parts" in messages(days)
    assert coordinator.put("/api/curation/texts/no_such_key/sv", json={"text": "x"}).status_code == 422
    assert coordinator.put("/api/curation/texts/greet/xx", json={"text": "x"}).status_code == 422
    ok = coordinator.put(
        "/api/curation/texts/handoff_online/sv", json={"text": "Någon svarar inom cirka {minutes} minuter."}
    )
    assert ok.status_code == 200 and ok.json()["status"] == "draft"


def test_reviewing_a_text_needs_a_speaker(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    resp = coordinator.put("/api/curation/texts/thanks/ti", json={"text": "የቐንየለይ!", "status": "reviewed"})
    assert resp.status_code == 403 and "Tigrinya" in resp.json()["detail"]


def test_a_broken_text_in_the_database_falls_back_instead_of_failing(content_guard, client, db) -> None:  # type: ignore[no-untyped-def]
    """The editor refuses broken placeholders; one written past it must not break a reply."""
    from sqlalchemy import update

    from api.faq.models import BotText
    from api.faq.revision import TEXTS, bump_revision
    from api.texts.service import catalog

    db.execute(
        update(BotText).where(BotText.key == "language_unsupported", BotText.language == "fi").values(text="{kielet}")
    )
    bump_revision(db, TEXTS)
    db.flush()
    text, lang = catalog.get(db, "language_unsupported", "fi", languages="Svenska, English")
    assert lang == "en" and "Svenska, English" in text


def test_desk_staff_cannot_edit_texts(client, make_staff, content_guard, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rasa_decides(monkeypatch, GREET)
    resident = new_resident(client)
    before = greeting(resident, "Hej")
    desk = make_staff("staff")
    assert desk.put("/api/curation/texts/greet/sv", json={"text": "Hej"}).status_code == 403
    assert greeting(resident, "Hej igen") == before != ("Hej", "sv")
