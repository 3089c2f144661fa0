"""Bot-text placeholders (issue 13, point 13): only the bare placeholders each text needs, in the
editor and in the import, and a rendering that cannot be made to build a huge string."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from tests.api.error_support import import_problems, messages
from tests.api.test_curation_exchange import do_import

ROOT = Path(__file__).resolve().parents[2]
TEXTS = "/api/curation/texts"

# A text that needs {minutes}, and what must be refused in it, with the placeholder the 422 names.
BAD_FOR_HANDOFF_ONLINE = {
    "Svar inom {minutes:>900000000} minuter.": "{minutes:>900000000}",
    "Svar inom {minutes!r} minuter.": "{minutes!r}",
    "Svar inom {minutes!s:^9} minuter.": "{minutes!s:^9}",
    "Svar inom {0} minuter.": "{0}",
    "Svar inom {} minuter.": "{}",
    "Svar inom {minutes.real} minuter.": "{minutes.real}",
    "Svar inom {minutes[0]} minuter.": "{minutes[0]}",
    "Svar inom {minutes} minuter, {__class__}.": "{__class__}",
    "Svar inom {minutes} minuter vid {time}.": "{time}",  # a real placeholder, but not this text's
    "Svar inom {minutes} eller {minutes:{minutes}} minuter.": "{minutes:{minutes}}",
    "Svar inom kort.": "{minutes}",  # the required one is missing
}


def test_the_editor_accepts_only_the_bare_placeholders_a_text_needs(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    for text, offending in BAD_FOR_HANDOFF_ONLINE.items():
        resp = coordinator.put(f"{TEXTS}/handoff_online/sv", json={"text": text})
        assert resp.status_code == 422, f"{text!r} was accepted"
        assert offending in messages(resp), (text, messages(resp))
    thanks = coordinator.put(f"{TEXTS}/thanks/sv", json={"text": "Varsågod, {minutes}!"})
    assert thanks.status_code == 422 and "{minutes}" in messages(thanks)
    # The English text is not a loophole: what a text needs does not come from its editable English row.
    english = coordinator.put(f"{TEXTS}/handoff_online/en", json={"text": "Wait {minutes:>99} minutes."})
    assert english.status_code == 422 and "{minutes:>99}" in messages(english)
    # Literal braces stay possible, and the bare placeholder is fine.
    ok = coordinator.put(f"{TEXTS}/handoff_online/sv", json={"text": "Svar inom {minutes} minuter {{ungefär}}."})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_the_import_refuses_the_same_placeholders_and_imports_nothing(client, coordinator, fmt: str) -> None:  # type: ignore[no-untyped-def]
    before = coordinator.get(TEXTS).json()["texts"]["handoff_online"]["languages"]["sv"]["text"]
    # A text appears once per language in a file: one bad text per language.
    langs = ["sv", "en", "ar", "fa", "fi", "so", "ti", "pl", "es", "uk", "ru", "tr"]
    rows = [("handoff_online", lang, text) for lang, text in zip(langs, BAD_FOR_HANDOFF_ONLINE, strict=False)]
    rows.append(("sms_reply_with", "fi", "Vastaa {numbers:*<100000000}."))
    if fmt == "yaml":
        texts = [{"language": lang, "texts": {key: {"text": text, "status": "draft"}}} for key, lang, text in rows]
        data = yaml.safe_dump({"format": "bibliotekshjalpen-content", "version": 1, "texts": texts}, allow_unicode=True)
    else:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["key", "language", "status", "reviewed_by", "reviewed_at", "text"])
        for key, lang, text in rows:
            writer.writerow([key, lang, "draft", "", "", text])
        data = out.getvalue()
    resp = do_import(coordinator, data, fmt)
    assert resp.status_code == 422, resp.text
    errors = " | ".join(import_problems(resp))
    for offending in [*BAD_FOR_HANDOFF_ONLINE.values(), "{numbers:*<100000000}"]:
        assert offending in errors, (offending, errors)
    assert coordinator.get(TEXTS).json()["texts"]["handoff_online"]["languages"]["sv"]["text"] == before


def test_a_bad_text_already_in_the_database_cannot_blow_up_a_reply(content_guard, client, db) -> None:  # type: ignore[no-untyped-def]
    """Written past the editor (an old import, a database edit): the reply falls back to a good
    language instead of padding a number to 50 million characters or reading attributes."""
    from sqlalchemy import update

    from api.faq.models import BotText
    from api.faq.revision import TEXTS as TEXTS_REVISION
    from api.faq.revision import bump_revision
    from api.texts.service import catalog

    bad = {
        "sv": "Svar inom {minutes:>50000000} minuter.",
        "fi": "Vastaus {minutes.__class__} minuutissa.",
        "so": "Jawaab {minutes[0]} daqiiqo.",
    }
    for lang, text in bad.items():
        db.execute(update(BotText).where(BotText.key == "handoff_online", BotText.language == lang).values(text=text))
    bump_revision(db, TEXTS_REVISION)
    db.flush()
    for lang in bad:
        text, used = catalog.get(db, "handoff_online", lang, minutes="7")
        assert len(text) < 1000 and "class" not in text, (lang, text[:80])
        assert used in ("en", "sv") and used != lang and "7" in text


def test_the_placeholders_each_text_needs_come_from_the_seed_texts(client, coordinator) -> None:  # type: ignore[no-untyped-def]
    """One source of truth: the English seed file; every seeded language renders with exactly
    those names through the safe formatter."""
    from api.texts.placeholders import render, required

    seed = yaml.safe_load((ROOT / "data/texts/en.yml").read_text(encoding="utf-8"))["texts"]
    assert required("handoff_online") == {"minutes"}
    assert required("handoff_saved_later") == {"day", "time"}
    assert required("thanks") == set()
    listing = coordinator.get(TEXTS).json()["texts"]
    for key in seed:
        assert set(listing[key]["placeholders"]) == required(key)
    for path in sorted((ROOT / "data/texts").glob("*.yml")):
        for key, text in yaml.safe_load(path.read_text(encoding="utf-8"))["texts"].items():
            values = {name: f"<{name}>" for name in required(key)}
            rendered = render(text, values)
            assert all(f"<{name}>" in rendered for name in values), (path.name, key)
