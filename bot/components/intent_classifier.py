"""A Rasa graph component: intents from the shared sentence vector and character n-grams, with
probabilities that mean something.

DIET over sparse n-grams gave a confidence of 1.0 to nearly every message, right or wrong, so no
threshold could say "not sure" (docs/decisions/0014-one-pass-turn.md). A multinomial logistic
regression is trained in seconds, deterministically, and its probabilities are close to
calibrated, so the reply policy (actions/reply_policy.py) can act on them. Its features: the e5
sentence vector (meaning, across languages) and TF-IDF character n-grams of the diacritic-folded
text (the words that tell "renew my passport" from "renew my loans", typos, Swedish words inside
another language).

A request for a person is often one sentence inside a longer situation ("... I was charged
twice. Can someone at the library look into it?"), and the whole message reads as a question.
The API sends each sentence too, and the probability of `request_human` is the largest over the
message and its sentences.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from components.shared_vector import CLAUSES, SharedVectorFeaturizer

log = logging.getLogger(__name__)
REQUEST = "request_human"


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, strip_accents="unicode", lowercase=True
    )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SharedVectorIntentClassifier(IntentClassifier, GraphComponent):
    @classmethod
    def required_components(cls) -> list[type]:
        return [SharedVectorFeaturizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Measured on the dev sets (decision 0014): C=10, character n-grams weighted as the vector.
        return {"C": 10.0, "ngram_weight": 1.0, "max_iter": 5000, "sentence_intents": [REQUEST]}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage, self._resource = model_storage, resource
        self._classes: list[str] = []
        self._coef: np.ndarray | None = None
        self._intercept: np.ndarray | None = None
        self._ngrams = _vectorizer()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SharedVectorIntentClassifier:
        return cls(config, model_storage, resource)

    @staticmethod
    def _vector(message: Message) -> np.ndarray | None:
        features = message.get_dense_features(TEXT)[1]
        return None if features is None else np.asarray(features.features, dtype=np.float64).reshape(-1)

    def _features(self, vectors: np.ndarray, texts: list[str]) -> csr_matrix:
        weight = float(self._config["ngram_weight"])
        return hstack([csr_matrix(vectors), weight * self._ngrams.transform(texts)]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            (e.get(TEXT), e.get(INTENT), v)
            for e in training_data.intent_examples
            if e.get(INTENT) and e.get(TEXT) and (v := self._vector(e)) is not None
        ]
        texts = [text for text, _, _ in examples]
        self._ngrams.fit(texts)
        # lbfgs on a fixed order of examples: the same data gives the same model, every time.
        clf = LogisticRegression(
            C=float(self._config["C"]), max_iter=int(self._config["max_iter"]), class_weight="balanced"
        )
        clf.fit(self._features(np.stack([v for _, _, v in examples]), texts), [intent for _, intent, _ in examples])
        self._classes, self._coef, self._intercept = [str(c) for c in clf.classes_], clf.coef_, clf.intercept_
        vocabulary = {gram: int(i) for gram, i in self._ngrams.vocabulary_.items()}
        with self._storage.write_to(self._resource) as directory:
            np.savez(
                directory / "intents.npz",
                classes=np.array(self._classes),
                coef=self._coef,
                intercept=self._intercept,
                idf=self._ngrams.idf_,
            )
            (directory / "ngrams.json").write_text(json.dumps(vocabulary, ensure_ascii=False, sort_keys=True))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SharedVectorIntentClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / "intents.npz") as data:
                    component._classes = data["classes"].tolist()
                    component._coef, component._intercept = data["coef"], data["intercept"]
                    idf = data["idf"]
                component._ngrams.vocabulary_ = json.loads((directory / "ngrams.json").read_text())
                component._ngrams.idf_ = idf
        except (ValueError, OSError):
            log.warning("no trained intent classifier in the model")
        return component

    def _probabilities(self, vectors: np.ndarray, texts: list[str]) -> np.ndarray:
        assert self._coef is not None and self._intercept is not None
        logits = self._features(vectors, texts) @ self._coef.T + self._intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            vector = self._vector(message)
            if vector is None or self._coef is None:
                continue
            p = self._probabilities(vector[None, :], [message.get(TEXT) or ""])[0]
            sentences = message.get(CLAUSES) or []
            if sentences:
                vectors = np.stack([np.asarray(v, dtype=np.float64) for _, v in sentences])
                p = self._with_sentences(p, self._probabilities(vectors, [t for t, _ in sentences]))
            ranking = sorted(
                ({"name": name, "confidence": float(conf)} for name, conf in zip(self._classes, p, strict=True)),
                key=lambda r: -r["confidence"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def _with_sentences(self, whole: np.ndarray, sentences: np.ndarray) -> np.ndarray:
        """A sentence that asks for a person makes the message a request; the other intents share
        the rest in their proportions."""
        p = whole.copy()
        for name in self._config["sentence_intents"]:
            if name not in self._classes:
                continue
            i = self._classes.index(name)
            best = float(sentences[:, i].max())
            if best > p[i]:
                rest = 1.0 - p[i]
                p *= (1.0 - best) / rest if rest > 0 else 0.0
                p[i] = best
        return p
