"""FAQ retrieval: ranks topics for a resident's question in any language.

Each question variant (every language, regional and local versions) is embedded once; a
question is scored against all of them (dense, cross-lingual) plus a character n-gram
match on diacritic-folded text (typos, Swedish words inside another language). The index
follows the FAQ content revision, so a coordinator's edit applies to the next message:
an edit that changes no question variant (an answer, a title's status) costs nothing, and
one that does refits the classifier from its previous solution in well under a second.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import yaml
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.faq.confidence import calibration
from api.faq.embedder import CachedEmbedder, get_embedder
from api.faq.models import FaqEntry, FaqTranslation
from api.faq.normalize import fold
from api.faq.revision import current_revision
from api.settings import get_settings

log = logging.getLogger(__name__)

# Score = mean of the 3 closest variants of a topic (dense) + weighted character n-gram
# match + weighted probability of a linear classifier trained on all variants. Measured on
# the dev sets (docs/quality.md): each part alone is weaker than the three together. C=5
# regularises the classifier enough that it no longer overrules the direct evidence where the
# embedding model is weakest (Somali).
TOP_K = 3
LEXICAL_WEIGHT = 0.2
CLASSIFIER_WEIGHT = 0.15
CLASSIFIER_C = 5.0


# Library questions that no topic covers (data/not_covered.yml) are indexed as one more topic
# under this id, which is never answered: a message closer to them than to a topic is probably
# not covered (api/faq/confidence.py).
NOT_COVERED = "_not_covered"


@dataclass(frozen=True)
class Match:
    topic: str
    score: float
    dense: float
    lexical: float
    probability: float
    lead: float = 0.0  # over the next topic (the best) or behind the best (the others)
    not_covered: float = -1.0  # the score of the library questions no topic covers, for this message
    confidence: float = 0.0  # the probability that this topic answers the question (calibrated)
    exact: bool = False  # the message is one of this topic's question variants, word for word

    @property
    def features(self) -> tuple[float, float, float]:
        """What the calibration reads (api/faq/confidence.py FEATURES), here and in scripts/calibrate.py."""
        return self.score, self.lead, self.score - self.not_covered


@dataclass(frozen=True)
class _Rows:
    """The question variants of the live entries, in a stable order."""

    topics: list[str]
    libraries: list[str | None]
    texts: list[str]

    def fingerprint(self) -> str:
        h = hashlib.sha1()
        for topic, library, text in zip(self.topics, self.libraries, self.texts, strict=True):
            h.update(f"{topic}\x1f{library or ''}\x1f{text}\x1e".encode())
        return h.hexdigest()


@dataclass(frozen=True)
class _State:
    """One immutable snapshot, swapped in whole: a query never sees half of a refresh."""

    fingerprint: str = ""
    topic_names: list[str] = field(default_factory=list)
    row_topic: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    foreign_to: dict[str | None, np.ndarray] = field(default_factory=dict)
    row_library: list[str | None] = field(default_factory=list)
    dense: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), dtype=np.float32))
    tfidf: TfidfVectorizer | None = None
    lexical: csr_matrix | None = None
    classifier: LogisticRegression | None = None
    # The folded question variants of the topics (not the uncovered questions) -> their rows.
    exact: dict[str, list[int]] = field(default_factory=dict)


def live_entries(session: Session) -> list[FaqEntry]:
    """The entries that answer residents (regional and local), in a stable order."""
    return list(session.scalars(select(FaqEntry).where(FaqEntry.state == "live").order_by(FaqEntry.id)))


def not_covered_questions() -> list[str]:
    path = get_settings().data_dir / "not_covered.yml"
    if not path.exists():
        return []
    by_language = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(q).strip() for questions in by_language.values() for q in questions or [] if str(q).strip()]


def _load_rows(session: Session) -> _Rows:
    texts = not_covered_questions()
    topics: list[str] = [NOT_COVERED] * len(texts)
    libraries: list[str | None] = [None] * len(texts)
    for entry in live_entries(session):
        for tr in sorted(entry.translations, key=_translation_order):
            for text in [tr.title, *tr.questions]:
                if text.strip():
                    topics.append(entry.topic)
                    libraries.append(entry.library_id)
                    texts.append(text)
    return _Rows(topics, libraries, texts)


def _translation_order(tr: FaqTranslation) -> tuple[str, str]:
    return (tr.language, tr.variant)


class _ClassifierStore:
    """The last fitted classifier on disk: a restart with unchanged content skips the fit (about
    10 s on two cores), and a changed one starts from the stored solution."""

    def __init__(self, cache_dir: Path, embedder_name: str) -> None:
        self._path = cache_dir / f"classifier-{embedder_name}.npz"

    def load(self) -> tuple[str, list[str], np.ndarray, np.ndarray] | None:
        try:
            with np.load(self._path) as data:
                return (
                    str(data["fingerprint"]),
                    data["names"].tolist(),
                    data["coef"],
                    data["intercept"],
                )
        except (OSError, ValueError, KeyError):
            return None

    def save(self, fingerprint: str, names: list[str], clf: LogisticRegression) -> None:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=self._path.stem, suffix=".tmp.npz")
            try:
                with os.fdopen(fd, "wb") as out:
                    np.savez(
                        out, fingerprint=fingerprint, names=np.array(names), coef=clf.coef_, intercept=clf.intercept_
                    )
                os.replace(tmp, self._path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as exc:  # a read-only cache only costs the next start some seconds
            log.warning("could not store the classifier: %s", exc)


def fit_classifier(
    dense: np.ndarray, ids: np.ndarray, names: list[str], start: tuple[list[str], np.ndarray, np.ndarray] | None
) -> LogisticRegression:
    """Multinomial logistic regression over the variant embeddings. The problem is convex, so
    starting from an earlier solution (`start`: its class names, coefficients, intercepts)
    reaches the same optimum in a few iterations instead of a hundred."""
    clf = LogisticRegression(C=CLASSIFIER_C, max_iter=3000)
    if start is not None and len(names) > 2:
        prev_names, coef, intercept = start
        where = {name: i for i, name in enumerate(prev_names)}
        if coef.shape[1] == dense.shape[1] and len(coef) == len(prev_names):
            init_coef = np.zeros((len(names), dense.shape[1]), dtype=np.float64)
            init_intercept = np.zeros(len(names), dtype=np.float64)
            for i, name in enumerate(names):
                if name in where:
                    init_coef[i], init_intercept[i] = coef[where[name]], intercept[where[name]]
            clf.set_params(warm_start=True)
            clf.coef_, clf.intercept_ = init_coef, init_intercept
    return clf.fit(dense, ids)


class FaqIndex:
    def __init__(self, embedder: CachedEmbedder, cache_dir: Path | None = None) -> None:
        self._embedder = embedder
        self._lock = threading.Lock()
        self._revision = -1
        self._state = _State(dense=np.zeros((0, embedder.dim), dtype=np.float32))
        self._store = _ClassifierStore(cache_dir or get_settings().cache_dir, embedder.name)

    def refresh(self, session: Session) -> None:
        revision = current_revision(session)
        if revision == self._revision:
            return
        with self._lock:
            if revision == self._revision:
                return
            rows = _load_rows(session)
            fingerprint = rows.fingerprint()
            if fingerprint != self._state.fingerprint:
                self._state = self._build(rows, fingerprint)
            self._revision = revision

    def _build(self, rows: _Rows, fingerprint: str) -> _State:
        names = sorted(set(rows.topics))
        position = {name: i for i, name in enumerate(names)}
        ids = np.array([position[t] for t in rows.topics], dtype=np.int64)
        dense = self._embedder.embed(rows.texts)
        self._embedder.save()
        tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        lexical = tfidf.fit_transform([fold(t) for t in rows.texts]) if rows.texts else None
        classifier = None
        if len(names) > 1:
            classifier = self._classifier(dense, ids, names, fingerprint)
        libraries = set(rows.libraries)
        # Another library's local wording must not steer this resident: a mask per library.
        foreign_to = {
            lib: np.array([other is not None and other != lib for other in rows.libraries], dtype=bool)
            for lib in libraries | {None}
        }
        exact: dict[str, list[int]] = {}
        for row, (topic, text) in enumerate(zip(rows.topics, rows.texts, strict=True)):
            if topic != NOT_COVERED:
                exact.setdefault(fold(text), []).append(row)
        return _State(
            exact=exact,
            fingerprint=fingerprint,
            topic_names=names,
            row_topic=ids,
            foreign_to=foreign_to,
            row_library=rows.libraries,
            dense=dense,
            tfidf=tfidf if rows.texts else None,
            lexical=lexical,
            classifier=classifier,
        )

    def _classifier(self, dense: np.ndarray, ids: np.ndarray, names: list[str], fingerprint: str) -> LogisticRegression:
        current = self._state.classifier
        start: tuple[list[str], np.ndarray, np.ndarray] | None = None
        if current is not None:
            start = (self._state.topic_names, current.coef_, current.intercept_)
        else:
            stored = self._store.load()
            if stored is not None:
                stored_fp, stored_names, coef, intercept = stored
                if stored_fp == fingerprint and stored_names == names:
                    clf = LogisticRegression(C=CLASSIFIER_C, max_iter=3000)
                    clf.classes_ = np.arange(len(names))
                    clf.coef_, clf.intercept_ = coef, intercept
                    clf.n_features_in_ = coef.shape[1]
                    return clf
                start = (stored_names, coef, intercept)
        clf = fit_classifier(dense, ids, names, start)
        self._store.save(fingerprint, names, clf)
        return clf

    @property
    def embedder(self) -> CachedEmbedder:
        return self._embedder

    def centroid(self, session: Session) -> np.ndarray:
        """The mean of all question variants: the "a library question" direction every question
        shares. Subtracting it lets similarity tell library questions apart (the needs inbox)."""
        self.refresh(session)
        dense = self._state.dense
        return dense.mean(axis=0) if len(dense) else np.zeros(self._embedder.dim, dtype=np.float32)

    def rank(
        self, session: Session, text: str, library: str | None = None, limit: int = 5, query: np.ndarray | None = None
    ) -> list[Match]:
        """`query`: the text's embedding, when the caller needs it too (the second opinions)."""
        self.refresh(session)
        st = self._state
        if not st.topic_names or st.tfidf is None or st.lexical is None:
            return []
        if query is None:
            query = self._embedder.embed_uncached(text)
        dense = st.dense @ query
        lexical = (st.lexical @ st.tfidf.transform([fold(text)]).T).toarray().ravel()
        foreign = st.foreign_to.get(library)
        if foreign is None:  # a library without local versions: only regional wording counts
            foreign = st.foreign_to[None]
        dense[foreign], lexical[foreign] = -1.0, 0.0
        exact = {int(st.row_topic[r]) for r in st.exact.get(fold(text), ()) if not foreign[r]}
        n = len(st.topic_names)
        dense_by_topic = np.full(n, -1.0)
        lexical_by_topic = np.zeros(n)
        visible = np.zeros(n, dtype=bool)
        for t in range(n):
            rows = st.row_topic == t
            visible[t] = bool((rows & ~foreign).any())
            dense_by_topic[t] = np.sort(dense[rows])[-TOP_K:].mean()
            lexical_by_topic[t] = lexical[rows].max()
        probability = np.zeros(n)
        if st.classifier is not None:
            probability[st.classifier.classes_] = st.classifier.predict_proba(query[None, :])[0]
        score = dense_by_topic + LEXICAL_WEIGHT * lexical_by_topic + CLASSIFIER_WEIGHT * probability
        uncovered = st.topic_names.index(NOT_COVERED) if NOT_COVERED in st.topic_names else None
        not_covered = float(score[uncovered]) if uncovered is not None else -1.0
        # A topic only another library has (its own local entry) is not this resident's to get.
        order = [t for t in np.argsort(-score) if visible[t] and t != uncovered]
        cal = calibration()
        # The best topic's lead is over the next one; every other topic's is behind the best.
        best = score[order[0]] if order else 0.0
        runner_up = score[order[1]] if len(order) > 1 else best
        matches = []
        for rank, t in enumerate(order[:limit]):
            lead = score[t] - (best if rank else runner_up)
            match = Match(
                topic=st.topic_names[t],
                score=float(score[t]),
                dense=float(dense_by_topic[t]),
                lexical=float(lexical_by_topic[t]),
                probability=float(probability[t]),
                lead=float(lead),
                not_covered=not_covered,
                exact=t in exact,
            )
            matches.append(replace(match, confidence=cal.probability(*match.features)))
        return matches


_index: FaqIndex | None = None
_index_lock = threading.Lock()


def get_index() -> FaqIndex:
    global _index
    with _index_lock:
        if _index is None:
            _index = FaqIndex(get_embedder())
        return _index
