"""The FAQ editor's operations: write a translation, review it, publish or retire an entry,
create a library's local version or a new topic, revert a change.

Every write records its history (api/curation/history.py) and bumps the FAQ revision, so the
next resident message in every API process sees it (answers are read live; the retrieval
index follows the revision)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.curation import history, staff_text
from api.curation.errors import Conflict, CurationError, NotFound
from api.curation.models import ContentChange
from api.curation.permissions import Review, after_save, check_library
from api.curation.texts import revert_text
from api.faq.content_format import (
    REQUIRED_LANGUAGES,
    TITLE_MAX,
    Fields,
    check_fields,
    clean_questions,
    content_key,
    content_keys,
    split_content_key,
)
from api.faq.models import ENTRY_STATES, CustomTopic, FaqEntry, FaqTranslation
from api.faq.revision import FAQ, bump_revision
from api.faq.topics import TOPIC_ID_PATTERN, all_topics, areas, topics
from api.handoff.clock import iso, now
from api.handoff.models import StaffUser
from api.libraries.models import Library

VISIBLE = ("title", "answer", "sms")  # what residents read


# ---- reading ---------------------------------------------------------------------------------


def find_entry(session: Session, topic: str, library: str | None) -> FaqEntry | None:
    query = select(FaqEntry).where(FaqEntry.topic == topic)
    query = query.where(FaqEntry.library_id.is_(None) if library is None else FaqEntry.library_id == library)
    return session.scalar(query)


def find_translation(entry: FaqEntry | None, key: str) -> FaqTranslation | None:
    if entry is None:
        return None
    language, variant = split_content_key(key)
    return next((t for t in entry.translations if (t.language, t.variant) == (language, variant)), None)


def snapshot(tr: FaqTranslation | None) -> dict[str, Any] | None:
    """What the history keeps of a translation (and what a revert writes back)."""
    if tr is None:
        return None
    return {
        "title": tr.title,
        "answer": tr.answer,
        "sms": tr.sms,
        "questions": list(tr.questions),
        "status": tr.status,
        "reviewed_by": tr.reviewed_by,
        "reviewed_at": iso(tr.reviewed_at),
    }


def translation_out(tr: FaqTranslation) -> dict[str, Any]:
    return {
        **(snapshot(tr) or {}),
        "language": content_key(tr.language, tr.variant),
        "edited_by": tr.edited_by,
        "updated_at": iso(tr.updated_at),
        "version": tr.version,
    }


def version_out(entry: FaqEntry) -> dict[str, Any]:
    return {
        "library": entry.library_id,
        "state": entry.state,
        "updated_at": iso(entry.updated_at),
        "translations": {
            content_key(t.language, t.variant): translation_out(t)
            for t in sorted(entry.translations, key=lambda t: content_keys().index(content_key(t.language, t.variant)))
        },
    }


def summaries(session: Session) -> list[dict[str, Any]]:
    """One line per topic for the editor's list: state, titles, review status per language."""
    known = all_topics(session)
    entries = list(session.scalars(select(FaqEntry).order_by(FaqEntry.topic, FaqEntry.id)))
    by_topic: dict[str, list[FaqEntry]] = {}
    for e in entries:
        by_topic.setdefault(e.topic, []).append(e)
    out = []
    for topic_id, meta in known.items():
        versions = by_topic.get(topic_id, [])
        regional = next((e for e in versions if e.library_id is None), None)
        langs: dict[str, str] = {}
        for key in content_keys():
            tr = find_translation(regional, key)
            langs[key] = "missing" if tr is None else tr.status
        sv = find_translation(regional, "sv")
        out.append(
            {
                "topic": topic_id,
                "area": meta.area,
                "question": meta.question,
                "custom": topic_id not in topics(),
                "state": regional.state if regional else "missing",
                "title": sv.title
                if sv
                else (regional.translations[0].title if regional and regional.translations else ""),
                "languages": langs,
                "local_versions": [
                    {"library": e.library_id, "state": e.state, "languages": sorted(version_out(e)["translations"])}
                    for e in versions
                    if e.library_id is not None
                ],
                "updated_at": iso(max((e.updated_at for e in versions), default=None)),
            }
        )
    return out


