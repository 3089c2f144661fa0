"""A resident message understood once per turn, for Rasa and for the reply policy.

The API embeds the message (and, for a message of several sentences, each sentence) once, with
the same model as Rasa's featurizer, and ranks the FAQ topics of the live content with that
vector. Both go to Rasa as message metadata: the vectors for its intent classifier (which then
embeds nothing), the candidates with their calibrated confidence for the reply policy that the
action server runs (docs/decisions/0014-one-pass-turn.md).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from actions.reply_policy import Candidate, Understanding
from api.faq.retrieval import Match, get_index

# Sentence ends in our scripts (Latin, Cyrillic, the Arabic question mark, the Ethiopic full stop
# and question mark) and line breaks. A request for a person is often one sentence of several.
_SENTENCE_END = re.compile(r"(?<=[.!?؟።፧])\s+|\n+")
MIN_SENTENCE_CHARS = 4
MAX_SENTENCES = 6  # a very long message: the request, if any, is rarely further down
CANDIDATES = 5


def sentences(text: str) -> list[str]:
    """The sentences of a message of more than one sentence; [] for a single sentence."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if len(p.strip()) >= MIN_SENTENCE_CHARS]
    return parts[:MAX_SENTENCES] if len(parts) > 1 else []


def _b64(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


@dataclass(frozen=True)
class Turn:
    """One message, understood: its metadata for Rasa, the policy's view of the FAQ, and the
    retrieval's matches behind it (try-it shows their scores)."""

    metadata: dict[str, object]
    understanding: Understanding
    matches: tuple[Match, ...] = ()


def understand(session: Session, text: str, library: str | None, unsupported_language: bool = False) -> Turn:
    """`unsupported_language`: written in a language the intent classifier was not trained on."""
    parts = sentences(text)
    index = get_index()
    vectors = index.embedder.inner.embed([text, *parts])  # one batch: the message and its sentences
    matches = index.rank(session, text, library, limit=CANDIDATES, query=vectors[0])
    u = Understanding(
        candidates=tuple(Candidate(m.topic, round(m.confidence, 4), m.exact) for m in matches),
        unsupported_language=unsupported_language,
        words=len(text.split()),
    )
    metadata = {
        "nlu": {
            "vector": _b64(vectors[0]),
            "clauses": [{"text": part, "vector": _b64(v)} for part, v in zip(parts, vectors[1:], strict=True)],
        },
        "turn": {
            "candidates": [
                {"topic": c.topic, "confidence": c.confidence, **({"exact": True} if c.exact else {})}
                for c in u.candidates
            ],
            "unsupported_language": unsupported_language,
            "words": u.words,
        },
    }
    return Turn(metadata, u, tuple(matches))
