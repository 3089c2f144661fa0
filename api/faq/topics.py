"""Topic ids from ../shared/faq-topics.yml: the contract every answer names."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.faq.models import CustomTopic
from api.settings import get_settings


@dataclass(frozen=True)
class Topic:
    id: str
    area: str
    question: str


@lru_cache
def topics() -> dict[str, Topic]:
    path = get_settings().topics_file
    if not path.exists():
        raise FileNotFoundError(f"FAQ topic list not found at {path}; set FAQ_TOPICS_FILE")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {t["id"]: Topic(id=t["id"], area=t["area"], question=t["question"]) for t in raw["topics"]}


TOPIC_ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"  # area.name, as in the shared list


def all_topics(session: Session) -> dict[str, Topic]:
    """The shared topics plus those coordinators added (the shared list wins on a clash)."""
    extra = {
        t.id: Topic(id=t.id, area=t.area, question=t.question)
        for t in session.scalars(select(CustomTopic))
        if t.id not in topics()
    }
    return {**topics(), **extra}


def areas() -> list[str]:
    return sorted({t.area for t in topics().values()})
