"""SMS keywords (STOP/START) and the texts only SMS needs.

The texts live with the assistant's other texts in data/texts/<lang>.yml under `sms_<key>`
(sms_stopped, sms_started, sms_reply_with, sms_or, sms_more), seeded into the database and
read through the text catalog; the keywords are protocol, not content, and stay here.

Keywords are matched on the whole message, case-insensitively: a resident writing
"stop renewing my loan" is asking a question, not opting out.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.texts.service import catalog

# Whole-message keywords. STOP and START work in every language, as carriers expect.
STOP_WORDS: dict[str, str | None] = {
    "stop": None, "stopp": "sv", "sluta": "sv", "avsluta": "sv", "avregistrera": "sv",
    "unsubscribe": "en", "cancel": "en", "end": "en", "quit": "en", "stopall": "en",
    "توقف": "ar", "إيقاف": "ar", "ايقاف": "ar", "لغو": "fa", "توقف کن": "fa",
    "lopeta": "fi", "jooji": "so", "ኣቋርጽ": "ti", "ደው በል": "ti",
    "zatrzymaj": "pl", "wypisz": "pl", "parar": "es", "baja": "es", "alto": "es",
    "стоп": None, "відписатися": "uk", "отписаться": "ru", "dur": "tr", "iptal": "tr",
}  # fmt: skip
START_WORDS: dict[str, str | None] = {
    "start": None, "starta": "sv", "börja": "sv", "unstop": "en", "subscribe": "en",
    "ابدأ": "ar", "شروع": "fa", "aloita": "fi", "bilow": "so", "ጀምር": "ti",
    "zacznij": "pl", "empezar": "es", "alta": "es", "старт": None, "başla": "tr", "basla": "tr",
}  # fmt: skip


def sms_text(session: Session, key: str, language: str, **values: str) -> str:
    """The SMS text `sms_<key>` in the language (or its fallback). `or` joins the last two
    option numbers: "1, 2 or 3"."""
    return catalog.get(session, f"sms_{key}", language, **values)[0]


def keyword(text: str) -> tuple[str, str | None] | None:
    """('stop' | 'start', the language the word is in, if it tells) for a keyword message."""
    word = " ".join(text.strip().strip(".!?؟።").split()).casefold()
    if word in STOP_WORDS:
        return "stop", STOP_WORDS[word]
    if word in START_WORDS:
        return "start", START_WORDS[word]
    return None
