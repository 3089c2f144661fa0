"""Recognise an explicit language request ("can you answer in English?", "på arabiska")."""

from __future__ import annotations

from dataclasses import dataclass

from api.faq.normalize import fold
from api.language.registry import easy_read_aliases, languages


@dataclass(frozen=True)
class LanguageChoice:
    language: str | None
    easy_read: bool


def parse_language_choice(text: str, spoken: str | None = None) -> LanguageChoice:
    """The language asked for. A request often names two: the one wanted and the one spoken so far
    ("answer in English, my partner doesn't read Spanish"): the first named that is not `spoken`
    wins, and `spoken` only when it is the one language named."""
    folded = f" {fold(text)} "
    if any(f" {fold(a)} " in folded for a in easy_read_aliases()):
        return LanguageChoice("sv", True)
    first: dict[str, int] = {}  # language -> where it is first named
    for code, lang in languages().items():
        for alias in (*lang.aliases, lang.name.casefold(), lang.english.casefold()):
            a = fold(alias)
            at = folded.find(f" {a} ") if a else -1
            if at >= 0 and at < first.get(code, len(folded)):
                first[code] = at
    named = sorted(first, key=lambda code: first[code])
    wanted = [code for code in named if code != spoken] or named
    return LanguageChoice(wanted[0] if wanted else None, False)
