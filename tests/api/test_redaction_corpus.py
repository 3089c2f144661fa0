"""The redaction corpus (tests/api/redaction_corpus.yml): every marked secret goes, nothing else changes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.privacy.redact import PLACEHOLDERS, Profile, redact

CORPUS = yaml.safe_load((Path(__file__).parent / "redaction_corpus.yml").read_text(encoding="utf-8"))
MARK = re.compile(r"\[\[(\w+):(.+?)\]\]")
LANGUAGES = {"sv", "en", "ar", "fa", "fi", "so", "ti", "pl", "es", "uk", "ru", "tr"}


def unmarked(text: str) -> str:
    """What the resident wrote."""
    return MARK.sub(lambda m: m.group(2), text)


def expected(text: str) -> str:
    """What may be kept: every secret replaced by the placeholder of its kind."""
    return MARK.sub(lambda m: PLACEHOLDERS[m.group(1)], text)


def secrets_of(text: str) -> list[str]:
    return [m.group(2) for m in MARK.finditer(text)]


def profile(case: dict[str, Any]) -> Profile:
    return Profile.STAFF if case.get("profile") == "staff" else Profile.RESIDENT


POSITIVES: list[dict[str, Any]] = CORPUS["positives"]
NEGATIVES: list[dict[str, Any]] = CORPUS["negatives"]


def test_the_corpus_is_big_enough_and_covers_every_language() -> None:
    assert len(POSITIVES) >= 150 and len(NEGATIVES) >= 60
    assert {c["lang"] for c in POSITIVES} == LANGUAGES
    for lang in LANGUAGES:
        assert sum(c["lang"] == lang for c in POSITIVES) >= 10, lang
    assert all(MARK.search(c["text"]) for c in POSITIVES)
    assert not any(MARK.search(c["text"]) for c in NEGATIVES)


@pytest.mark.parametrize("case", POSITIVES, ids=lambda c: f"{c['lang']}:{unmarked(c['text'])[:40]}")
def test_positive_secrets_are_removed_and_nothing_else_changes(case: dict[str, Any]) -> None:
    text = unmarked(case["text"])
    out = redact(text, profile(case))
    assert out == expected(case["text"])
    for secret in secrets_of(case["text"]):
        assert secret not in out
    assert redact(out, profile(case)) == out  # idempotent: a stored text redacted again stays as it is


@pytest.mark.parametrize("case", NEGATIVES, ids=lambda c: f"{c['lang']}:{c['text'][:40]}")
def test_negatives_stay_byte_identical(case: dict[str, Any]) -> None:
    assert redact(case["text"], profile(case)) == case["text"]
