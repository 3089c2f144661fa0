"""Import and export of all content: YAML (the seed format of data/) and CSV.

YAML holds everything in one file: the coordinators' own topics, every FAQ translation
(regional and local versions, as `data/faq/<lang>.yml` documents with `library`, `state` and
the reviewer added) and every bot text. CSV comes as two files, `faq` and `texts`, one row per
translation (question variants one per line in their cell), for translators and spreadsheets.

An import is checked as a whole before anything is written: one error and nothing changes.
Rows the file does not mention are left as they are; rows equal to what is stored change
nothing (and leave no history), so exporting and importing the same file is a no-op.

An import follows the editor's review rules: a row the file marks `reviewed` is reviewed only
when the importer speaks its language, and then by the importer, now; otherwise a changed text
becomes a draft (the report lists it under `review_refused`). The reviewer names and dates in a
file are what the export shows, never taken over. The history names the importer."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.curation import history, staff_text
from api.curation.entries import VISIBLE, find_entry, find_translation, snapshot
from api.curation.errors import CurationError
from api.curation.permissions import NotAllowed, Review, after_save, check_library, imported_request
from api.curation.texts import check_text, save_text
from api.curation.texts import snapshot as text_snapshot
from api.faq.content_format import (
    REQUIRED_LANGUAGES,
    Fields,
    check_fields,
    check_state,
    content_key,
    content_keys,
    split_content_key,
)
from api.faq.models import BotText, CustomTopic, FaqEntry, FaqTranslation
from api.faq.revision import FAQ, bump_revision
from api.faq.topics import TOPIC_ID_PATTERN, all_topics, areas, topics
from api.handoff.clock import iso, now
from api.handoff.models import StaffUser
from api.libraries.models import Library

FORMAT = "bibliotekshjalpen-content"
FORMAT_VERSION = 1
MAX_ERRORS = 100
FAQ_COLUMNS = [
    "topic",
    "library",
    "language",
    "state",
    "status",
    "reviewed_by",
    "reviewed_at",
    "title",
    "answer",
    "sms",
    "questions",
    "topic_area",
    "topic_question",
]
TEXT_COLUMNS = ["key", "language", "status", "reviewed_by", "reviewed_at", "text"]
Part = Literal["faq", "texts"]


class ImportInvalid(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problems; nothing was imported")
        self.errors = errors[:MAX_ERRORS]


# ---- export ----------------------------------------------------------------------------------


def _entries(session: Session) -> list[FaqEntry]:
    return list(session.scalars(select(FaqEntry).order_by(FaqEntry.topic, FaqEntry.library_id.nulls_first())))


def _translation_item(entry: FaqEntry, tr: FaqTranslation) -> dict[str, Any]:
    item: dict[str, Any] = {"topic": entry.topic}
    if entry.library_id:
        item["library"] = entry.library_id
    if entry.state != "live":
        item["state"] = entry.state
    item["status"] = tr.status
    if tr.reviewed_by:
        item["reviewed_by"] = tr.reviewed_by
    if tr.reviewed_at:
        item["reviewed_at"] = iso(tr.reviewed_at)
    item["title"] = tr.title
    item["answer"] = tr.answer
    if tr.sms:
        item["sms"] = tr.sms
    item["questions"] = list(tr.questions)
    return item


def export_document(session: Session) -> dict[str, Any]:
    entries = _entries(session)
    faq = []
    for key in content_keys():
        language, variant = split_content_key(key)
        items = [
            _translation_item(e, tr)
            for e in entries
            for tr in e.translations
            if (tr.language, tr.variant) == (language, variant)
        ]
        if items:
            faq.append({"language": language, **({"variant": variant} if variant else {}), "entries": items})
    texts = []
    rows = list(session.scalars(select(BotText).order_by(BotText.language, BotText.key)))
    for language in dict.fromkeys(r.language for r in rows):
        texts.append(
            {
                "language": language,
                "texts": {
                    r.key: {k: v for k, v in (text_snapshot(r) or {}).items() if v is not None}
                    for r in rows
                    if r.language == language
                },
            }
        )
    custom = [
        {"id": t.id, "area": t.area, "question": t.question}
        for t in session.scalars(select(CustomTopic).order_by(CustomTopic.id))
    ]
    return {"format": FORMAT, "version": FORMAT_VERSION, "topics": custom, "faq": faq, "texts": texts}


class _Literal(str):
    """A multi-line string written as a YAML block (|), readable in review."""


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, _literal)


def _blocks(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blocks(v) for v in value]
    if isinstance(value, str) and "\n" in value and value == value.strip() and "\r" not in value:
        return _Literal(value)
    return value


def export_yaml(session: Session, who: str) -> str:
    header = (
        f"# Bibliotekshjälpen content, exported {now().strftime('%Y-%m-%d %H:%M')} UTC by {who}.\n"
        "# faq: data/faq/<language>.yml documents; `library` marks a local version, `state` a draft\n"
        "# or retired entry. Import it again at /content (Import och export) or with the API.\n"
    )
    body = yaml.dump(_blocks(export_document(session)), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return header + body


def export_csv(session: Session, part: Part) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # a byte-order mark, so that spreadsheet programs read UTF-8
    if part == "faq":
        custom = {t.id: t for t in session.scalars(select(CustomTopic))}
        writer = csv.DictWriter(out, FAQ_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for entry in _entries(session):
            order = sorted(entry.translations, key=lambda t: content_keys().index(content_key(t.language, t.variant)))
            for tr in order:
                meta = custom.get(entry.topic)
                writer.writerow(
                    {
                        "topic": entry.topic,
                        "library": entry.library_id or "",
                        "language": content_key(tr.language, tr.variant),
                        "state": entry.state,
                        "status": tr.status,
                        "reviewed_by": tr.reviewed_by or "",
                        "reviewed_at": iso(tr.reviewed_at) or "",
                        "title": tr.title,
                        "answer": tr.answer,
                        "sms": tr.sms,
                        "questions": "\n".join(tr.questions),
                        "topic_area": meta.area if meta else "",
                        "topic_question": meta.question if meta else "",
                    }
                )
    else:
        writer = csv.DictWriter(out, TEXT_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for row in session.scalars(select(BotText).order_by(BotText.key, BotText.language)):
            writer.writerow(
                {
                    "key": row.key,
                    "language": row.language,
                    "status": row.status,
                    "reviewed_by": row.reviewed_by or "",
                    "reviewed_at": iso(row.reviewed_at) or "",
                    "text": row.text,
                }
            )
    return out.getvalue()


# ---- parsing ---------------------------------------------------------------------------------


@dataclass
class _Translation:
    where: str
    topic: str
    library: str | None
    key: str
    state: str
    raw: dict[str, Any]
    reviewed_by: str | None
    reviewed_at: str | None
    fields: Fields | None = None


@dataclass
class _Text:
    where: str
    key: str
    language: str
    text: str
    status: str
    reviewed_by: str | None
    reviewed_at: str | None


@dataclass
class _Topic:
    where: str
    id: str
    area: str
    question: str


@dataclass
class Parsed:
    topics: list[_Topic] = field(default_factory=list)
    translations: list[_Translation] = field(default_factory=list)
    texts: list[_Text] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _opt(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def parse_yaml(data: str) -> Parsed:
    parsed = Parsed()
    try:
        doc = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        parsed.errors.append(f"The file is not valid YAML{where}: {getattr(exc, 'problem', exc)}")
        return parsed
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        parsed.errors.append(f"This is not a Bibliotekshjälpen content export (it needs `format: {FORMAT}`)")
        return parsed
    if doc.get("version") != FORMAT_VERSION:
        parsed.errors.append(f"Unknown format version {doc.get('version')!r} (this service reads {FORMAT_VERSION})")
        return parsed
    for i, t in enumerate(doc.get("topics") or [], 1):
        where = f"topics #{i}"
        if not isinstance(t, dict):
            parsed.errors.append(f"{where}: expected id, area and question")
            continue
        parsed.topics.append(
            _Topic(where, str(t.get("id") or ""), str(t.get("area") or ""), str(t.get("question") or ""))
        )
    for d, block in enumerate(doc.get("faq") or [], 1):
        if not isinstance(block, dict):
            parsed.errors.append(f"faq #{d}: expected language and entries")
            continue
        language, variant = block.get("language"), block.get("variant") or ""
        try:
            key = content_key(str(language), str(variant)) if language else ""
            if not key:
                raise ValueError("the language is missing")
            split_content_key(key)
        except ValueError as exc:
            parsed.errors.append(f"faq #{d} ({language!r}): {exc}")
            continue
        for i, item in enumerate(block.get("entries") or [], 1):
            if not isinstance(item, dict):
                parsed.errors.append(f"faq {key} entry #{i}: expected a mapping")
                continue
            where = f"faq {key} entry #{i} ({item.get('topic')})"
            parsed.translations.append(
                _Translation(
                    where=where,
                    topic=str(item.get("topic") or ""),
                    library=_opt(item.get("library")),
                    key=key,
                    state=str(item.get("state") or "live"),
                    raw=item,
                    reviewed_by=_opt(item.get("reviewed_by")),
                    reviewed_at=_opt(item.get("reviewed_at")),
                )
            )
    for d, block in enumerate(doc.get("texts") or [], 1):
        if not isinstance(block, dict) or not isinstance(block.get("texts"), dict):
            parsed.errors.append(f"texts #{d}: expected language and texts")
            continue
        language = str(block.get("language") or "")
        for key, value in block["texts"].items():
            value = value if isinstance(value, dict) else {"text": value, "status": block.get("status")}
            parsed.texts.append(
                _Text(
                    where=f"texts {language} {key}",
                    key=str(key),
                    language=language,
                    text=str(value.get("text") or ""),
                    status=str(value.get("status") or "draft"),
                    reviewed_by=_opt(value.get("reviewed_by")),
                    reviewed_at=_opt(value.get("reviewed_at")),
                )
            )
    return parsed


def _csv_rows(data: str) -> tuple[list[str], list[dict[str, str]], str | None]:
    text = data.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","  # Excel in a Swedish locale uses ;
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        return [], [], f"The CSV file cannot be read: {exc}"
    return [c.strip() for c in reader.fieldnames or []], rows, None


def parse_csv(data: str) -> Parsed:
    parsed = Parsed()
    columns, rows, problem = _csv_rows(data)
    if problem:
        parsed.errors.append(problem)
        return parsed
    if set(columns) >= {"topic", "language", "title", "answer"}:
        seen_topics: set[str] = set()
        for n, row in enumerate(rows, 2):  # line 1 is the header
            row = {k.strip(): (v or "") for k, v in row.items() if k}
            where = f"line {n} ({row.get('topic') or '?'}, {row.get('language') or '?'})"
            if row.get("topic_area") and row.get("topic") not in seen_topics:
                seen_topics.add(row["topic"])
                parsed.topics.append(_Topic(where, row["topic"], row["topic_area"], row.get("topic_question", "")))
            parsed.translations.append(
                _Translation(
                    where=where,
                    topic=row.get("topic", "").strip(),
                    library=_opt(row.get("library")),
                    key=row.get("language", "").strip(),
                    state=row.get("state", "").strip() or "live",
                    raw={
                        "title": row.get("title", ""),
                        "answer": row.get("answer", ""),
                        "sms": row.get("sms", ""),
                        "questions": row.get("questions", "").splitlines(),
                        "status": row.get("status", "").strip() or "draft",
                    },
                    reviewed_by=_opt(row.get("reviewed_by")),
                    reviewed_at=_opt(row.get("reviewed_at")),
                )
            )
    elif set(columns) >= {"key", "language", "text"}:
        for n, row in enumerate(rows, 2):
            row = {k.strip(): (v or "") for k, v in row.items() if k}
            parsed.texts.append(
                _Text(
                    where=f"line {n} ({row.get('key') or '?'}, {row.get('language') or '?'})",
                    key=row.get("key", "").strip(),
                    language=row.get("language", "").strip(),
                    text=row.get("text", ""),
                    status=row.get("status", "").strip() or "draft",
                    reviewed_by=_opt(row.get("reviewed_by")),
                    reviewed_at=_opt(row.get("reviewed_at")),
                )
            )
    else:
        parsed.errors.append(
            "Unknown CSV columns: an FAQ file needs topic, library, language, title, answer, ...; "
            "a texts file key, language, text (export one to see the columns)"
        )
    return parsed


def _redact(parsed: Parsed) -> None:
    """Imported text is written by staff: redacted as the editor's (api/curation/staff_text.py)."""
    for t in parsed.topics:
        t.question = staff_text.clean(t.question)
    for tr in parsed.translations:
        tr.raw = staff_text.clean_translation(tr.raw)
    for text in parsed.texts:
        text.text = staff_text.clean(text.text)


