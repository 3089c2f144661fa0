"""End to end: the quick-start script starts the three real processes (API, Rasa with the
trained model, action server); residents ask over HTTP and get the right topics. The `stack`
fixture is in conftest.py, shared with the browser tests."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from scripts.eval import evaluate, load, report

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT / "tests" / "devset"


def test_health_reports_all_parts_up(stack: str) -> None:
    health = httpx.get(f"{stack}/health").json()
    purge = health.pop("jobs")["retention_purge"]
    assert health == {"status": "ok", "api": "ok", "database": "ok", "rasa": "ok", "action_server": "ok"}
    assert purge["status"] in ("ok", "pending") and purge["pending_tracker_deletions"] == 0


def _ask(url: str, text: str) -> dict:  # type: ignore[type-arg]
    conv = httpx.post(f"{url}/api/conversations", json={"channel": "web"}).json()
    resp = httpx.post(
        f"{url}/api/conversations/{conv['id']}/messages",
        json={"text": text},
        headers={"Authorization": f"Bearer {conv['token']}"},
        timeout=30,
    )
    assert resp.status_code == 200
    return resp.json()["messages"][0]


def test_rasa_understands_small_talk_and_off_topic(stack: str) -> None:
    # Only Rasa's NLU produces these kinds: the API alone would answer from the FAQ.
    assert _ask(stack, "hej hej!")["kind"] == "smalltalk"
    assert _ask(stack, "Thank you so much!")["kind"] == "smalltalk"
    assert _ask(stack, "Vem vann fotbolls-VM 2018?")["kind"] == "out_of_scope"
    handoff = _ask(stack, "I want to talk to a librarian")
    assert handoff["kind"] == "handoff" and handoff["language"] == "en"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_dev_set_questions_get_the_right_topic(stack: str, lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [r for r in load([str(DEVSET / f"{lang}.jsonl")]) if r["expect"].startswith("topic:")]
    results = evaluate(stack, rows)
    with capsys.disabled():
        summary = report(results)
    right = sum(r.ok for r in results)
    assert right >= 20, f"{right}/{len(rows)} {lang} questions got the right topic"
    assert summary["all"]["language_accuracy"] >= 0.95
    print(json.dumps(summary))


ASK_FOR_A_PERSON = {
    "sv": "Jag vill prata med en bibliotekarie",
    "en": "I want to talk to a librarian",
    "ar": "أريد التحدث مع أمين المكتبة",
    "fa": "می‌خواهم با یک کتابدار صحبت کنم",
    "fi": "Haluan puhua kirjastonhoitajan kanssa",
    "so": "Waxaan rabaa inaan la hadlo shaqaalaha maktabadda",
    "ti": "ምስ ሰራሕተኛ ቤት መጻሕፍቲ ክዛረብ እደሊ",
    "pl": "Chcę porozmawiać z bibliotekarzem",
    "es": "Quiero hablar con un bibliotecario",
    "uk": "Я хочу поговорити з бібліотекарем",
    "ru": "Я хочу поговорить с библиотекарем",
    "tr": "Bir kütüphaneciyle konuşmak istiyorum",
}


def test_asking_for_a_person_in_every_language_opens_a_ticket(stack: str) -> None:
    """Through the real NLU: a handoff reply in the resident's language and a ticket in the queue."""
    opened: dict[str, str] = {}
    for lang, text in ASK_FOR_A_PERSON.items():
        conv = httpx.post(f"{stack}/api/conversations", json={"channel": "web"}).json()
        reply = httpx.post(
            f"{stack}/api/conversations/{conv['id']}/messages",
            json={"text": text},
            headers={"Authorization": f"Bearer {conv['token']}"},
            timeout=30,
        ).json()["messages"][0]
        assert (reply["kind"], reply["language"]) == ("handoff", lang), (lang, reply)
        opened[conv["id"]] = lang
    staff = httpx.Client(base_url=stack)
    assert (
        staff.post(
            "/api/staff/login", json={"email": "demo@bibliotek.example", "password": "bibliotek-demo"}
        ).status_code
        == 200
    )
    queue = staff.get("/api/staff/tickets").json()["tickets"]
    by_conversation = {t["conversation_id"]: t for t in queue}
    for conversation_id, lang in opened.items():
        assert by_conversation[conversation_id]["language"] == lang
