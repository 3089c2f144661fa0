"""The seeded FAQ content (on SQLite and PostgreSQL) and the checks on the content files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from api.faq.content_format import SMS_MAX_CHARS
from api.faq.models import FaqEntry, FaqTranslation
from api.faq.seed import ContentError, read_faq_files, seed_faq
from api.faq.topics import topics
from api.language.registry import languages
from api.settings import get_settings


def _faq_dir() -> Path:
    return get_settings().data_dir / "faq"


def _regional(db) -> dict[str, FaqEntry]:  # type: ignore[no-untyped-def]
    return {e.topic: e for e in db.scalars(select(FaqEntry).where(FaqEntry.library_id.is_(None)))}


def _translation(entry: FaqEntry, language: str, variant: str = "") -> FaqTranslation | None:
    return next((t for t in entry.translations if t.language == language and t.variant == variant), None)


def test_topic_ids_come_from_the_shared_list() -> None:
    assert len(topics()) >= 30
    assert {"card.get", "card.lost", "card.pin", "loan.renew"} <= set(topics())


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_topic_has_a_reviewed_swedish_and_english_answer(db, language: str) -> None:  # type: ignore[no-untyped-def]
    entries = _regional(db)
    assert set(topics()) <= set(entries), sorted(set(topics()) - set(entries))
    for topic in topics():
        tr = _translation(entries[topic], language)
        assert tr is not None, f"{topic} has no {language} translation"
        assert tr.status == "reviewed", f"{topic}/{language} is {tr.status}"
        assert tr.title.strip() and tr.answer.strip() and tr.sms.strip(), f"{topic}/{language}"
        assert len(tr.questions) >= 5, f"{topic}/{language} has {len(tr.questions)} questions"
        assert all(q.strip() for q in tr.questions), f"{topic}/{language} has an empty question"


def test_every_other_seed_translation_is_a_draft(db) -> None:  # type: ignore[no-untyped-def]
    for entry in _regional(db).values():
        for tr in entry.translations:
            if tr.edited_by is None and (tr.language, tr.variant) not in {("sv", ""), ("en", "")}:
                assert tr.status == "draft", f"{entry.topic}/{tr.language}/{tr.variant or '-'} is {tr.status}"


def test_every_other_language_file_says_draft() -> None:
    for ff in read_faq_files(_faq_dir()):
        if (ff.language, ff.variant) in {("sv", ""), ("en", "")}:
            assert {e.get("status") for e in ff.entries} == {"reviewed"}, ff.path.name
        else:
            assert {e.get("status", "draft") for e in ff.entries} == {"draft"}, ff.path.name


def test_every_language_has_an_answer_for_every_topic(db) -> None:  # type: ignore[no-untyped-def]
    entries = _regional(db)
    missing = [
        f"{topic}/{code}"
        for topic in topics()
        for code in languages()
        if topic not in entries or _translation(entries[topic], code) is None
    ]
    assert missing == []


def test_easy_read_swedish_covers_every_topic(db) -> None:  # type: ignore[no-untyped-def]
    entries = _regional(db)
    assert all(_translation(entries[topic], "sv", "easy") is not None for topic in topics())


def test_sms_forms_fit(db) -> None:  # type: ignore[no-untyped-def]
    too_long = [
        f"{e.topic}/{t.language}/{t.variant or '-'}: {len(t.sms)}"
        for e in _regional(db).values()
        for t in e.translations
        if len(t.sms) > SMS_MAX_CHARS
    ]
    assert too_long == []


def test_seeding_again_changes_nothing(db) -> None:  # type: ignore[no-untyped-def]
    assert seed_faq(db) == 0


def test_seed_never_overwrites_an_edited_translation(db) -> None:  # type: ignore[no-untyped-def]
    entry = _regional(db)["loan.renew"]
    sv = _translation(entry, "sv")
    assert sv is not None and sv.edited_by is None
    seeded_answer = sv.answer
    local = "Hos oss lånar du om i appen eller i disken. (Redigerad av samordnaren.)"
    try:
        sv.answer, sv.edited_by = local, "coordinator@example.org"
        db.flush()
        assert seed_faq(db) == 0
        assert (sv.answer, sv.edited_by) == (local, "coordinator@example.org")
        db.expire_all()
        stored = db.scalar(select(FaqTranslation).where(FaqTranslation.id == sv.id))
        assert stored is not None and stored.answer == local

        # A text changed without edited_by is as-seeded content, so the seed puts it back.
        stored.edited_by = None
        db.flush()
        assert seed_faq(db) == 1
        assert stored.answer == seeded_answer
    finally:
        db.rollback()
    db.expire_all()
    assert _translation(_regional(db)["loan.renew"], "sv").answer == seeded_answer  # type: ignore[union-attr]
    assert seed_faq(db) == 0


# ---- read_faq_files: the checks that stop bad content at seed time --------------------------


def _entry(topic: str, **extra: object) -> dict[str, object]:
    return {
        "topic": topic,
        "status": "draft",
        "title": "Titel",
        "answer": "Ett kort svar.",
        "sms": "Ett kort svar.",
        "questions": ["en fråga", "en annan fråga"],
        **extra,
    }


def _write(directory: Path, name: str, language: str, entries: list[dict[str, object]]) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump({"language": language, "entries": entries}, allow_unicode=True), encoding="utf-8")
    return path


def test_the_real_content_files_load() -> None:
    files = read_faq_files(_faq_dir())
    assert {ff.language for ff in files} == set(languages())
    assert ("sv", "easy") in {(ff.language, ff.variant) for ff in files}


def test_unknown_topic_id_is_named_with_its_file(tmp_path: Path) -> None:
    _write(tmp_path, "fi.yml", "fi", [_entry("card.get"), _entry("card.teleport")])
    with pytest.raises(ContentError) as exc:
        read_faq_files(tmp_path)
    assert "fi.yml" in str(exc.value) and "card.teleport" in str(exc.value)


def test_sms_over_300_characters_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "so.yml", "so", [_entry("card.get", sms="x" * (SMS_MAX_CHARS + 1))])
    with pytest.raises(ContentError) as exc:
        read_faq_files(tmp_path)
    assert "so.yml" in str(exc.value) and "card.get" in str(exc.value) and "300" in str(exc.value)


def test_sms_of_exactly_300_characters_is_accepted(tmp_path: Path) -> None:
    _write(tmp_path, "so.yml", "so", [_entry("card.get", sms="x" * SMS_MAX_CHARS)])
    (ff,) = read_faq_files(tmp_path)
    assert ff.language == "so" and len(ff.entries) == 1


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([_entry("card.get"), _entry("card.get")], "card.get appears twice"),
        ([_entry("card.get", answer="")], "card.get: the answer is missing"),
        ([_entry("card.get", questions=[])], "card.get has no questions"),
    ],
)
def test_other_content_errors_name_file_and_topic(
    tmp_path: Path, entries: list[dict[str, object]], message: str
) -> None:
    _write(tmp_path, "pl.yml", "pl", entries)
    with pytest.raises(ContentError, match=f"pl.yml: .*{message}"):
        read_faq_files(tmp_path)


def test_unknown_language_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "de.yml", "de", [_entry("card.get")])
    with pytest.raises(ContentError, match=re.escape("de.yml: unknown language 'de'")):
        read_faq_files(tmp_path)


def test_swedish_and_english_must_cover_every_topic(tmp_path: Path) -> None:
    shutil.copy(_faq_dir() / "sv.yml", tmp_path / "sv.yml")
    assert len(read_faq_files(tmp_path)[0].entries) == len(topics())
    raw = yaml.safe_load((tmp_path / "sv.yml").read_text(encoding="utf-8"))
    raw["entries"] = [e for e in raw["entries"] if e["topic"] != "card.lost"]
    (tmp_path / "sv.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape("sv.yml: missing topics card.lost")):
        read_faq_files(tmp_path)
