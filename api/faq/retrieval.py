"""FAQ retrieval: ranks topics for a resident's question in any language.

Each question variant (every language, regional and local versions) is embedded once; a
question is scored against all of them (dense, cross-lingual) plus a character n-gram
match on diacritic-folded text (typos, Swedish words inside another language). The index is
rebuilt when the content revision changes, so edits apply to the next message.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.faq.embedder import CachedEmbedder, get_embedder
from api.faq.models import FaqEntry
from api.faq.normalize import fold
from api.faq.revision import current_revision

# Score = mean of the 3 closest variants of a topic (dense) + weighted character n-gram
# match + weighted probability of a linear classifier trained on all variants. Measured on
# the dev sets (docs/quality.md): each part alone is weaker than the three together.
TOP_K = 3
LEXICAL_WEIGHT = 0.1
CLASSIFIER_WEIGHT = 0.15


@dataclass(frozen=True)
class Match:
    topic: str
    score: float
    dense: float
    lexical: float
    probability: float


class FaqIndex:
    def __init__(self, embedder: CachedEmbedder) -> None:
        self._embedder = embedder
        self._lock = threading.Lock()
        self._revision = -1
        self._topic_names: list[str] = []
        self._row_topic = np.zeros(0, dtype=np.int64)
        self._row_library: list[str | None] = []
        self._dense = np.zeros((0, embedder.dim), dtype=np.float32)
        self._tfidf: TfidfVectorizer | None = None
        self._lexical = None
        self._classifier: LogisticRegression | None = None

    def refresh(self, session: Session) -> None:
        revision = current_revision(session)
        if revision == self._revision:
            return
        with self._lock:
            if revision == self._revision:
                return
            row_topic: list[str] = []
            row_library: list[str | None] = []
            texts: list[str] = []
            for entry in session.scalars(select(FaqEntry).where(FaqEntry.retired.is_(False))):
                for tr in entry.translations:
                    for text in [tr.title, *tr.questions]:
                        row_topic.append(entry.topic)
                        row_library.append(entry.library_id)
                        texts.append(text)
            names = sorted(set(row_topic))
            ids = np.array([names.index(t) for t in row_topic], dtype=np.int64)
            dense = self._embedder.embed(texts)
            self._embedder.save()
            tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
            lexical = tfidf.fit_transform([fold(t) for t in texts]) if texts else None
            classifier = None
            if len(names) > 1:
                classifier = LogisticRegression(C=20, max_iter=3000).fit(dense, ids)
            self._topic_names, self._row_topic, self._row_library = names, ids, row_library
            self._dense, self._tfidf, self._lexical, self._classifier = dense, tfidf, lexical, classifier
            self._revision = revision

    @property
    def embedder(self) -> CachedEmbedder:
        return self._embedder

    def rank(self, session: Session, text: str, library: str | None = None, limit: int = 5) -> list[Match]:
        self.refresh(session)
        if not self._topic_names or self._tfidf is None:
            return []
        query = self._embedder.embed_uncached(text)
        dense = self._dense @ query
        lexical = (self._lexical @ self._tfidf.transform([fold(text)]).T).toarray().ravel()
        # Another library's local wording must not steer this resident.
        foreign = np.array([lib is not None and lib != library for lib in self._row_library])
        dense[foreign], lexical[foreign] = -1.0, 0.0
        n = len(self._topic_names)
        dense_by_topic = np.full(n, -1.0)
        lexical_by_topic = np.zeros(n)
        for t in range(n):
            rows = self._row_topic == t
            dense_by_topic[t] = np.sort(dense[rows])[-TOP_K:].mean()
            lexical_by_topic[t] = lexical[rows].max()
        probability = np.zeros(n)
        if self._classifier is not None:
            probability[self._classifier.classes_] = self._classifier.predict_proba(query[None, :])[0]
        score = dense_by_topic + LEXICAL_WEIGHT * lexical_by_topic + CLASSIFIER_WEIGHT * probability
        order = np.argsort(-score)[:limit]
        return [
            Match(
                topic=self._topic_names[t],
                score=float(score[t]),
                dense=float(dense_by_topic[t]),
                lexical=float(lexical_by_topic[t]),
                probability=float(probability[t]),
            )
            for t in order
        ]


_index: FaqIndex | None = None
_index_lock = threading.Lock()


def get_index() -> FaqIndex:
    global _index
    with _index_lock:
        if _index is None:
            _index = FaqIndex(get_embedder())
        return _index
