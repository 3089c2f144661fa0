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

from actions.reply_policy import Candidate, Context, Understanding
from api.conversations.context import Previous
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


def _candidates(matches: list[Match]) -> tuple[Candidate, ...]:
    return tuple(Candidate(m.topic, round(m.confidence, 4), m.exact) for m in matches)


def _wire(candidates: tuple[Candidate, ...]) -> list[dict[str, object]]:
    return [{"topic": c.topic, "confidence": c.confidence, **({"exact": True} if c.exact else {})} for c in candidates]


def _context(context: Context) -> dict[str, object]:
    return {"topic": context.topic, "candidates": _wire(context.candidates)}


def understand(
    session: Session,
    text: str,
    library: str | None,
    unsupported_language: bool = False,
    previous: Previous | None = None,
) -> Turn:
    """`unsupported_language`: written in a language the intent classifier was not trained on.
    `previous`: the conversation's last answer; the message is also read as a follow-up to it."""
    parts = sentences(text)
    index = get_index()
    follow_up = [f"{previous.text}\n{text}"] if previous is not None else []
    # One batch: the message, its sentences and the message read after the last answer.
    vectors = index.embedder.inner.embed([text, *parts, *follow_up])
    matches = index.rank(session, text, library, limit=CANDIDATES, query=vectors[0])
    context = None
    if previous is not None:
        in_context = index.rank(session, follow_up[0], library, limit=CANDIDATES, query=vectors[-1])
        context = Context(previous.topic, _candidates(in_context))
    u = Understanding(
        candidates=_candidates(matches),
        unsupported_language=unsupported_language,
        words=len(text.split()),
        context=context,
    )
    metadata = {
        "nlu": {
            "vector": _b64(vectors[0]),
            "clauses": [
                {"text": part, "vector": _b64(v)} for part, v in zip(parts, vectors[1 : 1 + len(parts)], strict=True)
            ],
        },
        "turn": {
            "candidates": _wire(u.candidates),
            "unsupported_language": unsupported_language,
            "words": u.words,
            **({"context": _context(context)} if context is not None else {}),
        },
    }
    return Turn(metadata, u, tuple(matches))