# ---- validation ------------------------------------------------------------------------------


def _check_time(value: str | None, where: str, errors: list[str]) -> None:
    if value is None:
        return
    try:
        datetime.fromisoformat(value)
    except ValueError:
        errors.append(f"{where}: reviewed_at {value!r} is not a date and time (2026-11-30T14:05:00+00:00)")


def validate(session: Session, staff: StaffUser, parsed: Parsed) -> list[str]:
    errors = list(parsed.errors)
    known = set(all_topics(session))
    shared = set(topics())
    new_topics: set[str] = set()
    for t in parsed.topics:
        if t.id in shared:
            errors.append(f"{t.where}: {t.id} is a shared topic (../shared/faq-topics.yml), not one to define here")
        elif not re.match(TOPIC_ID_PATTERN, t.id):
            errors.append(f"{t.where}: topic id {t.id!r} must look like area.name")
        elif t.area not in areas():
            errors.append(f"{t.where}: unknown area {t.area!r} ({', '.join(areas())})")
        elif not t.question.strip():
            errors.append(f"{t.where}: the topic's question is missing")
        else:
            new_topics.add(t.id)
    known |= new_topics
    libraries = set(session.scalars(select(Library.id)))
    seen: dict[tuple[str, str | None, str], str] = {}
    states: dict[tuple[str, str | None], tuple[str, str]] = {}
    for tr in parsed.translations:
        if not tr.topic:
            errors.append(f"{tr.where}: the topic id is missing")
            continue
        if tr.topic not in known:
            errors.append(f"{tr.where}: unknown topic id {tr.topic!r}")
            continue
        if not tr.key:
            errors.append(f"{tr.where}: missing language")
            continue
        try:
            split_content_key(tr.key)
        except ValueError as exc:
            errors.append(f"{tr.where}: {exc}")
            continue
        if tr.library is not None and tr.library not in libraries:
            errors.append(f"{tr.where}: unknown library id {tr.library!r}")
            continue
        try:
            check_library(staff, tr.library)
        except NotAllowed as exc:
            errors.append(f"{tr.where}: {exc}")
            continue
        state, problems = check_state(tr.state, tr.where)
        errors += problems
        ident = (tr.topic, tr.library, tr.key)
        if ident in seen:
            errors.append(f"{tr.where}: the same text appears twice (also {seen[ident]})")
            continue
        seen[ident] = tr.where
        entry_key = (tr.topic, tr.library)
        if entry_key in states and states[entry_key][0] != state:
            errors.append(f"{tr.where}: state {state} differs from {states[entry_key][1]} ({states[entry_key][0]})")
        states.setdefault(entry_key, (state, tr.where))
        # Only a live entry answers residents: a draft or retired one may lack answers (and its export
        # must import again unchanged).
        tr.fields, problems = check_fields(tr.raw, tr.where, require_answer=state == "live")
        errors += problems
        _check_time(tr.reviewed_at, tr.where, errors)
    # A live regional entry must keep Swedish and English (every other language falls back to them).
    for (topic, library), (state, where) in states.items():
        if library is not None or state != "live":
            continue
        entry = find_entry(session, topic, None)
        have = {k for (t, lib, k) in seen if t == topic and lib is None}
        have |= {content_key(t.language, t.variant) for t in (entry.translations if entry else [])}
        for lang in REQUIRED_LANGUAGES:
            if lang not in have:
                errors.append(f"{where}: missing language {lang}: a live regional entry needs its {lang} text")
    text_seen: set[tuple[str, str]] = set()
    for t in parsed.texts:
        if (t.key, t.language) in text_seen:
            errors.append(f"{t.where}: the same text appears twice")
            continue
        text_seen.add((t.key, t.language))
        if not t.language:
            errors.append(f"{t.where}: missing language")
            continue
        errors += check_text(session, t.key, t.language, t.text)
        if t.status not in ("draft", "reviewed"):
            errors.append(f"{t.where}: unknown review status {t.status!r} (draft or reviewed)")
        _check_time(t.reviewed_at, t.where, errors)
    return errors


