"""Seed FAQ content and bot texts from the reviewable YAML under data/.

The seed inserts what is missing and refreshes texts that are still as seeded; a text a
coordinator has edited (`edited_by` set) is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.faq.content_format import REQUIRED_LANGUAGES, check_fields
from api.faq.models import BotText, FaqEntry, FaqTranslation
from api.faq.revision import FAQ, TEXTS, bump_revision
from api.faq.topics import topics
from api.language.registry import languages
from api.settings import get_settings
from api.texts import placeholders


class ContentError(ValueError):
    """Seed content that cannot be loaded; the message says which file and what."""


@dataclass
class FaqFile:
    path: Path
    language: str
    variant: str
    entries: list[dict[str, Any]] = field(default_factory=list)


def read_faq_files(faq_dir: Path) -> list[FaqFile]:
    files = []
    known_topics = topics()
    for path in sorted(faq_dir.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        lang = raw.get("language")
        if lang not in languages():
            raise ContentError(f"{path.name}: unknown language {lang!r}")
        ff = FaqFile(path=path, language=lang, variant=raw.get("variant", ""), entries=raw.get("entries") or [])
        seen: set[str] = set()
        for e in ff.entries:
            tid = e.get("topic")
            if tid not in known_topics:
                raise ContentError(f"{path.name}: unknown topic id {tid!r}")
            if tid in seen:
                raise ContentError(f"{path.name}: topic {tid} appears twice")
            seen.add(tid)
            if not e.get("questions"):
                raise ContentError(f"{path.name}: topic {tid} has no questions")
            _, errors = check_fields(e, f"{path.name}: topic {tid}", require_answer=True)
            if errors:
                raise ContentError("; ".join(errors))
        if lang in REQUIRED_LANGUAGES and not ff.variant and seen != set(known_topics):
            missing = sorted(set(known_topics) - seen)
            raise ContentError(f"{path.name}: missing topics {', '.join(missing)}")
        files.append(ff)
    return files


def seed_faq(session: Session) -> int:
    files = read_faq_files(get_settings().data_dir / "faq")
    entries = {e.topic: e for e in session.scalars(select(FaqEntry).where(FaqEntry.library_id.is_(None)))}
    changed = 0
    for ff in files:
        for item in ff.entries:
            entry = entries.get(item["topic"])
            if entry is None:
                entry = FaqEntry(topic=item["topic"], library_id=None)
                session.add(entry)
                entries[item["topic"]] = entry
            tr = next((t for t in entry.translations if t.language == ff.language and t.variant == ff.variant), None)
            if tr is None:
                tr = FaqTranslation(language=ff.language, variant=ff.variant)
                entry.translations.append(tr)
            elif tr.edited_by is not None:
                continue
            fields, _ = check_fields(item, ff.path.name, require_answer=True)
            assert fields is not None  # read_faq_files checked it
            values = fields.snapshot()
            if any(getattr(tr, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(tr, k, v)
                changed += 1
    if changed:
        session.flush()
        bump_revision(session, FAQ)
    return changed


def seed_texts(session: Session) -> int:
    texts_dir = get_settings().data_dir / "texts"
    existing = {(t.key, t.language): t for t in session.scalars(select(BotText))}
    english_keys = set(yaml.safe_load((texts_dir / "en.yml").read_text(encoding="utf-8"))["texts"])
    changed = 0
    for path in sorted(texts_dir.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        lang = raw.get("language")
        if lang not in languages():
            raise ContentError(f"{path.name}: unknown language {lang!r}")
        unknown = set(raw["texts"]) - english_keys
        if unknown:
            raise ContentError(f"{path.name}: unknown text keys {sorted(unknown)}")
        for key, text in raw["texts"].items():
            if wrong := placeholders.problems(key, str(text)):  # the editor's rule holds for the seed too
                raise ContentError(f"{path.name} {key}: {wrong[0]}")
            row = existing.get((key, lang))
            if row is None:
                row = BotText(key=key, language=lang)
                session.add(row)
            elif row.edited_by is not None:
                continue
            if row.text != text or row.status != raw.get("status", "draft"):
                row.text, row.status = text, raw.get("status", "draft")
                changed += 1
    if changed:
        bump_revision(session, TEXTS)
    return changed
