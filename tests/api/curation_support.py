"""Helpers for the curation tests: put the shared seeded content back after a test."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from api.curation.models import ContentChange
from api.db import session_scope
from api.faq.models import BotText, CustomTopic, FaqEntry, FaqTranslation
from api.faq.revision import FAQ, TEXTS, bump_revision
from api.needs.models import ResidentNeed

TRANSLATION_FIELDS = (
    "title",
    "answer",
    "sms",
    "status",
    "questions",
    "edited_by",
    "reviewed_by",
    "reviewed_at",
    "version",
    "updated_at",
)


def snapshot_content() -> dict[str, Any]:
    with session_scope() as s:
        entries = {e.id: e.state for e in s.scalars(select(FaqEntry))}
        translations = {
            t.id: {f: getattr(t, f) for f in TRANSLATION_FIELDS}
            | {"entry_id": t.entry_id, "language": t.language, "variant": t.variant}
            for t in s.scalars(select(FaqTranslation))
        }
        texts = {
            t.id: (t.text, t.status, t.edited_by, t.reviewed_by, t.reviewed_at) for t in s.scalars(select(BotText))
        }
        topics = set(s.scalars(select(CustomTopic.id)))
    return {"entries": entries, "translations": translations, "texts": texts, "topics": topics}


def restore_content(saved: dict[str, Any]) -> None:
    with session_scope() as s:
        for tr in s.scalars(select(FaqTranslation)).all():
            if tr.id not in saved["translations"]:
                s.delete(tr)
        s.flush()
        for entry in s.scalars(select(FaqEntry)).all():
            if entry.id not in saved["entries"]:
                s.delete(entry)
            else:
                entry.state = saved["entries"][entry.id]
        s.flush()
        present = {t.id for t in s.scalars(select(FaqTranslation))}
        for tid, values in saved["translations"].items():
            if tid in present:
                tr = s.get(FaqTranslation, tid)
                assert tr is not None
                for f in TRANSLATION_FIELDS:
                    setattr(tr, f, values[f])
            else:  # deleted by the test: back with its old id
                s.add(FaqTranslation(id=tid, **values))
        for row in s.scalars(select(BotText)):
            if row.id in saved["texts"]:
                row.text, row.status, row.edited_by, row.reviewed_by, row.reviewed_at = saved["texts"][row.id]
        s.execute(delete(CustomTopic).where(CustomTopic.id.not_in(saved["topics"] or {""})))
        s.execute(delete(ContentChange))
        s.execute(delete(ResidentNeed))
        bump_revision(s, FAQ)
        bump_revision(s, TEXTS)