# ---- applying --------------------------------------------------------------------------------


@dataclass
class Report:
    """What an import changes. Every change says the review status it leaves (`reviewed` by the
    importer, `reviewer`); `review_refused` lists the rows the file marks reviewed that stay or
    become drafts because the importer does not speak their language."""

    dry_run: bool
    reviewer: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    review_refused: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "changed": len(self.changes),
            "unchanged": self.unchanged,
            "changes": self.changes,
            "reviewer": self.reviewer,
            "review_refused": self.review_refused,
        }


def _apply_translation(session: Session, staff: StaffUser, tr: _Translation, report: Report) -> bool:
    assert tr.fields is not None
    language, variant = split_content_key(tr.key)
    entry = find_entry(session, tr.topic, tr.library)
    created_entry = entry is None
    if entry is None:
        entry = FaqEntry(topic=tr.topic, library_id=tr.library, state=tr.state)
        session.add(entry)
        session.flush()
        history.record(
            session, staff, "imported", "entry", before=None, after={"state": tr.state}, topic=tr.topic,
            library=tr.library,
        )  # fmt: skip
    elif entry.state != tr.state:
        before_state = {"state": entry.state}
        entry.state = tr.state
        history.record(
            session, staff, "imported", "entry", before=before_state, after={"state": tr.state}, topic=tr.topic,
            library=tr.library,
        )  # fmt: skip
        report.changes.append({"what": "state", "topic": tr.topic, "library": tr.library, "state": tr.state})
    row = find_translation(entry, tr.key)
    before = snapshot(row)
    # The editor's rules, not the file's reviewer: see permissions.imported_request.
    changed_text = row is None or any(getattr(row, f) != getattr(tr.fields, f) for f in VISIBLE)
    changed_questions = row is None or list(row.questions) != list(tr.fields.questions)
    requested, refused = imported_request(staff, tr.key, tr.fields.status)
    review = after_save(staff, tr.key, requested, changed=changed_text, current=Review.of(row))
    if refused and review.status != "reviewed":
        report.review_refused.append(
            {"what": "faq", "topic": tr.topic, "library": tr.library, "language": tr.key, "reason": "language"}
        )
    if not changed_text and not changed_questions and review == Review.of(row):
        return created_entry
    if row is None:
        row = FaqTranslation(language=language, variant=variant, title="", answer="", sms="", questions=[], version=0)
        entry.translations.append(row)
    row.title, row.answer, row.sms = tr.fields.title, tr.fields.answer, tr.fields.sms
    row.questions = list(tr.fields.questions)
    row.status, row.reviewed_by, row.reviewed_at = review.status, review.reviewed_by, review.reviewed_at
    row.edited_by, row.updated_at, row.version = staff.name, now(), (row.version or 0) + 1
    entry.updated_at = now()
    history.record(
        session, staff, "imported", "faq", before=before, after=snapshot(row), topic=tr.topic, library=tr.library,
        language=language, variant=variant,
    )  # fmt: skip
    report.changes.append(
        {
            "what": "faq",
            "topic": tr.topic,
            "library": tr.library,
            "language": tr.key,
            "action": "created" if before is None else "updated",
            "status": review.status,
        }
    )
    return True


