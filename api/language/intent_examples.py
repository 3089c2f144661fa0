"""The hand-written intent examples in data/nlu (one file per language), as Rasa learns them."""

from __future__ import annotations

from functools import lru_cache

import yaml

from api.language.registry import languages
from api.settings import get_settings


@lru_cache
def intent_examples(intent: str) -> dict[str, tuple[str, ...]]:
    """The examples of `intent`, by language code."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted((get_settings().data_dir / "nlu").glob("*.yml")):
        if path.stem not in languages():
            continue
        texts: list[str] = []
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if block.get("intent") == intent:
                texts += [ln.strip()[2:].strip() for ln in block["examples"].splitlines() if ln.strip()]
        if texts:
            found[path.stem] = tuple(texts)
    return found
