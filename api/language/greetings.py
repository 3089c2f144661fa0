"""Greetings and thanks that name their language: "moi" is Finnish, "asc iska warran" Somali.

Such messages are too short for lingua, so they kept the page's language: a Finnish resident on a
Swedish page who wrote "moi" was greeted in Swedish. The words of the small-talk examples in
data/nlu (the examples Rasa learns from) say which language a greeting is in. A word that
residents of several languages use ("hej", "ok", "hi") names none, and the context decides.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from api.language.intent_examples import intent_examples

SMALLTALK_INTENTS = ("greet", "thanks", "goodbye")
MAX_WORDS = 4  # longer messages are lingua's to judge
_WORD = re.compile(r"[^\W\d_]+")
_REPEAT = re.compile(r"(.)\1+")


def _words(text: str) -> list[str]:
    # Folded the same way on both sides: case, accents ("dzien" is "dzień") and stretched
    # letters ("salaaaan", "moiii").
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return [_REPEAT.sub(r"\1", w) for w in _WORD.findall(plain)]


@lru_cache
def _vocabulary() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for intent in SMALLTALK_INTENTS:
        for language, examples in intent_examples(intent).items():
            for example in examples:
                for word in _words(example):
                    found.setdefault(word, set()).add(language)
    return {word: frozenset(langs) for word, langs in found.items()}


def smalltalk_language(text: str) -> str | None:
    """The one language whose greetings, thanks or goodbyes hold every word of `text`, if any."""
    words = _words(text)
    if not words or len(words) > MAX_WORDS:
        return None
    vocabulary = _vocabulary()
    common: frozenset[str] | None = None
    for word in words:
        langs = vocabulary.get(word)
        if langs is None:
            return None
        common = langs if common is None else common & langs
    return next(iter(common)) if common is not None and len(common) == 1 else None
