"""Language detection for short resident messages, with conversation context.

lingua restricted to our languages plus a few common unsupported ones (so that German is
recognised as unsupported rather than forced into Swedish). No detector knows Tigrinya:
Ethiopic script means `ti`. Danish and Norwegian are answered in Swedish, which their
speakers read. A short or ambiguous message keeps the conversation's language, unless it is a
greeting or thanks that only one language uses (api/language/greetings.py).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from lingua import Language as L
from lingua import LanguageDetector, LanguageDetectorBuilder

from api.language.greetings import smalltalk_language
from api.language.registry import DEFAULT_LANGUAGE, languages

_OURS = {
    L.SWEDISH: "sv",
    L.ENGLISH: "en",
    L.ARABIC: "ar",
    L.PERSIAN: "fa",
    L.FINNISH: "fi",
    L.SOMALI: "so",
    L.POLISH: "pl",
    L.SPANISH: "es",
    L.UKRAINIAN: "uk",
    L.RUSSIAN: "ru",
    L.TURKISH: "tr",
}
_SCANDINAVIAN = {L.DANISH: "sv", L.BOKMAL: "sv", L.NYNORSK: "sv"}
_UNSUPPORTED = {
    L.GERMAN: "de",
    L.FRENCH: "fr",
    L.ITALIAN: "it",
    L.DUTCH: "nl",
    L.PORTUGUESE: "pt",
    L.CHINESE: "zh",
    L.JAPANESE: "ja",
    L.KOREAN: "ko",
    L.VIETNAMESE: "vi",
    L.THAI: "th",
    L.HINDI: "hi",
    L.URDU: "ur",
    L.ESTONIAN: "et",
    L.HUNGARIAN: "hu",
    L.ROMANIAN: "ro",
}
_ETHIOPIC = re.compile(r"[\u1200-\u137F\u1380-\u139F\u2D80-\u2DDF\uAB00-\uAB2F]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)

MIN_LETTERS = 4  # "ok", "hej!", "1" keep the conversation's language
# How much the conversation's current language is favoured. lingua's values are shares of 1 over
# ~40 languages, so 0.3 outweighed clear evidence (an English sentence naming a lånekort stayed sv).
PRIOR_BONUS = 0.1
UNSUPPORTED_CONFIDENCE = 0.75
UNSUPPORTED_MASS = 0.5
UNSUPPORTED_MIN_LETTERS = 20  # in a conversation in one of ours; a first message needs none


@dataclass(frozen=True)
class Detection:
    language: str  # a supported code, or an unsupported ISO code such as "de"
    supported: bool
    confident: bool  # False when the context decided, not the text


_lock = threading.Lock()


@lru_cache
def _detector() -> LanguageDetector:
    every = [*_OURS, *_SCANDINAVIAN, *_UNSUPPORTED]
    return LanguageDetectorBuilder.from_languages(*every).with_preloaded_language_models().build()


def warm_up() -> None:
    _detector()


# Swedish names residents keep inside other languages ("How do I get a lånekort in Järfälla?").
_SWEDISH_WORD = re.compile(r"[åäöÅÄÖ]")
_SWEDISH_LOANWORDS = frozenset(
    [
        "lånekort",
        "lanekort",
        "bibblan",
        "biblioteket",
        "bibliotek",
        "meröppet",
        "meroppet",
        "fjärrlån",
        "fjarrlan",
        "mina",
        "sidor",
        "appen",
        "bankid",
        "lättläst",
        "lattlast",
        "kommun",
        "kommunen",
    ]
)
MIN_FOREIGN_LETTERS = 8
FOREIGN_CONFIDENCE = 0.3
# A capitalised word inside a sentence is a name ("Stockholm", "Skatteverket", "Sundbyberg'de"):
# residents write Swedish names in every language, and the names alone read as Swedish.
_NAME = re.compile(r"^[A-ZÅÄÖ][a-zåäöéü]+(?:['’][a-zçğıöşü]+)?[.,!?:;)]*$")
_SENTENCE_START = re.compile(r"[.!?¿¡:]$")


def _names(text: str) -> set[int]:
    """The positions of the words in `text` that are names: capitalised, not first in a sentence
    unless a suffix follows an apostrophe (Turkish "Sundbyberg'de")."""
    words = text.split()
    return {
        i
        for i, w in enumerate(words)
        if _NAME.match(w) and ((i > 0 and not _SENTENCE_START.search(words[i - 1])) or "'" in w or "’" in w)
    }


def _without_swedish_names(text: str) -> tuple[str, bool]:
    """The text without Swedish words and names, and whether only names were left out (no
    Swedish word written in lower case, which may be Swedish after all)."""
    names, kept, only_names = _names(text), [], True
    for i, word in enumerate(text.split()):
        if i in names:
            continue
        if _SWEDISH_WORD.search(word) or word.casefold().strip(".,!?") in _SWEDISH_LOANWORDS:
            only_names = only_names and word[:1].isupper()
            continue
        kept.append(word)
    return " ".join(kept), only_names


def detect(text: str, context: str | None = None) -> Detection:
    """Detect the language of `text`; `context` is the conversation's language (or page locale)."""
    greeting = smalltalk_language(text)
    if greeting is not None:
        return Detection(greeting, True, True)
    result = _detect(text, context)
    if result.language == "sv" and result.supported:
        rest, only_names = _without_swedish_names(text)
        other = None
        if rest != text and len(_LETTER.findall(rest)) >= MIN_FOREIGN_LETTERS:
            other = _detect(rest, None, min_confidence=FOREIGN_CONFIDENCE)
            if other.language != "sv" and other.confident:
                return other
        swedish_besides = other is not None and other.language == "sv"
        if rest != text and only_names and not swedish_besides and context in languages() and context != "sv":
            # "Sundbyberg'de de var mı?", "¿y con la de Skatteverket?": too little besides the name
            # to tell, so the conversation's language holds; a name does not make a message Swedish.
            return Detection(context, True, False)
    if not result.supported and context in languages() and len(_LETTER.findall(text)) < UNSUPPORTED_MIN_LETTERS:
        # A few words mid-conversation that read as Urdu or German ("رو آیپد چی؟" in a Persian
        # conversation): a resident rarely changes to a language we do not speak in one short line.
        return Detection(context, True, False)
    return result