def detail(session: Session, topic: str) -> dict[str, Any]:
    known = all_topics(session)
    if topic not in known:
        raise NotFound(f"No topic {topic!r}")
    versions = list(session.scalars(select(FaqEntry).where(FaqEntry.topic == topic).order_by(FaqEntry.id)))
    regional = next((e for e in versions if e.library_id is None), None)
    return {
        "topic": topic,
        "area": known[topic].area,
        "question": known[topic].question,
        "custom": topic not in topics(),
        "regional": version_out(regional) if regional else None,
        "locals": [version_out(e) for e in versions if e.library_id is not None],
    }


# ---- writing ---------------------------------------------------------------------------------


def _touch(session: Session, entry: FaqEntry) -> None:
    entry.updated_at = now()
    session.flush()
    bump_revision(session, FAQ)


def _check_library_exists(session: Session, library: str | None) -> None:
    if library is not None and session.get(Library, library) is None:
        raise NotFound(f"No library {library!r}")


def _entry_for_write(session: Session, staff: StaffUser, topic: str, library: str | None) -> FaqEntry:
    """The entry to write; a library's local version is created on its first save (live when
    the regional entry is, so it answers at once)."""
    if topic not in all_topics(session):
        raise NotFound(f"No topic {topic!r}")
    check_library(staff, library)
    _check_library_exists(session, library)
    entry = find_entry(session, topic, library)
    if entry is not None:
        return entry
    if library is None:
        raise NotFound(f"Topic {topic!r} has no regional entry")
    regional = find_entry(session, topic, None)
    entry = FaqEntry(topic=topic, library_id=library, state=regional.state if regional else "draft")
    session.add(entry)
    session.flush()
    history.record(
        session, staff, "created", "entry", before=None, after={"state": entry.state}, topic=topic, library=library
    )
    return entry


def _check_version(tr: FaqTranslation | None, expected: int | None) -> None:
    if expected is None:
        return
    current = tr.version if tr is not None else 0
    if current != expected:
        who = tr.edited_by if tr is not None and tr.edited_by else "someone"
        raise Conflict(
            f"{who} saved a newer version of this text in the meantime (version {current}, yours {expected}). "
            "Reload to see it; your text is still in the form."
        )


def save_translation(
    session: Session,
    staff: StaffUser,
    topic: str,
    library: str | None,
    key: str,
    body: dict[str, Any],
    expected_version: int | None = None,
) -> FaqTranslation:
    """Create or edit one translation. A changed text becomes a draft unless its editor, a
    speaker of the language, marks it reviewed in the same save."""
    try:
        language, variant = split_content_key(key)
    except ValueError as exc:
        raise CurationError(str(exc)) from None
    entry = _entry_for_write(session, staff, topic, library)
    tr = find_translation(entry, key)
    _check_version(tr, expected_version)
    body = staff_text.clean_translation(body)  # no personal numbers reach the content (decision 0009)
    fields, errors = check_fields(
        {**body, "status": body.get("status") or (tr.status if tr else "draft")},
        f"{topic} ({key})",
        require_answer=entry.state == "live",
    )
    if errors or fields is None:
        raise CurationError("; ".join(errors))
    before = snapshot(tr)
    created = tr is None
    if tr is None:
        tr = FaqTranslation(language=language, variant=variant, title="", answer="", sms="", questions=[], version=0)
        entry.translations.append(tr)
    # The review status is about what residents read; question variants only steer matching.
    changed_text = created or any(getattr(tr, f) != getattr(fields, f) for f in VISIBLE)
    changed_questions = list(tr.questions) != fields.questions
    review = after_save(staff, key, body.get("status"), changed=changed_text, current=Review.of(tr))
    tr.status, tr.reviewed_by, tr.reviewed_at = review.status, review.reviewed_by, review.reviewed_at
    _write_fields(tr, fields)
    after = snapshot(tr)
    if before == after:
        return tr
    _mark_saved(tr, staff)
    action = "created" if created else ("edited" if changed_text or changed_questions else "reviewed")
    history.record(
        session, staff, action, "faq", before=before, after=after, topic=topic, library=library,
        language=language, variant=variant,
    )  # fmt: skip
    _touch(session, entry)
    return tr


def _write_fields(tr: FaqTranslation, fields: Fields) -> None:
    tr.title, tr.answer, tr.sms, tr.questions = fields.title, fields.answer, fields.sms, list(fields.questions)


