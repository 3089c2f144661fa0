"""Action server tests (bot venv): `action_reply` decides from what Rasa understood (the intent
ranking) and what the API found (the FAQ candidates in the message's metadata `turn`), and hands
the decision back as a custom payload {"decision": {...}}. It calls nothing: no API, no network."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import actions as bot_actions
from actions import reply_policy


def _tracker(latest: dict[str, Any] | None) -> Tracker:
    return Tracker("conv-1", {}, latest, [], False, None, {}, "action_listen")


def _message(
    text: str = "hej",
    ranking: dict[str, float] | None = None,
    metadata: Any = None,
    intent: dict[str, Any] | None = None,
) -> dict[str, Any]:
    ranked = sorted((ranking or {}).items(), key=lambda kv: -kv[1])
    message: dict[str, Any] = {
        "text": text,
        "intent": intent
        if intent is not None
        else ({"name": ranked[0][0], "confidence": ranked[0][1]} if ranked else {}),
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranked],
        "entities": [],
    }
    if metadata is not None:
        message["metadata"] = metadata
    return message


def _turn(*candidates: tuple[str, float], unsupported_language: bool = False) -> dict[str, Any]:
    return {
        "turn": {
            "candidates": [{"topic": t, "confidence": c} for t, c in candidates],
            "unsupported_language": unsupported_language,
        }
    }


def _decide(latest: dict[str, Any] | None) -> dict[str, Any]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(bot_actions.ActionReply().run(dispatcher, _tracker(latest), {}))
    assert events == []
    (message,) = dispatcher.messages  # exactly one payload per turn
    assert set(message["custom"]) == {"decision"}
    return message["custom"]["decision"]


def test_the_action_is_named_as_in_the_rules() -> None:
    assert bot_actions.ActionReply().name() == "action_reply"


def test_a_confident_candidate_is_answered_from_the_faq() -> None:
    decision = _decide(
        _message("Hur lånar jag om?", {"ask_question": 0.9, "out_of_scope": 0.05}, _turn(("loan.renew", 0.83)))
    )
    assert decision == {
        "kind": "faq",
        "topic": "loan.renew",
        "options": [],
        "intent": None,
        "confidence": pytest.approx(0.83),
    }


def test_weaker_candidates_are_offered_best_first_and_at_most_three() -> None:
    metadata = _turn(("loan.renew", 0.3), ("loan.reserve", 0.25), ("card.pin", 0.2), ("fees.late", 0.16), ("x", 0.1))
    decision = _decide(_message("lån", {"ask_question": 0.9}, metadata))
    assert decision["kind"] == "clarify"
    assert decision["options"] == ["loan.renew", "loan.reserve", "card.pin"]
    assert decision["confidence"] == pytest.approx(0.3)


def test_a_library_question_no_topic_covers_is_not_covered() -> None:
    decision = _decide(_message("finns det mikro?", {"ask_question": 0.8}, _turn(("loan.renew", 0.05))))
    assert decision["kind"] == "not_covered" and decision["topic"] is None
    assert decision["confidence"] == pytest.approx(0.95)


def test_the_intent_ranking_decides_handoff_small_talk_off_topic_and_language() -> None:
    faq = _turn(("loan.renew", 0.9))  # even with a sure FAQ candidate
    assert _decide(_message("en människa", {"request_human": 0.7, "ask_question": 0.3}, faq))["kind"] == "handoff"
    small = _decide(_message("tack!", {"thanks": 0.8, "ask_question": 0.2}, faq))
    assert (small["kind"], small["intent"]) == ("smalltalk", "thanks")
    assert _decide(_message("VM 2018?", {"out_of_scope": 0.6, "ask_question": 0.4}, faq))["kind"] == "out_of_scope"
    assert _decide(_message("in English", {"choose_language": 0.7}, faq))["kind"] == "language"


def test_the_whole_ranking_counts_not_only_the_top_intent() -> None:
    # request_human is not the top intent of the ranking here but passes the limit on its own.
    ranking = {"request_human": reply_policy.PERSON, "ask_question": reply_policy.PERSON}
    assert _decide(_message("?", ranking, _turn(("loan.renew", 0.9))))["kind"] == "handoff"
    below = {"request_human": reply_policy.PERSON - 0.01, "ask_question": 1 - reply_policy.PERSON + 0.01}
    assert _decide(_message("?", below, _turn(("loan.renew", 0.9))))["kind"] == "faq"


def test_an_unsupported_language_is_not_called_off_topic() -> None:
    # German reads as off-topic to the classifier; the API's flag lets the FAQ decide.
    ranking = {"out_of_scope": 0.9, "ask_question": 0.1}
    assert _decide(_message("Wie verlängere ich?", ranking, _turn(("loan.renew", 0.7))))["kind"] == "out_of_scope"
    flagged = _turn(("loan.renew", 0.7), unsupported_language=True)
    assert _decide(_message("Wie verlängere ich?", ranking, flagged))["topic"] == "loan.renew"


def test_a_button_message_without_ranking_uses_its_intent() -> None:
    # "/request_human" (the person button): Rasa gives the intent, no ranking and no metadata.
    latest = {"text": "/request_human", "intent": {"name": "request_human", "confidence": 1.0}, "entities": []}
    decision = _decide(latest)
    assert decision["kind"] == "handoff" and decision["confidence"] == pytest.approx(1.0)
    # an intent without a confidence counts as sure
    assert _decide({"text": "/request_human", "intent": {"name": "request_human"}})["kind"] == "handoff"
    # an empty ranking falls back to the intent too
    assert _decide(_message("/greet", intent={"name": "greet", "confidence": 1.0}))["kind"] == "smalltalk"


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        {},
        {"turn": None},
        {"turn": "loan.renew"},
        {"turn": ["loan.renew"]},
        {"turn": {"candidates": None}},
        {"turn": {"candidates": [{"topic": "loan.renew"}, {"confidence": 0.9}, "loan.renew", None]}},
        {"nlu": {"vector": "AAAA"}},
    ],
    ids=["none", "empty", "turn-null", "turn-str", "turn-list", "cands-null", "cands-broken", "only-nlu"],
)
def test_missing_or_malformed_metadata_means_no_candidates(metadata: Any) -> None:
    decision = _decide(_message("lån", {"ask_question": 0.9}, metadata))
    assert decision["kind"] == "not_covered" and decision["options"] == []
    # ... while the intents still count
    assert _decide(_message("hej", {"greet": 0.9}, metadata))["kind"] == "smalltalk"


def test_broken_candidates_are_skipped_and_good_ones_kept() -> None:
    metadata = {"turn": {"candidates": [{"topic": "x"}, "y", {"topic": "loan.renew", "confidence": 0.8}]}}
    assert _decide(_message("lån", {"ask_question": 0.9}, metadata))["topic"] == "loan.renew"


def test_no_latest_message_is_not_covered_not_a_crash() -> None:
    assert _decide(None)["kind"] == "not_covered"
    assert _decide({})["kind"] == "not_covered"


def test_the_payload_round_trips_to_the_decision_the_api_reads() -> None:
    payload = _decide(_message("lån", {"ask_question": 0.9}, _turn(("loan.renew", 0.3), ("card.pin", 0.2))))
    decision = reply_policy.Decision.from_dict(payload)
    assert decision == reply_policy.Decision("clarify", options=("loan.renew", "card.pin"), confidence=0.3)
