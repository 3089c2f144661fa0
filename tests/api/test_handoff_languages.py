"""A resident's request for a person, in every supported language, through the bot side's endpoint:
a `handoff` reply in that language that says what happens next, and a ticket in the staff queue."""

from __future__ import annotations

import re

import pytest
import yaml

from api.language.registry import languages
from api.settings import get_settings

INTERNAL = {"X-Internal-Token": "test-internal-token"}
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


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{\w+\}", template)
    return re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$", re.DOTALL)


def _texts(lang: str) -> dict[str, str]:
    raw = yaml.safe_load((get_settings().data_dir / "texts" / f"{lang}.yml").read_text(encoding="utf-8"))
    return raw["texts"]  # type: ignore[no-any-return]


def test_every_language_is_covered() -> None:
    assert set(ASK) == set(languages())


@pytest.mark.parametrize("lang", sorted(ASK))
def test_request_human_in_every_language(client, make_staff, lang: str) -> None:  # type: ignore[no-untyped-def]
    conv = client.post("/api/conversations", json={"channel": "web", "library": "solna", "locale": lang}).json()
    headers = {"Authorization": f"Bearer {conv['token']}"}
    client.patch(f"/api/conversations/{conv['id']}", json={"language": lang}, headers=headers)
    body = {
        "conversation_id": conv["id"],
        "action": "request_human",
        "text": ASK[lang],
        "intent": "request_human",
        "confidence": 0.97,
    }
    (reply,) = client.post("/internal/bot/respond", json=body, headers=INTERNAL).json()["messages"]
    assert (reply["kind"], reply["language"]) == ("handoff", lang)
    texts = _texts(lang)
    assert any(_pattern(texts[key]).match(reply["text"]) for key in HANDOFF_TEXTS), reply["text"]

    staff = make_staff(languages=(lang,))
    (ticket,) = [t for t in staff.queue(language=lang) if t["conversation_id"] == conv["id"]]
    assert (ticket["state"], ticket["language"], ticket["speaks_language"]) == ("waiting", lang, True)
    notice = client.get(f"/api/conversations/{conv['id']}/messages", headers=headers).json()["messages"][-1]
    assert (notice["event"], notice["language"], notice["text"]) == ("handoff_requested", lang, texts["event_handoff"])


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