def _mark_saved(tr: FaqTranslation, staff: StaffUser | None) -> None:
    tr.edited_by = staff.name if staff else "system"
    tr.updated_at = now()
    tr.version = (tr.version or 0) + 1


def review(session: Session, staff: StaffUser, topic: str, library: str | None, key: str) -> FaqTranslation:
    """Confirm a translation as it stands (a speaker of its language)."""
    entry = find_entry(session, topic, library)
    tr = find_translation(entry, key)
    if entry is None or tr is None:
        raise NotFound(f"No {key} text for {topic} ({library or 'regional'})")
    check_library(staff, library)
    return save_translation(
        session, staff, topic, library, key, {**(snapshot(tr) or {}), "status": "reviewed"}, tr.version
    )


def delete_translation(
    session: Session, staff: StaffUser, topic: str, library: str | None, key: str, expected_version: int | None = None
) -> None:
    """Remove a language from an entry: residents then get the regional text (local version) or
    the fallback language. A live regional entry keeps Swedish and English."""
    check_library(staff, library)
    entry = find_entry(session, topic, library)
    tr = find_translation(entry, key)
    if entry is None or tr is None:
        raise NotFound(f"No {key} text for {topic} ({library or 'regional'})")
    _check_version(tr, expected_version)
    if library is None and entry.state == "live" and key in REQUIRED_LANGUAGES:
        raise CurationError(f"A live regional entry needs its {key} text: edit it instead, or retire the entry")
    if len(entry.translations) == 1:
        raise CurationError("This is the entry's last text: retire the entry instead")
    before = snapshot(tr)
    entry.translations.remove(tr)
    session.flush()
    history.record(
        session, staff, "deleted", "faq", before=before, after=None, topic=topic, library=library,
        language=tr.language, variant=tr.variant,
    )  # fmt: skip
    _touch(session, entry)


def publish_problems(entry: FaqEntry) -> list[str]:
    """Why an entry cannot answer residents yet (empty when it can)."""
    problems = []
    keys = {content_key(t.language, t.variant): t for t in entry.translations}
    if entry.library_id is None:
        for lang in REQUIRED_LANGUAGES:
            if lang not in keys:
                problems.append(f"the {lang} text is missing (every other language falls back to it)")
    elif not keys:
        problems.append("the local version has no text yet")
    for key, tr in keys.items():
        if not tr.answer.strip() or not tr.title.strip():
            problems.append(f"the {key} text has no {'answer' if tr.title.strip() else 'title'}")
    return problems


def set_state(session: Session, staff: StaffUser, topic: str, library: str | None, state: str) -> FaqEntry:
    if state not in ENTRY_STATES:
        raise CurationError(f"Unknown state {state!r} ({', '.join(ENTRY_STATES)})")
    check_library(staff, library)
    entry = find_entry(session, topic, library)
    if entry is None:
        raise NotFound(f"No entry for {topic} ({library or 'regional'})")
    if state == "live":
        problems = publish_problems(entry)
        if problems:
            raise CurationError("Cannot publish yet: " + "; ".join(problems))
    if entry.state == state:
        return entry
    before = {"state": entry.state}
    entry.state = state
    history.record(
        session, staff, "state", "entry", before=before, after={"state": state}, topic=topic, library=library
    )
    _touch(session, entry)
    return entry


