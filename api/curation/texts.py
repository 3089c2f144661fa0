"""The assistant's own texts (greetings, handoff and fallback texts, SMS confirmations),
curated per language like the FAQ and served at run time: Rasa's responses come through the
NLG endpoint, everything else through the text catalog, so an edit needs no retraining."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.curation import history, staff_text
from api.curation.errors import Conflict, CurationError, NotFound
from api.curation.models import ContentChange
from api.curation.permissions import Review, after_save
from api.faq.models import BotText
from api.faq.revision import TEXTS, bump_revision
from api.handoff.clock import iso, now
from api.handoff.models import StaffUser
from api.language.registry import languages
from api.texts import placeholders

TEXT_MAX = 1000
REFERENCE_LANGUAGE = "en"  # the texts shown as the reference (the placeholders: api/texts/placeholders.py)

# What each text is for, grouped as a coordinator thinks of them. A key missing here is shown
# under "Övrigt" (other), so a new text in data/texts/en.yml is never hidden.
GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Hälsning och småprat",
        [
            ("greet", "Svaret på en hälsning: vem assistenten är och vad den kan"),
            ("thanks", "Svaret när invånaren tackar"),
            ("goodbye", "Svaret när invånaren säger hej då"),
        ],
    ),
    (
        "När assistenten inte kan svara",
        [
            ("out_of_scope", "Frågan handlar inte om biblioteket"),
            ("clarify", "Osäker: följs av knappar med troliga ämnen"),
            ("clarify_none", "Förstod inte alls: be om en ny formulering eller en person"),
            ("not_covered", "En biblioteksfråga som inget ämne svarar på: ärligt svar och knapp till personal"),
            ("offer_person", "Knappen för att prata med personal"),
            ("handoff_offer", "Efter två osäkra svar i rad"),
            ("handoff_more", "Efter svar där personal kan hjälpa vidare"),
            ("answer_footer_varies", "Regler skiljer sig mellan biblioteken"),
            ("bot_unavailable", "Assistenten har tekniska problem"),
            ("error_generic", "Något gick fel hos oss"),
        ],
    ),
    (
        "Överlämning till personal",
        [
            ("handoff_online", "Personal är inloggad: ungefärlig väntetid i {minutes} minuter"),
            ("handoff_saved_today", "Ingen i chattdisken nu, svar i dag före {time}"),
            ("handoff_saved_later", "Chattdisken stängd, svar {day} från {time}"),
            ("desk_days", "Veckodagarna som de passar in i {day} ovan, måndag först, åtskilda med |"),
            ("handoff_message_saved", "Invånarens meddelande sparas med frågan"),
            ("handoff_coming", "Om personalchatten inte är igång"),
            ("contact_saved", "Invånaren har lämnat e-post eller telefon"),
            ("redaction_notice", "Något personligt togs bort ur invånarens meddelande (en gång per samtal)"),
        ],
    ),
    (
        "Händelser i samtalet",
        [
            ("event_handoff", "Samtalet gick till personal"),
            ("event_claimed", "En bibliotekarie tog samtalet"),
            ("event_transferred", "Samtalet fördes över"),
            ("event_resolved", "Bibliotekarien avslutade samtalet"),
            ("event_reopened", "Samtalet öppnades igen"),
            ("event_handed_back", "Tillbaka hos assistenten"),
        ],
    ),
    (
        "Språk",
        [
            ("language_switched", "Invånaren bytte språk"),
            ("language_unsupported", "Språket stöds inte: lista med {languages}"),
            ("easy_read_on", "Lättläst svenska på"),
            ("easy_read_off", "Lättläst svenska av"),
        ],
    ),
    (
        "Sms",
        [
            ("sms_stopped", "Bekräftelse på STOPP"),
            ("sms_started", "Bekräftelse på START"),
            ("sms_reply_with", "Svarsalternativ i sms: {numbers}"),
            ("sms_or", "Ordet mellan de två sista siffrorna"),
            ("sms_more", "Före länken till hela svaret"),
        ],
    ),
]


def text_keys(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(BotText.key).where(BotText.language == REFERENCE_LANGUAGE))))


def _row(session: Session, key: str, language: str) -> BotText | None:
    return session.scalar(select(BotText).where(BotText.key == key, BotText.language == language))


def snapshot(row: BotText | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "text": row.text,
        "status": row.status,
        "reviewed_by": row.reviewed_by,
        "reviewed_at": iso(row.reviewed_at),
    }


def check_text(session: Session, key: str, language: str, text: str) -> list[str]:
    """Why `text` cannot be the `key` text in `language` (empty when it can)."""
    where = f"text {key} ({language})"
    if language not in languages():
        return [f"{where}: unknown language {language!r}"]
    reference = _row(session, key, REFERENCE_LANGUAGE)
    if reference is None or not placeholders.known(key):
        return [f"unknown text key {key!r}"]
    text = text.strip()
    if not text:
        return [f"{where}: the text is empty"]
    if len(text) > TEXT_MAX:
        return [f"{where}: {len(text)} characters, at most {TEXT_MAX}"]
    wrong = placeholders.problems(key, text)
    if wrong:
        return [f"{where}: {problem}" for problem in wrong]
    if "|" in reference.text and text.count("|") != reference.text.count("|"):
        return [f"{where}: needs {reference.text.count('|') + 1} parts separated by |, like the English text"]
    return []


def listing(session: Session) -> dict[str, Any]:
    rows = list(session.scalars(select(BotText)))
    by_key: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_key.setdefault(row.key, {})[row.language] = {
            **(snapshot(row) or {}),
            "edited_by": row.edited_by,
            "updated_at": iso(row.updated_at),
            "version": row.version,
        }
    reference = {k: v[REFERENCE_LANGUAGE]["text"] for k, v in by_key.items() if REFERENCE_LANGUAGE in v}
    described = {key for _, items in GROUPS for key, _ in items}
    groups = [
        {"name": name, "texts": [{"key": k, "description": d} for k, d in items if k in reference]}
        for name, items in GROUPS
    ]
    other = sorted(set(reference) - described)
    if other:
        groups.append({"name": "Övrigt", "texts": [{"key": k, "description": ""} for k in other]})
    return {
        "groups": groups,
        "texts": {
            key: {
                "placeholders": sorted(placeholders.required(key)) if placeholders.known(key) else [],
                "languages": by_key[key],
            }
            for key in sorted(reference)
        },
    }


def save_text(
    session: Session,
    staff: StaffUser | None,
    key: str,
    language: str,
    text: str,
    status: str | None = None,
    expected_version: int | None = None,
    *,
    action: str | None = None,
) -> BotText:
    text = staff_text.clean(text)  # no personal numbers reach the bot texts (decision 0009)
    errors = check_text(session, key, language, text)
    if errors:
        raise CurationError("; ".join(errors))
    if status not in (None, "draft", "reviewed"):
        raise CurationError(f"Unknown review status {status!r} (draft or reviewed)")
    row = _row(session, key, language)
    if expected_version is not None and (row.version if row else 0) != expected_version:
        raise Conflict("Someone saved a newer version of this text in the meantime. Reload to see it.")
    before = snapshot(row)
    if row is None:
        row = BotText(key=key, language=language, text="", status="draft", version=0)
        session.add(row)
    changed = row.text != text.strip()
    if staff is None and status == "reviewed":
        raise CurationError("A review needs a person")
    if staff is not None:  # the editor's and the import's rule: a review is a speaker's, by name
        review = after_save(staff, language, status, changed=changed, current=Review.of(row))
        row.status, row.reviewed_by, row.reviewed_at = review.status, review.reviewed_by, review.reviewed_at
    elif status == "draft" or (status is None and changed):
        row.status, row.reviewed_by, row.reviewed_at = "draft", None, None
    row.text = text.strip()
    after = snapshot(row)
    if before == after:
        return row
    row.edited_by = staff.name if staff else "system"
    row.updated_at = now()
    row.version = (row.version or 0) + 1
    history.record(
        session,
        staff,
        action or ("created" if before is None else "edited" if changed else "reviewed"),
        "text",
        before=before,
        after=after,
        language=language,
        text_key=key,
    )
    session.flush()
    bump_revision(session, TEXTS)
    return row


def revert_text(session: Session, staff: StaffUser, change: ContentChange) -> None:
    if change.before is None or change.text_key is None or change.language is None:
        raise CurationError("This change created the text; there is no earlier version to go back to")
    row = _row(session, change.text_key, change.language)
    if row is None:
        raise NotFound("The text no longer exists")
    before = snapshot(row)
    errors = check_text(session, change.text_key, change.language, str(change.before["text"]))
    if errors:
        raise CurationError("; ".join(errors))
    row.text = str(change.before["text"])
    row.status = str(change.before.get("status") or "draft")
    row.reviewed_by = change.before.get("reviewed_by")
    at = change.before.get("reviewed_at")
    row.reviewed_at = datetime.fromisoformat(at) if at else None
    after = snapshot(row)
    if before == after:
        return
    row.edited_by, row.updated_at, row.version = staff.name, now(), (row.version or 0) + 1
    history.record(
        session,
        staff,
        "reverted",
        "text",
        before=before,
        after=after,
        language=change.language,
        text_key=change.text_key,
        revert_of=change.id,
    )
    session.flush()
    bump_revision(session, TEXTS)
