"""Bot-text placeholders: which ones each text needs, how a text may write them, how they are filled.

What a text needs comes from one place, the English seed text (data/texts/en.yml): the code
that formats a text passes exactly those names (minutes, time, day, languages, numbers), and
tests render every seeded text with them. The English row in the database is editable, so it
is not the reference.

A placeholder is written bare, `{minutes}`. str.format would also obey a format spec, a
conversion, an attribute, an index or a position (`{minutes:>900000000}` builds a 900 MB
string, `{minutes.__class__}` reads internals), so the editor and the import refuse those, and
`render` fills bare names only: a bad text that is already stored fails to render (and the
catalog falls back to another language) instead of being obeyed.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from api.settings import get_settings

SEED_LANGUAGE = "en"


@dataclass(frozen=True)
class Field:
    written: str  # as it appears in the text, e.g. "{minutes:>9}"
    name: str  # the field name, e.g. "minutes" ("" for "{}")
    bare: bool  # a plain name with no format spec or conversion


def fields(text: str) -> list[Field]:
    """The placeholders in a text; ValueError for an unmatched { or }."""
    out = []
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:  # only literal text ({{ and }} are literal braces)
            continue
        written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        out.append(Field(written, name, name.isidentifier() and not spec and not conversion))
    return out


@lru_cache(maxsize=4)
def _seed(path: Path) -> dict[str, frozenset[str]]:
    texts = yaml.safe_load(path.read_text(encoding="utf-8"))["texts"]
    return {str(key): frozenset(f.name for f in fields(str(text))) for key, text in texts.items()}


def _needs() -> dict[str, frozenset[str]]:
    return _seed(get_settings().data_dir / "texts" / f"{SEED_LANGUAGE}.yml")


def known(key: str) -> bool:
    return key in _needs()


def required(key: str) -> frozenset[str]:
    """The placeholders the text `key` must use, each once or more (KeyError for an unknown key)."""
    return _needs()[key]


def problems(key: str, text: str) -> list[str]:
    """What is wrong with the placeholders of `text` as the `key` text, each naming the placeholder."""
    wanted = required(key)
    want = ", ".join("{" + p + "}" for p in sorted(wanted)) or "no placeholders"
    try:
        found = fields(text)
    except ValueError:
        return ["a { or } is unmatched; placeholders look like {minutes} (a brace itself is {{ or }})"]
    wrong = []
    for f in found:
        if not f.name.isidentifier():
            wrong.append(f"{f.written} is not a placeholder (only a bare name, like {{minutes}})")
        elif not f.bare:
            wrong.append(f"{f.written} must be written bare, as {{{f.name}}}")
        elif f.name not in wanted:
            wrong.append(f"{f.written} is not a placeholder of this text")
    missing = sorted(wanted - {f.name for f in found if f.bare})
    wrong += [f"{{{name}}} is missing" for name in missing]
    return [f"must use exactly {want}: " + "; ".join(dict.fromkeys(wrong))] if wrong else []


def render(text: str, values: Mapping[str, str]) -> str:
    """The text with its bare placeholders filled; ValueError for anything else (never obeyed)."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        out.append(literal)
        if name is None:
            continue
        if spec or conversion or not name.isidentifier() or name not in values:
            raise ValueError(f"placeholder {{{name}}} cannot be filled")
        out.append(str(values[name]))
    return "".join(out)