def create_topic(
    session: Session,
    staff: StaffUser,
    topic_id: str,
    area: str,
    question: str,
    title: str,
    questions: dict[str, list[str]] | None = None,
) -> FaqEntry:
    """A new topic (not in the shared list) with a draft regional entry: a Swedish title and,
    per language, question variants (residents' own wordings, from the needs inbox)."""
    topic_id = topic_id.strip()
    if not re.match(TOPIC_ID_PATTERN, topic_id):
        raise CurationError(
            f"Topic id {topic_id!r}: write it as area.name in small letters, e.g. visit.pets or emedia.podcasts"
        )
    if topic_id in all_topics(session):
        raise CurationError(f"Topic {topic_id!r} exists already")
    if area not in areas():
        raise CurationError(f"Unknown area {area!r} ({', '.join(areas())})")
    if not question.strip():
        raise CurationError("Describe the question the topic answers (one sentence)")
    if not title.strip():
        raise CurationError("Give the new topic a Swedish title (a short label, at most 40 characters)")
    session.add(CustomTopic(id=topic_id, area=area, question=question.strip(), created_by=staff.name))
    entry = FaqEntry(topic=topic_id, library_id=None, state="draft")
    session.add(entry)
    session.flush()
    history.record(session, staff, "created", "entry", before=None, after={"state": "draft"}, topic=topic_id)
    wordings = {key: clean_questions(q) for key, q in (questions or {}).items()}
    wordings.setdefault("sv", [])
    for key, cleaned in wordings.items():
        name = title if key == "sv" else (cleaned[0][:TITLE_MAX] if cleaned else "")
        if name.strip():
            save_translation(session, staff, topic_id, None, key, {"title": name, "answer": "", "questions": cleaned})
    _touch(session, entry)
    return entry


def add_questions(
    session: Session, staff: StaffUser, topic: str, library: str | None, wordings: dict[str, list[str]]
) -> dict[str, int]:
    """Add residents' wordings as question variants of an entry's existing translations.
    Returns how many were added per language; a language the entry lacks is skipped."""
    entry = find_entry(session, topic, library) or find_entry(session, topic, None)
    if entry is None:
        raise NotFound(f"No entry for {topic}")
    added: dict[str, int] = {}
    for key, new in wordings.items():
        tr = find_translation(entry, key)
        if tr is None:
            continue
        merged = clean_questions([*tr.questions, *new])
        count = len(merged) - len(tr.questions)
        if count <= 0:
            continue
        # The texts residents read do not change, so the review status stays as it is.
        body = {**(snapshot(tr) or {}), "questions": merged, "status": tr.status}
        save_translation(session, staff, topic, entry.library_id, key, body, tr.version)
        added[key] = count
    return added


def revert(session: Session, staff: StaffUser, change: ContentChange) -> None:
    """Write back what was there before `change` (a new change in the history)."""
    if change.target == "text":
        revert_text(session, staff, change)
        return
    topic, library = change.topic or "", change.library_id
    check_library(staff, library)
    if change.target == "entry":
        entry = find_entry(session, topic, library)
        if entry is None:
            raise NotFound("The entry no longer exists")
        target = (change.before or {}).get("state", "retired")
        if target == "live":
            problems = publish_problems(entry)
            if problems:
                raise CurationError("Cannot make it live again: " + "; ".join(problems))
        if entry.state != target:
            before = {"state": entry.state}
            entry.state = target
            history.record(
                session, staff, "reverted", "entry", before=before, after={"state": target}, topic=topic,
                library=library, revert_of=change.id,
            )  # fmt: skip
            _touch(session, entry)
        return
    key = content_key(change.language or "", change.variant)
    entry = find_entry(session, topic, library)
    tr = find_translation(entry, key)
    if change.before is None:  # the change created the text: reverting removes it
        if tr is not None:
            delete_translation(session, staff, topic, library, key)
            last = history.changes_of_entry(session, topic, library, limit=1)
            if last:
                last[0].action, last[0].revert_of = "reverted", change.id
        return
    entry = _entry_for_write(session, staff, topic, library)
    tr = find_translation(entry, key)
    before = snapshot(tr)
    restored = dict(change.before)
    fields, errors = check_fields(restored, f"{topic} ({key})", require_answer=entry.state == "live")
    if errors or fields is None:
        raise CurationError("; ".join(errors))
    if tr is None:
        tr = FaqTranslation(
            language=change.language, variant=change.variant, title="", answer="", questions=[], version=0
        )
        entry.translations.append(tr)
    _write_fields(tr, fields)
    tr.status = restored.get("status") or "draft"
    tr.reviewed_by = restored.get("reviewed_by")
    reviewed_at = restored.get("reviewed_at")
    tr.reviewed_at = datetime.fromisoformat(reviewed_at) if reviewed_at else None
    after = snapshot(tr)
    if before == after:
        return
    _mark_saved(tr, staff)
    history.record(
        session, staff, "reverted", "faq", before=before, after=after, topic=topic, library=library,
        language=tr.language, variant=tr.variant, revert_of=change.id,
    )  # fmt: skip
    _touch(session, entry)
