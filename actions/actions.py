"""Rasa's custom action: the reply policy, run on what Rasa understood and what the API found.

The API sends each message with the FAQ candidates it found in the live content (metadata
`turn`); Rasa adds its intent probabilities. `action_reply` decides (actions/reply_policy.py) and
hands the decision back as a `custom` payload; the API writes the reply in the resident's
language from the content it owns. Nothing here calls back into the API
(docs/decisions/0014-one-pass-turn.md).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.reply_policy import Understanding, decide

TURN_METADATA = "turn"  # the API's part of a message's metadata (api/conversations/understanding.py)


def understanding(tracker: Tracker) -> Understanding:
    message = tracker.latest_message or {}
    intents = {str(r["name"]): float(r["confidence"]) for r in message.get("intent_ranking") or [] if "name" in r}
    if not intents and (message.get("intent") or {}).get("name"):  # "/request_human": no ranking
        intent = message["intent"]
        intents = {str(intent["name"]): float(intent.get("confidence") or 1.0)}
    turn = (message.get("metadata") or {}).get(TURN_METADATA) or {}
    return Understanding.from_dict(turn if isinstance(turn, dict) else {}, intents)


class ActionReply(Action):
    def name(self) -> str:
        return "action_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(json_message={"decision": decide(understanding(tracker)).to_dict()})
        return []