def import_content(session: Session, staff: StaffUser, data: str, fmt: str, dry_run: bool = False) -> Report:
    """Validate the whole file, then apply it in the caller's transaction (which commits or,
    on a dry run or any error, rolls back)."""
    if fmt not in ("yaml", "csv"):
        raise CurationError(f"Unknown format {fmt!r}: yaml or csv")
    if not data.strip():
        raise ImportInvalid(["The file is empty"])
    parsed = parse_yaml(data) if fmt == "yaml" else parse_csv(data)
    _redact(parsed)
    errors = validate(session, staff, parsed)
    if errors:
        raise ImportInvalid(errors)
    report = Report(dry_run=dry_run, reviewer=staff.name)
    for t in parsed.topics:
        row = session.get(CustomTopic, t.id)
        if row is None:
            session.add(CustomTopic(id=t.id, area=t.area, question=t.question.strip(), created_by=staff.name))
            report.changes.append({"what": "topic", "topic": t.id, "action": "created"})
        elif (row.area, row.question) != (t.area, t.question.strip()):
            row.area, row.question = t.area, t.question.strip()
            report.changes.append({"what": "topic", "topic": t.id, "action": "updated"})
    session.flush()
    faq_changed = False
    for tr in parsed.translations:
        changed = _apply_translation(session, staff, tr, report)
        faq_changed |= changed
        if not changed:
            report.unchanged += 1
    for t in parsed.texts:
        row = session.scalar(select(BotText).where(BotText.key == t.key, BotText.language == t.language))
        before = text_snapshot(row)
        requested, refused = imported_request(staff, t.language, t.status)
        saved = save_text(session, staff, t.key, t.language, t.text, requested, action="imported")
        if refused and saved.status != "reviewed":
            report.review_refused.append({"what": "text", "key": t.key, "language": t.language, "reason": "language"})
        if text_snapshot(saved) == before:
            report.unchanged += 1
            continue
        report.changes.append(
            {
                "what": "text",
                "key": t.key,
                "language": t.language,
                "action": "created" if row is None else "updated",
                "status": saved.status,
            }
        )
    if faq_changed:
        session.flush()
        bump_revision(session, FAQ)
    return report
