"""The multi-turn scoring of make eval (scripts/conversation_eval.py), against a scripted API."""

from __future__ import annotations

import io
import json

import httpx

from scripts import conversation_eval

CONVERSATION = {
    "id": "sv-01",
    "lang": "sv",
    "turns": [
        {"text": "Hur får jag ett lånekort?", "expect": "topic:card.get"},
        {"text": "och om jag bor i Solna?", "expect": "topic:card.other_municipality", "follow": "ellipsis"},
        {"text": "can you answer in English", "expect": "language", "follow": "language", "reply_lang": "en"},
        {"text": "tack!", "expect": "thanks", "follow": "closing", "reply_lang": "en"},
    ],
}


def _api(replies: list[dict[str, object]]) -> httpx.Client:
    """Answers the conversation's messages in order with `replies`."""
    sent: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/conversations":
            return httpx.Response(201, json={"id": "c1", "token": "t"})
        assert request.headers["Authorization"] == "Bearer t"
        sent.append(json.loads(request.content)["text"])
        return httpx.Response(200, json={"messages": [replies[len(sent) - 1]]})

    return httpx.Client(base_url="http://api.test", transport=httpx.MockTransport(handle))


def test_every_turn_right_makes_the_conversation_right() -> None:
    replies = [
        {"kind": "faq", "topic": "card.get", "language": "sv"},
        {"kind": "faq", "topic": "card.other_municipality", "language": "sv"},
        {"kind": "system", "topic": None, "language": "en"},
        {"kind": "smalltalk", "topic": None, "language": "en"},
    ]
    turns = conversation_eval.run(_api(replies), CONVERSATION, {"sv", "en"})
    assert [t.ok for t in turns] == [True] * 4 and all(t.language_ok for t in turns)
    summary = conversation_eval.report([turns], out=io.StringIO())
    assert summary["conversations:sv"] == {
        "n": 1,
        "first": 1.0,
        "follow_ups": 1.0,
        "whole": 1.0,
        "language_accuracy": 1.0,
    }


def test_a_follow_up_answered_alone_and_a_switch_that_did_not_stick_are_misses() -> None:
    replies = [
        {"kind": "faq", "topic": "card.get", "language": "sv"},
        {"kind": "faq", "topic": "card.get", "language": "sv"},  # the follow-up read as the first question
        {"kind": "system", "topic": None, "language": "en"},
        {"kind": "smalltalk", "topic": None, "language": "sv"},  # right kind, but back in Swedish
    ]
    turns = conversation_eval.run(_api(replies), CONVERSATION, {"sv", "en"})
    assert [t.ok for t in turns] == [True, False, True, True]
    assert [t.language_ok for t in turns] == [True, True, True, False]
    out = io.StringIO()
    summary = conversation_eval.report([turns], out=out)
    row = summary["conversations:sv"]
    assert (row["first"], row["whole"]) == (1.0, 0.0)
    assert abs(row["follow_ups"] - 2 / 3) < 1e-9 and row["language_accuracy"] == 0.75
    assert summary["follow:ellipsis"] == {"n": 1, "accuracy": 0.0}
    assert "[sv-01 #2 ellipsis] expected topic:card.other_municipality, got faq:card.get" in out.getvalue()
