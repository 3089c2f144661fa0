"""The assistant's own texts per language, curated in the database and read at run time."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.faq.models import BotText
from api.faq.revision import TEXTS, current_revision
from api.texts.placeholders import render

log = logging.getLogger(__name__)
_FALLBACK_ORDER = ("en", "sv")


class TextCatalog:
    def __init__(self) -> None:
        self._revision = -1
        self._texts: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def _refresh(self, session: Session) -> None:
        revision = current_revision(session, TEXTS)
        if revision != self._revision:
            with self._lock:
                self._texts = {(t.key, t.language): t.text for t in session.scalars(select(BotText))}
                self._revision = revision

    def get(self, session: Session, key: str, language: str, **values: str) -> tuple[str, str]:
        """The text and the language it is actually written in (a missing translation falls back)."""
        self._refresh(session)
        for lang in (language, *_FALLBACK_ORDER):
            text = self._texts.get((key, lang))
            if text is None:
                continue
            try:
                return render(text, values), lang  # bare placeholders only: a format spec is never obeyed
            except ValueError:
                # The editor checks placeholders; a text that slipped through falls back, never fails.
                log.error("bot text %s (%s) has broken placeholders; using the next language", key, lang)
        raise KeyError(f"bot text {key!r} is missing in every language")


catalog = TextCatalog()
