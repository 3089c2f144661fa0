"""Group the inbox's questions by meaning, across languages.

Questions are embedded with the FAQ's multilingual model. Every library question shares a
strong common direction ("something about the library"), which makes raw similarities all
high (0.8-0.93 for unrelated ones); subtracting the mean of the FAQ's variants first leaves
what tells them apart. Average-linkage clustering then joins questions closer than
`GROUP_DISTANCE`: measured on paraphrases in 2-5 languages each of six new topics (pets,
3D printers, parking, chess club, renting a room, story time), 0.68 joined each topic's
questions and kept the topics apart, with one Somali question the exception.

A group's closest existing topic is shown too: many "unanswered" questions are new wordings
of a topic that exists, and adding them as variants fixes that at once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations.models import Message
from api.faq.answers import titles
from api.faq.retrieval import get_index
from api.handoff.clock import iso
from api.needs.models import ResidentNeed

GROUP_DISTANCE = 0.68
MAX_QUESTIONS = 2000  # the most recent open questions considered at once
MAX_GROUPS = 100


@dataclass
class Item:
    need: ResidentNeed
    text: str


def load(
    session: Session,
    *,
    states: tuple[str, ...] = ("open",),
    library: str | None = None,
    reasons: tuple[str, ...] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Item]:
    query = select(ResidentNeed, Message.text).join(Message, Message.id == ResidentNeed.message_id)
    query = query.where(ResidentNeed.state.in_(states))
    if library:
        query = query.where(ResidentNeed.library_id == library)
    if reasons:
        query = query.where(ResidentNeed.reason.in_(reasons))
    if since:
        query = query.where(ResidentNeed.created_at >= since)
    if until:
        query = query.where(ResidentNeed.created_at < until)
    rows = session.execute(query.order_by(ResidentNeed.created_at.desc()).limit(MAX_QUESTIONS))
    return [Item(need, text) for need, text in rows]


def _vectors(session: Session, items: list[Item]) -> np.ndarray:
    """Each question's embedding, computed once and kept with it (and deleted with it)."""
    embedder = get_index().embedder
    missing = [it for it in items if it.need.vector is None]
    if missing:
        fresh = embedder.inner.embed([it.text for it in missing])
        for it, vec in zip(missing, fresh, strict=True):
            it.need.vector = np.asarray(vec, dtype=np.float32).tobytes()
        session.flush()
    return np.stack([np.frombuffer(it.need.vector or b"", dtype=np.float32) for it in items])


def cluster(vectors: np.ndarray, centroid: np.ndarray, distance: float = GROUP_DISTANCE) -> list[list[int]]:
    """Indices of `vectors` in groups, largest first."""
    if len(vectors) == 0:
        return []
    if len(vectors) == 1:
        return [[0]]
    centred = vectors - centroid
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    centred = centred / np.where(norms == 0, 1, norms)
    labels = (
        AgglomerativeClustering(n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average")
        .fit(centred)
        .labels_
    )
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def grouped(session: Session, items: list[Item]) -> list[dict[str, Any]]:
    if not items:
        return []
    vectors = _vectors(session, items)
    index = get_index()
    centroid = index.centroid(session)
    out = []
    for members in cluster(vectors, centroid)[:MAX_GROUPS]:
        group = [items[i] for i in members]
        # The question closest to the group's centre stands for it (and is matched to a topic).
        centre = vectors[members].mean(axis=0)
        lead = group[int(np.argmax(vectors[members] @ centre))]
        matches = index.rank(session, lead.text, lead.need.library_id, limit=1)
        nearest = None
        if matches:
            name = titles(session, [matches[0].topic], "sv").get(matches[0].topic, matches[0].topic)
            nearest = {"topic": matches[0].topic, "title": name, "score": round(matches[0].score, 3)}
        out.append(
            {
                "id": min(it.need.id for it in group),
                "size": len(group),
                "lead": lead.text,
                "languages": dict(Counter(it.need.language or "?" for it in group).most_common()),
                "libraries": dict(Counter(it.need.library_id or "" for it in group).most_common()),
                "reasons": dict(Counter(it.need.reason for it in group).most_common()),
                "nearest": nearest,
                "last_at": iso(max(it.need.created_at for it in group)),
                "questions": [
                    {
                        "id": it.need.id,
                        "text": it.text,
                        "language": it.need.language,
                        "library": it.need.library_id,
                        "channel": it.need.channel,
                        "reason": it.need.reason,
                        "topic": it.need.topic,
                        "at": iso(it.need.created_at),
                    }
                    for it in group
                ],
            }
        )
    return out
