"""A second opinion on Rasa's `request_human`, `out_of_scope` and small talk.

DIET's confidences saturate (1.0 for nearly every message), so they cannot say when a long
situational message ("my grandfather can't leave the house since his operation but loves
reading", "half-way through the novel and it's due tomorrow") was mistaken for a request for a
person or for small talk about something else. Retrieval can: such a message is clearly closer
to an FAQ question than to the intent's own examples in data/nlu (all languages, the same
embedding space as the FAQ). A clear FAQ match then wins, but only when the message is not
close to the intent's examples.

Thresholds measured on tests/devset (docs/quality.md):
- request_human: real requests score 0.885-0.95 against the examples; mistaken situations
  0.86-0.89, with the FAQ match at least 0.013 closer.
- out_of_scope: mistaken library questions have the FAQ match 0.028-0.08 closer than the
  off-topic examples; real off-topic messages at most 0.024.
- the other way round, a request for a person read as a question ("kan en anställd ta över den
  här konversationen?"): all 31 lines scoring 0.925 or more against the request_human examples
  were requests; between 0.89 and 0.925 no library question was 0.005 closer to the request
  examples than to its FAQ match, while 12 of the 17 requests were.
- greet, thanks, goodbye: real ones score 0.909 or more against the examples, every FAQ match at
  least 0.035 further away; questions mistaken for them ("is there a page where I can see which
  books I have at home") 0.81-0.86, with the FAQ match 0.03-0.10 closer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from api.faq.retrieval import Match, get_index
from api.language.greetings import SMALLTALK_INTENTS
from api.language.intent_examples import intent_examples


@dataclass(frozen=True)
class Rule:
    below: float  # top-3 mean cosine to the intent's examples must be under this
    lead: float  # and the FAQ match this much closer than those examples


RULES = {
    "request_human": Rule(below=0.90, lead=0.01),
    "out_of_scope": Rule(below=0.90, lead=0.026),
    **{intent: Rule(below=0.90, lead=0.02) for intent in SMALLTALK_INTENTS},
}

_examples: dict[str, np.ndarray] = {}
_lock = threading.Lock()


def _intent_examples(intent: str) -> np.ndarray:
    with _lock:
        if intent not in _examples:
            texts = [text for examples in intent_examples(intent).values() for text in examples]
            embedder = get_index().embedder
            _examples[intent] = embedder.embed(texts)
            embedder.save()
        return _examples[intent]


def closeness(intent: str, query: np.ndarray) -> float:
    """How close an embedded message is to the intent's examples: the mean of the 3 closest."""
    examples = _intent_examples(intent)
    return float(np.sort(examples @ query)[-3:].mean()) if len(examples) else 1.0


def intent_similarity(intent: str, text: str) -> float:
    return closeness(intent, get_index().embedder.embed_uncached(text))


def mistaken_intent(intent: str, query: np.ndarray, best: Match) -> bool:
    """True when a message Rasa read as `intent` is really the FAQ question `best`."""
    rule = RULES.get(intent)
    if rule is None:
        return False
    similarity = closeness(intent, query)
    return similarity < rule.below and best.dense - similarity > rule.lead


# A message close to the request_human examples, and closer to them than to any FAQ question,
# asks for a person whatever the intent classifier said.
SURELY_A_PERSON = 0.925  # this close: when no closer to the best FAQ question
LIKELY_A_PERSON = 0.89  # this close: when PERSON_LEAD closer than to it
PERSON_LEAD = 0.005


def wants_a_person(query: np.ndarray, best: Match | None) -> bool:
    similarity = closeness("request_human", query)
    if similarity < LIKELY_A_PERSON:
        return False
    lead = similarity - (best.dense if best is not None else 0.0)
    if not (lead >= PERSON_LEAD or (similarity >= SURELY_A_PERSON and lead >= 0)):
        return False
    # Thanks can be as close ("kiitos paljon, ihana ihminen"): a request is closer to requests.
    return all(closeness(intent, query) < similarity for intent in SMALLTALK_INTENTS)
