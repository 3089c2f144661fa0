"""The supported languages, read from data/languages.yml (their one source of truth)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from api.settings import get_settings


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself
    english: str
    dir: str  # ltr | rtl
    aliases: tuple[str, ...] = ()


@lru_cache
def languages() -> dict[str, Language]:
    raw = yaml.safe_load((get_settings().data_dir / "languages.yml").read_text(encoding="utf-8"))
    return {
        item["code"]: Language(**{**item, "aliases": tuple(str(a).casefold() for a in item.get("aliases", []))})
        for item in raw["languages"]
    }


@lru_cache
def easy_read_aliases() -> tuple[str, ...]:
    raw = yaml.safe_load((get_settings().data_dir / "languages.yml").read_text(encoding="utf-8"))
    return tuple(str(a).casefold() for a in raw.get("easy_read_aliases", []))


def is_supported(code: str | None) -> bool:
    return code is not None and code in languages()


FALLBACK_LANGUAGE = "en"  # for unsupported languages, as the issue asks
DEFAULT_LANGUAGE = "sv"
