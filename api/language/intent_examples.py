"""The hand-written intent examples in data/nlu (one file per language), as Rasa learns them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from api.language.registry import languages
from api.settings import get_settings


def nlu_file_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, example) for each example of a Rasa NLU file (its `- text` lines), as Rasa reads
    it; a block without an intent (a synonym) has the intent ""."""
    found = []
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- ") and line[2:].strip():
                found.append((str(block.get("intent") or ""), line[2:].strip()))
    return found


@lru_cache
def intent_examples(intent: str) -> dict[str, tuple[str, ...]]:
    """The examples of `intent`, by language code."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted((get_settings().data_dir / "nlu").glob("*.yml")):
        if path.stem not in languages():
            continue
        texts = [text for name, text in nlu_file_examples(path) if name == intent]
        if texts:
            found[path.stem] = tuple(texts)
    return found
