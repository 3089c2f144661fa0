"""A resident message embedded once per turn, shared with Rasa and with retrieval.

The API embeds the message (and, for a message of several sentences, each sentence) with the
same model as Rasa's featurizer, sends the vectors to Rasa as message metadata, and keeps them
for a minute so that the FAQ retrieval of the same turn uses them too
(docs/decisions/0014-one-pass-turn.md). Only vectors are kept, keyed by a hash of the text,
never the text itself.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from api.faq.retrieval import get_index

# Sentence ends in our scripts (Latin, Cyrillic, Arabic/Persian question mark, Ethiopic full stop
# and question mark) and line breaks. A request for a person is often one sentence of several.
_SENTENCE_END = re.compile(r"(?<=[.!?؟።፧])\s+|\n+")
MIN_CLAUSE_CHARS = 4
MAX_CLAUSES = 6  # a very long message: the first sentences carry the request, if any
KEEP_S = 60.0
KEEP_MAX = 512


def clauses(text: str) -> list[str]:
    """The sentences of a message of more than one sentence; [] for a single sentence."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if len(p.strip()) >= MIN_CLAUSE_CHARS]
    return parts[:MAX_CLAUSES] if len(parts) > 1 else []


@dataclass(frozen=True)
class Vectors:
    message: np.ndarray
    clauses: np.ndarray  # one row per clause; 0 rows for a single sentence

    def metadata(self) -> dict[str, object]:
        """What Rasa's SharedVectorFeaturizer reads (bot/components/shared_vector.py)."""
        return {"vector": _b64(self.message), "clauses": [_b64(c) for c in self.clauses]}


def _b64(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


_kept: OrderedDict[str, tuple[float, Vectors]] = OrderedDict()
_lock = threading.Lock()


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed(text: str) -> Vectors:
    """The message's vectors: computed once (one batch for the message and its sentences)."""
    key = _key(text)
    now = time.monotonic()
    with _lock:
        kept = _kept.get(key)
        if kept is not None and now - kept[0] < KEEP_S:
            return kept[1]
    parts = clauses(text)
    rows = get_index().embedder.inner.embed([text, *parts])
    vectors = Vectors(rows[0], rows[1:])
    with _lock:
        _kept[key] = (now, vectors)
        _kept.move_to_end(key)
        while len(_kept) > KEEP_MAX or (_kept and now - next(iter(_kept.values()))[0] >= KEEP_S):
            _kept.popitem(last=False)
    return vectors


def forget() -> None:
    with _lock:
        _kept.clear()
