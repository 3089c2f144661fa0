"""A resident's request for a person, in every supported language: whatever Rasa's classifier
recognises as a request for a person (its decision `handoff`) becomes a `handoff` reply in the
resident's language that says what happens next, and a ticket in the staff queue. With Rasa down,
the handoff button still reaches staff.

Rasa is faked at the HTTP transport here (`RasaDecides`): whether Rasa recognises a typed request
in each language is measured by `make eval` on the running stack, not by these tests."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
import yaml

from api.conversations import rasa_client
from api.language.registry import languages
from api.settings import get_settings

ASK = {
    "sv": "Jag vill prata med en bibliotekarie",
    "en": "I want to talk to a librarian",
    "ar": "أريد التحدث مع أمين المكتبة",
    "fa": "می‌خواهم با کتابدار صحبت کنم",
    "fi": "Haluan puhua kirjastonhoitajan kanssa",
    "so": "Waxaan rabaa inaan la hadlo shaqaalaha maktabadda",
    "ti": "ምስ ሰራሕተኛ ቤተ-መጻሕፍቲ ክዛረብ እደሊ",
    "pl": "Chcę porozmawiać z bibliotekarzem",
    "es": "Quiero hablar con un bibliotecario",
    "uk": "Я хочу поговорити з бібліотекарем",
    "ru": "Я хочу поговорить с библиотекарем",
    "tr": "Bir kütüphaneciyle konuşmak istiyorum",
}
HANDOFF_TEXTS = ("handoff_online", "handoff_saved_today", "handoff_saved_later")


class RasaDecides:
    """Rasa's REST channel, faked at the API's HTTP client: answers every message with one decision
    of the reply policy, as the action server's `action_reply` sends it (a `custom` payload), and
    records each request body (message and metadata)."""

    def __init__(self, decision: dict[str, Any]) -> None:
        self.decision = decision
        self.received: list[dict[str, Any]] = []

    def _handle(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/webhooks/rest/webhook", request.url
        self.received.append(json.loads(request.content))
        return httpx.Response(200, json=[{"custom": {"decision": self.decision}}])

    def client(self, _loop: object) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url="http://rasa.test", transport=httpx.MockTransport(self._handle))


def rasa_decides(monkeypatch: pytest.MonkeyPatch, decision: dict[str, Any]) -> RasaDecides:
    """From now on (until the test's monkeypatch is undone) Rasa answers with this decision."""
    fake = RasaDecides(decision)
    rasa_client.reset()  # a fresh circuit: the closed port of the other tests may have opened it
    monkeypatch.setattr(rasa_client, "_client", fake.client)
    return fake


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{\w+\}", template)
    return re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$", re.DOTALL)


def _texts(lang: str) -> dict[str, str]:
    raw = yaml.safe_load((get_settings().data_dir / "texts" / f"{lang}.yml").read_text(encoding="utf-8"))
    return raw["texts"]  # type: ignore[no-any-return]


def _resident_in(client, lang: str) -> tuple[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    conv = client.post("/api/conversations", json={"channel": "web", "library": "solna", "locale": lang}).json()
    headers = {"Authorization": f"Bearer {conv['token']}"}
    client.patch(f"/api/conversations/{conv['id']}", json={"language": lang}, headers=headers)
    return conv["id"], headers


def _assert_handed_off(client, make_staff, conv_id: str, headers: dict[str, str], reply: dict, lang: str) -> None:  # type: ignore[no-untyped-def]
    """A `handoff` reply in the resident's language, a waiting ticket in that language, and the
    `handoff_requested` notice in the transcript."""
    assert (reply["kind"], reply["language"]) == ("handoff", lang)
    texts = _texts(lang)
    assert any(_pattern(texts[key]).match(reply["text"]) for key in HANDOFF_TEXTS), reply["text"]
    staff = make_staff(languages=(lang,))
    (ticket,) = [t for t in staff.queue(language=lang) if t["conversation_id"] == conv_id]
    assert (ticket["state"], ticket["language"], ticket["speaks_language"]) == ("waiting", lang, True)
    transcript = client.get(f"/api/conversations/{conv_id}/messages", headers=headers).json()["messages"]
    (notice,) = [m for m in transcript if m["event"] == "handoff_requested"]
    assert (notice["language"], notice["text"]) == (lang, texts["event_handoff"])
    assert [m["kind"] for m in transcript if m["id"] > notice["id"]] == ["handoff"]  # then the reply, stored


def test_every_language_is_covered() -> None:
    assert set(ASK) == set(languages())


@pytest.mark.parametrize("lang", sorted(ASK))
def test_rasas_handoff_decision_in_every_language(client, make_staff, monkeypatch, lang: str) -> None:  # type: ignore[no-untyped-def]
    rasa = rasa_decides(monkeypatch, {"kind": "handoff", "confidence": 0.97})
    conv_id, headers = _resident_in(client, lang)
    resp = client.post(f"/api/conversations/{conv_id}/messages", json={"text": ASK[lang]}, headers=headers)
    assert resp.status_code == 200, resp.text
    (reply,) = resp.json()["messages"]
    _assert_handed_off(client, make_staff, conv_id, headers, reply, lang)
    # Rasa was asked about this very message, with the API's understanding of it.
    (sent,) = rasa.received
    assert (sent["sender"], sent["message"]) == (conv_id, ASK[lang])
    assert sent["metadata"]["nlu"]["vector"] and "candidates" in sent["metadata"]["turn"]


@pytest.mark.parametrize("lang", sorted(ASK))
def test_the_handoff_button_reaches_staff_with_rasa_down(client, make_staff, lang: str) -> None:  # type: ignore[no-untyped-def]
    # The `seeded` fixture points Rasa at a closed port: every turn is answered without it.
    assert get_settings().rasa_url == "http://127.0.0.1:9"
    conv_id, headers = _resident_in(client, lang)
    resp = client.post(
        f"/api/conversations/{conv_id}/messages", json={"text": ASK[lang], "payload": "handoff"}, headers=headers
    )
    assert resp.status_code == 200, resp.text
    (reply,) = resp.json()["messages"]
    _assert_handed_off(client, make_staff, conv_id, headers, reply, lang)


def test_every_handoff_text_is_in_every_language() -> None:
    english = _texts("en")
    keys = [k for k in english if k.startswith(("handoff_", "event_", "desk_", "contact_"))]
    assert len(keys) >= 12
    for lang in languages():
        texts = _texts(lang)
        for key in keys:
            assert texts.get(key), f"{lang}.yml has no {key}"
            assert set(re.findall(r"\{\w+\}", texts[key])) == set(re.findall(r"\{\w+\}", english[key])), (lang, key)
            if lang != "en" and key != "handoff_coming":
                assert texts[key] != english[key], f"{lang}.yml: {key} is not translated"
        assert len(texts["desk_days"].split("|")) == 7, lang
