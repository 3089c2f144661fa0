"""A Rasa graph component: intents from the shared sentence vector, with probabilities that mean
something.

DIET over sparse n-grams gave a confidence of 1.0 to nearly every message, right or wrong, so no
threshold could say "not sure" (docs/decisions/0014-one-pass-turn.md). A multinomial logistic
regression over the e5 sentence vector is trained in seconds, deterministically, and its
probabilities are close to calibrated: a policy can act on them.

A request for a person is often one sentence inside a longer situation ("... I have been
charged twice. Can someone at the library look into it?"): the whole message reads as a
question. The API sends a vector per clause as well, and the probability of `request_human`
is the largest over the message and its clauses.
"""

from __future__ import annotations

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
from sklearn.linear_model import LogisticRegression

from components.shared_vector import CLAUSE_VECTORS, SharedVectorFeaturizer

log = logging.getLogger(__name__)
REQUEST = "request_human"


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
        # C: measured by cross-validation on the training examples (decision 0014).
        return {"C": 3.0, "max_iter": 3000, "clause_intents": [REQUEST]}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classes: list[str] | None = None,
        coef: np.ndarray | None = None,
        intercept: np.ndarray | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage, self._resource = model_storage, resource
        self._classes = classes or []
        self._coef = coef
        self._intercept = intercept

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> SharedVectorIntentClassifier:
        return cls(config, model_storage, resource)

    @staticmethod
    def _vector(message: Message) -> np.ndarray | None:
        features = message.get_dense_features(TEXT)[1]
        return None if features is None else np.asarray(features.features, dtype=np.float64).reshape(-1)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        X = np.stack([v for e in examples if (v := self._vector(e)) is not None])
        y = [e.get(INTENT) for e in examples if self._vector(e) is not None]
        # lbfgs on a fixed order of examples: the same data gives the same model, every time.
        clf = LogisticRegression(C=float(self._config["C"]), max_iter=int(self._config["max_iter"]), class_weight="balanced")
        clf.fit(X, y)
        self._classes, self._coef, self._intercept = [str(c) for c in clf.classes_], clf.coef_, clf.intercept_
        with self._storage.write_to(self._resource) as directory:
            np.savez(directory / "intents.npz", classes=np.array(self._classes), coef=self._coef, intercept=self._intercept)
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
        try:
            with model_storage.read_from(resource) as directory, np.load(directory / "intents.npz") as data:
                return cls(config, model_storage, resource, data["classes"].tolist(), data["coef"], data["intercept"])
        except (ValueError, OSError):
            log.warning("no trained intent classifier in the model")
            return cls(config, model_storage, resource)

    def _probabilities(self, X: np.ndarray) -> np.ndarray:
        assert self._coef is not None and self._intercept is not None
        logits = X @ self._coef.T + self._intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            vector = self._vector(message)
            if vector is None or self._coef is None:
                continue
            p = self._probabilities(vector[None, :])[0]
            clauses = message.get(CLAUSE_VECTORS)
            if clauses is not None and len(clauses):
                p = self._with_clauses(p, self._probabilities(np.asarray(clauses, dtype=np.float64)))
            ranking = sorted(
                ({"name": name, "confidence": float(conf)} for name, conf in zip(self._classes, p, strict=True)),
                key=lambda r: -r["confidence"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def _with_clauses(self, whole: np.ndarray, clauses: np.ndarray) -> np.ndarray:
        """A clause that asks for a person makes the message a request; the other intents share
        the rest in their proportions."""
        p = whole.copy()
        for name in self._config["clause_intents"]:
            if name not in self._classes:
                continue
            i = self._classes.index(name)
            best = float(clauses[:, i].max())
            if best > p[i]:
                rest = 1.0 - p[i]
                scale = (1.0 - best) / rest if rest > 0 else 0.0
                p = p * scale
                p[i] = best
        return p
