"""Action server tests (bot venv): each action calls the real API and relays its replies.

The API runs as a real process on a temporary SQLite database (started by the fixture).
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.request

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import actions as bot_actions


def _tracker(sender: str, text: str, intent: str, confidence: float = 0.95) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    return Tracker(sender, {}, latest, [], False, None, {}, "action_listen")


def _new_conversation(api_url: str) -> str:
    req = urllib.request.Request(
        f"{api_url}/api/conversations",
        data=json.dumps({"locale": "sv"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)["id"]


def _run(action, tracker: Tracker) -> list[dict]:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    assert events == []
    return [m["custom"] for m in dispatcher.messages]


def test_answer_faq_relays_the_api_reply(api_url: str) -> None:
    conv = _new_conversation(api_url)
    (reply,) = _run(bot_actions.ActionAnswerFaq(), _tracker(conv, "Hur lånar jag om mina böcker?", "ask_question"))
    assert (reply["kind"], reply["topic"], reply["language"]) == ("faq", "loan.renew", "sv")


def test_each_action_has_its_kind(api_url: str) -> None:
    conv = _new_conversation(api_url)
    cases = [
        (bot_actions.ActionOutOfScope(), "Vem vann matchen igår?", "out_of_scope", "out_of_scope"),
        (bot_actions.ActionRequestHuman(), "Jag vill prata med en människa", "request_human", "handoff"),
        (bot_actions.ActionChooseLanguage(), "Can you answer in English?", "choose_language", "system"),
    ]
    for action, text, intent, kind in cases:
        (reply,) = _run(action, _tracker(conv, text, intent, 0.99))
        assert reply["kind"] == kind, (action.name(), reply)


def test_api_down_means_no_reply_so_the_api_falls_back(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("actions.api_client.API_URL", "http://127.0.0.1:9")
    assert _run(bot_actions.ActionAnswerFaq(), _tracker("x", "hej", "ask_question")) == []


def test_wrong_internal_token_is_refused(api_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INTERNAL_TOKEN", "wrong")
    assert _run(bot_actions.ActionAnswerFaq(), _tracker(_new_conversation(api_url), "hej", "ask_question")) == []
    assert os.environ["INTERNAL_TOKEN"] == "wrong"