def _detect(text: str, context: str | None, min_confidence: float = 0.0) -> Detection:
    # Without a conversation language or page locale there is no prior to favour.
    prior = context if context in languages() else None
    if _ETHIOPIC.search(text):
        return Detection("ti", True, True)
    letters = _LETTER.findall(text)
    if len(letters) < MIN_LETTERS:
        return Detection(prior or DEFAULT_LANGUAGE, True, False)
    with _lock:
        values = _detector().compute_language_confidence_values(text)
    scores: dict[str, float] = {}
    unsupported: dict[str, float] = {}
    for cv in values:
        lang = cv.language
        if lang in _OURS or lang in _SCANDINAVIAN:
            code = _OURS.get(lang) or _SCANDINAVIAN[lang]
            # max, not sum: adding up Swedish, Danish, Bokmål and Nynorsk gave any text with one
            # Nordic word ("got my lånekort in Järfälla ...") up to four times the weight of English.
            scores[code] = max(scores.get(code, 0.0), cv.value)
        elif lang in _UNSUPPORTED:
            unsupported[_UNSUPPORTED[lang]] = cv.value
    if unsupported:
        code, value = max(unsupported.items(), key=lambda kv: kv[1])
        # Either one unsupported language is clear, or most of the weight is on unsupported
        # ones (Italian spread over Portuguese and Romanian) and one beats all of ours.
        spread = sum(unsupported.values()) >= UNSUPPORTED_MASS and value > max(scores.values(), default=0.0)
        if value >= UNSUPPORTED_CONFIDENCE or spread:
            return Detection(code, False, True)
    if not scores:
        return Detection(prior or DEFAULT_LANGUAGE, True, False)
    raw_best = max(scores, key=lambda c: scores[c])
    if prior is not None:
        scores[prior] = scores.get(prior, 0.0) + PRIOR_BONUS
    best = max(scores, key=lambda c: scores[c])
    return Detection(best, True, best == raw_best and scores[raw_best] >= min_confidence)
