"""Rasa custom actions: thin wrappers that let the API decide what to say.

Each reply goes back to Rasa as a `custom` payload carrying text, language, kind, topic and
buttons, so the API stores exactly what it produced. When the API cannot be reached the
action sends nothing; the API notices the empty turn and answers from the FAQ itself.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import bot_respond

log = logging.getLogger(__name__)


class ApiAction(Action):
    action_name = ""
    api_action = ""

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        turn = {
            "conversation_id": tracker.sender_id,
            "action": self.api_action,
            "text": message.get("text") or "",
            "intent": intent.get("name"),
            "confidence": intent.get("confidence"),
        }
        try:
            replies = await bot_respond(turn)
        except Exception as exc:  # noqa: BLE001 - any failure: the API falls back by itself
            log.warning("API unreachable from %s: %s", self.action_name, exc)
            return []
        for reply in replies:
            dispatcher.utter_message(json_message=reply)
        return []


class ActionAnswerFaq(ApiAction):
    action_name, api_action = "action_answer_faq", "answer_faq"


class ActionOutOfScope(ApiAction):
    action_name, api_action = "action_out_of_scope", "out_of_scope"


class ActionRequestHuman(ApiAction):
    action_name, api_action = "action_request_human", "request_human"


class ActionChooseLanguage(ApiAction):
    action_name, api_action = "action_choose_language", "choose_language"
