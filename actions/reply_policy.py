"""The reply policy: what kind of reply a resident's message gets. The one place that decides.

Inputs are two calibrated understandings of the message, from the two parts that own them:
- the intent probabilities, from Rasa's classifier (bot/components/intent_classifier.py);
- the FAQ candidates, from the API's retrieval over the live content, each with the probability
  that it is the right answer (api/faq/confidence.py);
- after an answer, the FAQ candidates of the message read together with it (a follow-up).

Both are probabilities measured on held-out data, so the limits below are probabilities too,
not scores tuned line by line (docs/decisions/0014-one-pass-turn.md). The action server runs
it for every message Rasa understands; the API runs the same function when Rasa is down (with
no intents) and in the coordinators' try-it box, so all three agree.

Changing when the assistant hands over to a person means changing this module and its tests.

Pure Python without dependencies: both environments import it (the action server's and the API's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

Kind = Literal["faq", "clarify", "not_covered", "handoff", "out_of_scope", "smalltalk", "language"]
KINDS: tuple[str, ...] = ("faq", "clarify", "not_covered", "handoff", "out_of_scope", "smalltalk", "language")

# A request for a person: Rasa's probability of `request_human` (the largest over the message and
# its sentences). A wrong handoff costs a resident a wait; a missed one, an answer they did not want.
PERSON = 0.5
# Off-topic: the probability of `out_of_scope`. Off-topic questions must never get an FAQ answer,
# so this is checked before the FAQ, and only a real question reaches the FAQ. Above one half: a
# message the classifier is unsure of still needs a likely FAQ topic (ANSWER) to be answered, while
# at 0.5 it lost library questions of the dev sets (docs/decisions/0014-one-pass-turn.md).
OFF_TOPIC = 0.6
# The FAQ answers when its best candidate is this likely to be the right answer.
ANSWER = 0.4
# A message of one or two words ("kort", "böcker") fits several topics, and the calibration (fitted
# on sentences) overrates it: it is answered only when its best topic is this many times as likely
# as the next one; otherwise the likely topics are offered. No dev or held-out line changes.
SHORT_WORDS = 2
SHORT_LEAD = 2.0
# Below that, candidates at least this likely are offered as buttons ("did you mean ...?").
OFFER = 0.15
MAX_OFFERS = 3
# A follow-up ("and e-books?", "for my son?", "can I renew it online?"): the message read together
# with the last answer is answered when its best topic is likelier than the message's own best
# reading by this much, and likely enough to answer (ANSWER). A question on a new topic reads
# better alone, so it does not stick to the old one (docs/decisions/0015-conversation-context.md).
FOLLOW_UP_LEAD = 0.0
# A request for another language, before an answer or after one.
LANGUAGE = 0.5
# After an answer, what the message does is read from the message alone, by the intent classifier
# trained for it (docs/decisions/0015-conversation-context.md): "that didn't help" (`not_helped`:
# "still not working", "I already tried all that") counts as a request for a person (PERSON);
# "is it free?", "and for my son?" (`follow_up`) are questions about the answer, not off-topic;
# "no, I mean the app" (`correction`): the topic just answered was the wrong one, so the message
# is answered from the other topics of its readings.
CORRECTION = 0.5
# Greetings, thanks and goodbyes: the most likely intent, and at least this likely.
SMALL_TALK = 0.5
SMALL_TALK_INTENTS = ("greet", "thanks", "goodbye")


@dataclass(frozen=True)
class Candidate:
    topic: str
    confidence: float  # the probability that this topic answers the message
    # The message is, word for word, a question variant coordinators put on this topic.
    exact: bool = False


@dataclass(frozen=True)
class Context:
    """What the conversation said last (docs/decisions/0015-conversation-context.md): the topic the
    assistant last answered, and the FAQ candidates for the message read as a follow-up to it."""

    topic: str | None = None
    candidates: Sequence[Candidate] = ()


def _candidates(data: object) -> tuple[Candidate, ...]:
    out = []
    for c in data if isinstance(data, list | tuple) else []:
        if isinstance(c, Mapping) and _clean(c.get("topic")) and isinstance(c.get("confidence"), int | float):
            out.append(Candidate(str(c["topic"]), float(c["confidence"]), c.get("exact") is True))
    return tuple(out)


@dataclass(frozen=True)
class Understanding:
    """What is known of one message. `intents` is empty when Rasa was not asked (it is down)."""

    intents: Mapping[str, float] = field(default_factory=dict)
    candidates: Sequence[Candidate] = ()
    # Written in a language we do not support (German, French...): the intent classifier never saw
    # one and reads much of it as off-topic; the FAQ, which matches across languages, decides that.
    unsupported_language: bool = False
    words: int | None = None  # how many words the message has (None: not known)
    context: Context | None = None  # None: nothing answered yet in this conversation

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], intents: Mapping[str, float] | None = None) -> Understanding:
        """What the API sent along with the message; a malformed candidate is left out."""
        words = data.get("words")
        words = words if isinstance(words, int) and not isinstance(words, bool) and words >= 0 else None
        context = None
        raw = data.get("context")
        if isinstance(raw, Mapping):
            topic = raw.get("topic") if _clean(raw.get("topic")) else None
            context = Context(topic, _candidates(raw.get("candidates")))
        return cls(
            dict(intents or {}),
            _candidates(data.get("candidates")),
            bool(data.get("unsupported_language")),
            words,
            context,
        )


@dataclass(frozen=True)
class Decision:
    kind: Kind
    topic: str | None = None  # faq: the topic that answers
    options: tuple[str, ...] = ()  # clarify: the topics offered
    intent: str | None = None  # smalltalk: greet, thanks or goodbye
    # 0-1: how sure; shown to coordinators in try-it and kept in the logs' numbers
    confidence: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["options"] = list(self.options)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """A decision as it comes back from the action server; ValueError unless it is one this
        module could have made (so a mismatched bot side cannot make the API write nonsense)."""
        kind, topic, intent = data.get("kind"), data.get("topic"), data.get("intent")
        options = data.get("options") or []
        if kind not in KINDS:
            raise ValueError(f"unknown decision kind {kind!r}")
        if (kind == "faq" and not _clean(topic)) or (topic is not None and not _clean(topic)):
            raise ValueError("a decision's topic must be a topic id")
        if not isinstance(options, list | tuple) or not all(_clean(o) for o in options):
            raise ValueError("a decision's options must be topic ids")
        if (kind == "smalltalk" and intent not in SMALL_TALK_INTENTS) or (intent is not None and not _clean(intent)):
            raise ValueError(f"not a small-talk intent: {intent!r}")
        confidence = data.get("confidence") or 0.0
        if not isinstance(confidence, int | float):
            raise ValueError("a decision's confidence must be a number")
        return cls(kind=kind, topic=topic, options=tuple(options), intent=intent, confidence=float(confidence))


def _clean(value: object) -> bool:
    """A short identifier-like string: a topic id or an intent name."""
    return isinstance(value, str) and 0 < len(value) <= 100 and value.isprintable()


def _clear(candidates: Sequence[Candidate], words: int | None) -> bool:
    """The best candidate stands out enough for a message of this length (whichever reading)."""
    if words is None or words > SHORT_WORDS or len(candidates) < 2:
        return True
    return candidates[0].confidence >= SHORT_LEAD * candidates[1].confidence


def _follow_up(u: Understanding) -> Candidate | None:
    """The best topic of the message read as a follow-up, when that reading is the better one."""
    if u.context is None or not u.context.candidates:
        return None
    follow = u.context.candidates[0]
    alone = u.candidates[0].confidence if u.candidates else 0.0
    clear = _clear(u.context.candidates, u.words)
    if follow.confidence >= ANSWER and follow.confidence > alone + FOLLOW_UP_LEAD and clear:
        return follow
    return None


def _corrected(u: Understanding) -> Decision | None:
    """The answer to a correction: the likeliest other topic, of either reading."""
    assert u.context is not None
    wrong = u.context.topic
    pooled: dict[str, Candidate] = {}
    for c in (*u.candidates, *u.context.candidates):
        if c.topic != wrong and (c.topic not in pooled or c.confidence > pooled[c.topic].confidence):
            pooled[c.topic] = c
    others = sorted(pooled.values(), key=lambda c: -c.confidence)
    if others and others[0].confidence >= ANSWER and _clear(others, u.words):
        return Decision("faq", topic=others[0].topic, confidence=others[0].confidence)
    return None


def decide(u: Understanding) -> Decision:
    p = dict(u.intents)
    if u.unsupported_language:
        p.pop("out_of_scope", None)
    best = u.candidates[0] if u.candidates else None
    context = u.context  # None before the first answer
    # Alone, "the app still doesn't work" is a question the FAQ may answer; after an answer, it
    # says the answer did not help.
    person = p.get("request_human", 0.0) + (p.get("not_helped", 0.0) if context is not None else 0.0)
    if person >= PERSON:
        return Decision("handoff", confidence=person)
    # A wording that coordinators put on a topic is that topic, from the moment it is live: the
    # content decides without a retraining, whatever the trained intents make of it.
    exact = next((c for c in u.candidates if c.exact), None)
    if exact is not None:
        return Decision("faq", topic=exact.topic, confidence=exact.confidence)
    top = max(p, key=lambda name: p[name]) if p else None
    if top in SMALL_TALK_INTENTS and p[top] >= SMALL_TALK:
        return Decision("smalltalk", intent=top, confidence=p[top])
    language = p.get("choose_language", 0.0)
    if language >= LANGUAGE:
        return Decision("language", confidence=language)
    if p.get("out_of_scope", 0.0) >= OFF_TOPIC:
        return Decision("out_of_scope", confidence=p["out_of_scope"])
    if context is not None and p.get("correction", 0.0) >= CORRECTION:
        corrected = _corrected(u)
        if corrected is not None:
            return corrected
        # No other topic is likely enough: asked back, without the topic just answered.
        u = replace(u, candidates=tuple(c for c in u.candidates if c.topic != context.topic), context=None)
        best = u.candidates[0] if u.candidates else None
    follow = _follow_up(u)
    if follow is not None:
        return Decision("faq", topic=follow.topic, confidence=follow.confidence)
    if best is not None and best.confidence >= ANSWER and _clear(u.candidates, u.words):
        return Decision("faq", topic=best.topic, confidence=best.confidence)
    options = tuple(c.topic for c in u.candidates if c.confidence >= OFFER)[:MAX_OFFERS]
    if options:
        return Decision("clarify", options=options, confidence=best.confidence if best else 0.0)
    # A library question no topic covers: an honest "I don't know" and a person.
    return Decision("not_covered", confidence=1.0 - (best.confidence if best else 0.0))
