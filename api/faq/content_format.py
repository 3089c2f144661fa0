"""The rules every FAQ text follows, wherever it comes from: the seed files in data/, the
coordinators' editor, or an imported file. One place, so all three reject the same things
with the same words."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from api.faq.models import ENTRY_STATES, REVIEW_STATUSES
from api.language.registry import languages

TITLE_MAX = 40  # a title is a button label in a clarify reply
SMS_MAX_CHARS = 300  # the SMS channel still cuts at a sentence, with a link, where segments run out
ANSWER_MAX = 4000
QUESTION_MAX = 300
QUESTIONS_MAX = 200
EASY = "easy"
EASY_KEY = "sv-easy"  # easy-to-read Swedish, as in data/faq/sv-easy.yml


def content_keys() -> list[str]:
    """Every language an entry can be written in: the supported languages plus easy-to-read Swedish."""
    keys = list(languages())
    keys.insert(keys.index("sv") + 1, EASY_KEY)
    return keys


def content_key(language: str, variant: str) -> str:
    return EASY_KEY if (language, variant) == ("sv", EASY) else language


def split_content_key(key: str) -> tuple[str, str]:
    """'sv-easy' -> ('sv', 'easy'); 'so' -> ('so', ''). Raises ValueError for an unknown code."""
    if key == EASY_KEY:
        return "sv", EASY
    if key not in languages():
        raise ValueError(f"unknown language {key!r} (one of {', '.join(content_keys())})")
    return key, ""


def review_language(key: str) -> str:
    """The language a reviewer must speak: easy-to-read Swedish is Swedish."""
    return split_content_key(key)[0]


@dataclass(frozen=True)
class Fields:
    """What a translation holds, and what the history snapshots."""

    title: str
    answer: str
    sms: str
    questions: list[str]
    status: str

    def snapshot(self) -> dict[str, Any]:
        return asdict(self)


def clean_questions(raw: Any) -> list[str]:
    if isinstance(raw, str):
        raw = raw.splitlines()
    seen: dict[str, None] = {}
    for q in raw or []:
        text = " ".join(str(q).split())
        if text and text.casefold() not in {s.casefold() for s in seen}:
            seen[text] = None
    return list(seen)


def check_fields(raw: dict[str, Any], where: str, *, require_answer: bool) -> tuple[Fields | None, list[str]]:
    """Validate one translation; `where` starts every error ("sv.yml: topic card.get")."""
    errors: list[str] = []
    title = " ".join(str(raw.get("title") or "").split())
    answer = str(raw.get("answer") or "").strip()
    sms = str(raw.get("sms") or "").strip()
    status = str(raw.get("status") or "draft")
    questions = clean_questions(raw.get("questions"))
    if not title:
        errors.append(f"{where}: the title is missing")
    elif len(title) > TITLE_MAX:
        errors.append(f"{where}: the title is {len(title)} characters, at most {TITLE_MAX} (it is a button label)")
    if require_answer and not answer:
        errors.append(f"{where}: the answer is missing")
    if len(answer) > ANSWER_MAX:
        errors.append(f"{where}: the answer is {len(answer)} characters, at most {ANSWER_MAX}")
    if len(sms) > SMS_MAX_CHARS:
        errors.append(f"{where}: the SMS form is {len(sms)} characters, at most {SMS_MAX_CHARS}")
    if status not in REVIEW_STATUSES:
        errors.append(f"{where}: unknown review status {status!r} (draft or reviewed)")
    long = [q for q in questions if len(q) > QUESTION_MAX]
    if long:
        errors.append(f"{where}: a question variant is over {QUESTION_MAX} characters: {long[0][:60]!r}...")
    if len(questions) > QUESTIONS_MAX:
        errors.append(f"{where}: {len(questions)} question variants, at most {QUESTIONS_MAX}")
    if errors:
        return None, errors
    return Fields(title=title, answer=answer, sms=sms, questions=questions, status=status), []


def check_state(value: Any, where: str) -> tuple[str, list[str]]:
    state = str(value or "live")
    if state not in ENTRY_STATES:
        return state, [f"{where}: unknown entry state {state!r} ({', '.join(ENTRY_STATES)})"]
    return state, []


# Regional entries that answer residents need these languages written: every other language
# falls back to English, then Swedish, so they must exist (and the seed guarantees them).
REQUIRED_LANGUAGES = ("sv", "en")
