"""The NLU components of Rasa's pipeline (bot/config.yml; bot venv): the featurizer that takes the
API's sentence vectors from a message's metadata (bot/components/shared_vector.py), and the
logistic-regression intent classifier on them (bot/components/intent_classifier.py), trained here
on a tiny training set in a temporary model storage, as Rasa's own tests build one."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from components import shared_vector
from components.intent_classifier import SharedVectorIntentClassifier
from components.shared_vector import CLAUSES, SharedVectorFeaturizer, decode
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

DIM = SharedVectorFeaturizer.DIM


def _b64(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode()


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model", node_name=name)


@pytest.fixture(scope="module")
def featurizer() -> SharedVectorFeaturizer:
    return SharedVectorFeaturizer.create(
        SharedVectorFeaturizer.get_default_config(),
        None,
        None,
        _context("featurizer"),  # type: ignore[arg-type]
    )


def _vector_of(message: Message) -> np.ndarray:
    features = message.get_dense_features(TEXT)[1]
    assert features is not None
    return np.asarray(features.features).reshape(-1)


# ---- decode ---------------------------------------------------------------------------------------


def test_decode_reads_little_endian_float32() -> None:
    vector = np.linspace(-1, 1, DIM, dtype=np.float32)
    decoded = decode(_b64(vector), DIM)
    assert decoded is not None and decoded.dtype == np.float32
    np.testing.assert_array_equal(decoded, vector)


@pytest.mark.parametrize(
    "given",
    [
        _b64(np.zeros(DIM - 1)),  # one number short
        _b64(np.zeros(DIM + 1)),
        base64.b64encode(np.zeros(DIM, dtype="<f8").tobytes()).decode(),  # float64: twice the bytes
        "",
        "not base64!",
        _b64(np.zeros(DIM))[:-4] + "@@@@",
        _b64(np.zeros(DIM)) + "A",  # bad padding
    ],
    ids=["short", "long", "float64", "empty", "garbage", "bad-char", "bad-padding"],
)
def test_decode_refuses_what_is_not_a_vector_of_the_right_length(given: str) -> None:
    assert decode(given, DIM) is None


# ---- the featurizer -----------------------------------------------------------------------------


def test_metadata_vectors_are_used_and_taken_out_of_the_metadata(featurizer: SharedVectorFeaturizer) -> None:
    whole, clause = np.full(DIM, 0.5, dtype=np.float32), np.full(DIM, -0.25, dtype=np.float32)
    metadata: dict[str, Any] = {
        "nlu": {
            "vector": _b64(whole),
            "clauses": [
                {"text": "Kan någon ringa mig?", "vector": _b64(clause)},
                {"text": "broken", "vector": "AAAA"},  # wrong length: skipped
                {"text": "no vector"},
                "not a clause",
            ],
        },
        "turn": {"candidates": []},
    }
    message = Message(data={TEXT: "Min pappa fick fel böcker. Kan någon ringa mig?", "metadata": metadata})
    featurizer.process([message])
    np.testing.assert_array_equal(_vector_of(message), whole)  # not the text's own embedding
    ((text, vector),) = message.get(CLAUSES)
    assert text == "Kan någon ringa mig?"
    np.testing.assert_array_equal(vector, clause)
    assert metadata == {"turn": {"candidates": []}}  # popped from the same dict; the rest stays


def test_messages_without_usable_metadata_are_embedded(featurizer: SharedVectorFeaturizer) -> None:
    texts = ["Hur lånar jag om mina böcker?", "I want to talk to a librarian", "hej"]
    plain = Message(data={TEXT: texts[0]})
    bad_vector = Message(data={TEXT: texts[1], "metadata": {"nlu": {"vector": _b64(np.ones(10))}}})
    not_a_dict = Message(data={TEXT: texts[2], "metadata": {"nlu": "nope"}})
    featurizer.process([plain, bad_vector, not_a_dict])
    expected = featurizer._embed(texts)
    for message, vector in zip([plain, bad_vector, not_a_dict], expected, strict=True):
        got = _vector_of(message)
        assert got.shape == (DIM,) and np.linalg.norm(got) == pytest.approx(1.0, abs=1e-3)
        np.testing.assert_allclose(got, vector, atol=1e-6)
        assert message.get(CLAUSES) is None
    assert not np.allclose(_vector_of(plain), _vector_of(bad_vector))
    assert bad_vector.get("metadata") == {}  # the broken vectors are dropped all the same


def test_a_message_without_text_gets_no_features(featurizer: SharedVectorFeaturizer) -> None:
    message = Message(data={TEXT: ""})
    featurizer.process([message])
    assert message.get_dense_features(TEXT)[1] is None


# ---- the intent classifier ------------------------------------------------------------------------

EXAMPLES = {
    "ask_question": [
        "Hur lånar jag om mina böcker?",
        "Hur länge får jag låna en bok?",
        "Vad kostar det att få ett lånekort?",
        "Hur reserverar jag en bok?",
        "How do I renew my books?",
        "How long can I borrow a book?",
        "What does a library card cost?",
        "How can I reserve a book?",
        "När har biblioteket öppet?",
        "What are the opening hours?",
    ],
    "request_human": [
        "Jag vill prata med en bibliotekarie",
        "Kan jag få prata med en människa?",
        "Jag vill prata med personalen",
        "Koppla mig till en person",
        "I want to talk to a librarian",
        "Can I speak to a human?",
        "I want to talk to the staff",
        "Connect me to a person please",
        "Kan någon ringa mig?",
        "Can someone call me back?",
    ],
    "greet": ["hej", "hej hej", "hallå", "god morgon", "hello", "hi there", "good morning", "hey"],
    "out_of_scope": [
        "Vem vann fotbolls-VM 2018?",
        "Vad blir det för väder imorgon?",
        "Kan du boka en tvättid åt mig?",
        "Who won the world cup in 2018?",
        "What will the weather be tomorrow?",
        "Can you book a table at a restaurant?",
        "Vad kostar en pizza?",
        "How much is a pizza?",
    ],
}


@pytest.fixture(scope="module")
def training_data(featurizer: SharedVectorFeaturizer, tmp_path_factory: pytest.TempPathFactory) -> TrainingData:
    examples = [Message(data={TEXT: t, INTENT: i}) for i, texts in EXAMPLES.items() for t in texts]
    data = TrainingData(training_examples=examples)
    with pytest.MonkeyPatch.context() as mp:  # no cache of the FAQ's vectors: every example is embedded
        mp.setenv("CACHE_DIR", str(tmp_path_factory.mktemp("no-cache")))
        fresh = SharedVectorFeaturizer(SharedVectorFeaturizer.get_default_config(), "training")
        fresh._model = featurizer._model
        fresh.process_training_data(data)
    assert all(e.get_dense_features(TEXT)[1] is not None for e in examples)
    return data


def _train(training_data: TrainingData, path: Path) -> tuple[SharedVectorIntentClassifier, LocalModelStorage, Resource]:
    storage, resource = LocalModelStorage(path), Resource("intent_classifier")
    classifier = SharedVectorIntentClassifier.create(
        SharedVectorIntentClassifier.get_default_config(), storage, resource, _context("intent_classifier")
    )
    assert classifier.train(training_data) == resource
    return classifier, storage, resource


@pytest.fixture(scope="module")
def trained(
    training_data: TrainingData, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SharedVectorIntentClassifier, LocalModelStorage, Resource]:
    return _train(training_data, tmp_path_factory.mktemp("model"))


def _message(featurizer: SharedVectorFeaturizer, text: str, clauses: list[str] | None = None) -> Message:
    """A message as the API sends it: the text's vector, and each sentence's, in the metadata."""
    vectors = featurizer._embed([text, *(clauses or [])])
    nlu: dict[str, Any] = {"vector": _b64(vectors[0])}
    if clauses:
        nlu["clauses"] = [{"text": c, "vector": _b64(v)} for c, v in zip(clauses, vectors[1:], strict=True)]
    message = Message(data={TEXT: text, "metadata": {"nlu": nlu}})
    featurizer.process([message])
    return message


def _ranking(classifier: SharedVectorIntentClassifier, message: Message) -> dict[str, float]:
    classifier.process([message])
    ranking = message.get(INTENT_RANKING_KEY)
    assert message.get(INTENT)["name"] == ranking[0]["name"]
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
    return {r["name"]: r["confidence"] for r in ranking}


QUESTIONS = ["Hur lånar jag om en bok?", "I would like to speak with a librarian", "hejsan", "Vem vinner valet?"]


def test_the_classifier_ranks_every_intent_with_probabilities(trained, featurizer) -> None:  # type: ignore[no-untyped-def]
    classifier, _, _ = trained
    for text in QUESTIONS:
        p = _ranking(classifier, _message(featurizer, text))
        assert set(p) == set(EXAMPLES) and sum(p.values()) == pytest.approx(1.0)
        assert all(0.0 < c < 1.0 for c in p.values())
    # a tiny training set: its own examples, at least, are told apart
    for intent in EXAMPLES:
        for text in EXAMPLES[intent][:2]:
            p = _ranking(classifier, _message(featurizer, text))
            assert max(p, key=p.__getitem__) == intent, (text, p)


def test_persist_and_load_give_the_same_probabilities(trained, featurizer) -> None:  # type: ignore[no-untyped-def]
    classifier, storage, resource = trained
    loaded = SharedVectorIntentClassifier.load(
        SharedVectorIntentClassifier.get_default_config(), storage, resource, _context("intent_classifier")
    )
    assert loaded._classes == classifier._classes
    for text in QUESTIONS:
        before = _ranking(classifier, _message(featurizer, text))
        after = _ranking(loaded, _message(featurizer, text))
        assert after.keys() == before.keys()
        for name, confidence in before.items():
            assert after[name] == pytest.approx(confidence, abs=1e-9)


def test_loading_from_an_empty_storage_leaves_messages_unclassified(featurizer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    storage = LocalModelStorage(tmp_path)
    empty = SharedVectorIntentClassifier.load({}, storage, Resource("nothing"), _context("intent_classifier"))
    message = _message(featurizer, "hej")
    empty.process([message])
    assert message.get(INTENT_RANKING_KEY) is None


def test_a_sentence_asking_for_a_person_lifts_request_human(trained, featurizer) -> None:  # type: ignore[no-untyped-def]
    classifier, _, _ = trained
    situation = "Jag fick en räkning på 450 kronor för en bok som jag lämnade tillbaka i mars. Jag förstår inte varför."
    person = "Kan någon i personalen ringa mig?"
    text = f"{situation} {person}"
    whole = _ranking(classifier, _message(featurizer, text))
    sentences = _ranking(classifier, _message(featurizer, text, [situation, person]))
    alone = _ranking(classifier, _message(featurizer, person))
    assert sentences["request_human"] > whole["request_human"]
    # the largest over the message and its sentences: the person sentence's own probability
    assert sentences["request_human"] == pytest.approx(max(whole["request_human"], alone["request_human"]))
    assert sum(sentences.values()) == pytest.approx(1.0)
    # the other intents keep their proportions
    others = [n for n in whole if n != "request_human"]
    ratio = {n: sentences[n] / whole[n] for n in others}
    assert max(ratio.values()) == pytest.approx(min(ratio.values()))


def test_training_is_deterministic(trained, training_data: TrainingData, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first, _, _ = trained
    second, _, _ = _train(training_data, tmp_path)
    assert second._classes == first._classes
    assert first._coef is not None and second._coef is not None
    np.testing.assert_array_equal(second._coef, first._coef)
    np.testing.assert_array_equal(second._intercept, first._intercept)
    assert second._ngrams.vocabulary_ == first._ngrams.vocabulary_


def test_the_cache_of_faq_vectors_is_read_by_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    text = "Hur lånar jag om mina böcker?"
    cached = np.full(DIM, 0.125, dtype=np.float32)
    np.savez(
        tmp_path / shared_vector.CACHE_FILE,
        keys=np.array([hashlib.sha1(text.encode()).hexdigest()]),
        vectors=cached[None, :],
    )
    monkeypatch.setenv("CACHE_DIR", str(tmp_path))
    featurizer = SharedVectorFeaturizer(SharedVectorFeaturizer.get_default_config(), "cached")
    featurizer._embed = lambda texts: pytest.fail(f"embedded {texts}")  # type: ignore[method-assign]
    message = Message(data={TEXT: text, INTENT: "ask_question"})
    featurizer.process_training_data(TrainingData(training_examples=[message]))
    np.testing.assert_array_equal(_vector_of(message), cached)
