"""Recognise an explicit language request ("can you answer in English?", "på arabiska")."""

from __future__ import annotations

from dataclasses import dataclass

from api.faq.normalize import fold
from api.language.registry import easy_read_aliases, languages


@dataclass(frozen=True)
class LanguageChoice:
    language: str | None
    easy_read: bool


def parse_language_choice(text: str) -> LanguageChoice:
    folded = f" {fold(text)} "
    if any(f" {fold(a)} " in folded for a in easy_read_aliases()):
        return LanguageChoice("sv", True)
    # The longest matching alias wins, so "svenska" is not found inside "lätt svenska".
    best: tuple[int, str] | None = None
    for code, lang in languages().items():
        for alias in (*lang.aliases, lang.name.casefold(), lang.english.casefold()):
            a = fold(alias)
            if a and f" {a} " in folded and (best is None or len(a) > best[0]):
                best = (len(a), code)
    return LanguageChoice(best[1] if best else None, False)
