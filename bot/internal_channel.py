"""The API's private door into Rasa (issue 13, point 3): deleting a conversation's tracker when
the resident deletes the conversation or retention expires it. Registered as an input channel
in bot/credentials.yml, so it is served at /webhooks/internal/..., and guarded by the shared
X-Internal-Token (the header only). It deletes by sender id, whatever the tracker store is: the
bounded in-memory store of today, and Rasa's SQL or Redis stores for the day trackers move there.

  POST   /webhooks/internal/trackers/delete       {"conversations": [id, ...]}  -> {"deleted": n}
  DELETE /webhooks/internal/conversations/<id>                                  -> {"deleted": n}
  GET    /webhooks/internal/conversations/<id>    -> {"events": n}: how many events Rasa holds (a count, no content)
  POST   /webhooks/internal/parse                 {"text", "metadata"} -> {"intent_ranking": [...]}

`parse` is the coordinators' try-it box: the intents of a text understood exactly as a resident's
message (the same metadata, so the same vectors), without a conversation or a tracker. Rasa's
own /model/parse takes no metadata and needs the whole HTTP API enabled.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore, TrackerStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

log = logging.getLogger(__name__)

MAX_IDS = 1000  # per request; the API sends batches of 500
MAX_TEXT = 4000


def _stores(store: TrackerStore) -> List[TrackerStore]:
    """The real store(s) behind Rasa's wrappers (FailSafeTrackerStore, AwaitableTrackerStore),
    including the fail-safe's in-memory fallback, which holds trackers the primary store refused."""
    found: List[TrackerStore] = []
    pending = [store]
    while pending:
        current = pending.pop()
        inner = getattr(current, "_tracker_store", None)
        fallback = getattr(current, "_fallback_tracker_store", None)
        if inner is None:
            found.append(current)
        else:
            pending.append(inner)
        if fallback is not None:
            pending.append(fallback)
    return found


async def forget(store: TrackerStore, sender_id: Text) -> int:
    """Deletes every event of one conversation from one store; returns how many trackers went."""
    delete = getattr(store, "delete", None)
    if delete is not None:  # bot/bounded_tracker_store.py
        return int(bool(await delete(sender_id)))
    if isinstance(store, SQLTrackerStore):  # every session of the conversation, by sender id
        with store.session_scope() as session:
            gone = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete()
            session.commit()
        return int(bool(gone))
    if isinstance(store, RedisTrackerStore):
        return int(store.red.delete(store.key_prefix + sender_id))
    if isinstance(store, InMemoryTrackerStore):
        return int(store.store.pop(sender_id, None) is not None)
    raise NotImplementedError(f"cannot delete from a {store.__class__.__name__}")


async def _event_count(store: TrackerStore, sender_id: Text) -> int:
    tracker = await store.retrieve_full_tracker(sender_id)
    return len(tracker.events) if tracker is not None else 0


class InternalChannel(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "internal"

    def __init__(self, token: Text) -> None:
        self.token = token.encode()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        token = str((credentials or {}).get("token") or os.environ.get("INTERNAL_TOKEN") or "")
        if not token:
            raise ValueError("the internal channel needs the shared INTERNAL_TOKEN")
        return cls(token)

    def _allowed(self, request: Request) -> bool:
        given = (request.headers.get("X-Internal-Token") or "").encode("utf-8", "replace")
        return hmac.compare_digest(given, self.token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("internal_trackers", __name__)

        async def delete_all(request: Request, ids: List[Text]) -> HTTPResponse:
            agent = request.app.ctx.agent
            deleted = 0
            try:
                for sender_id in ids:
                    # The conversation's lock: a turn in progress finishes (and saves) first.
                    async with agent.lock_store.lock(sender_id):
                        for store in _stores(agent.tracker_store):
                            deleted += await forget(store, sender_id)
            except NotImplementedError as exc:
                return response.json({"detail": str(exc)}, status=501)
            for store in _stores(agent.tracker_store):
                sweep = getattr(store, "sweep", None)
                if sweep is not None:
                    sweep()  # also runs when nobody writes: trackers past their idle bound go
            log.info("deleted %d trackers of %d conversations", deleted, len(ids))
            return response.json({"deleted": deleted})

        @bp.route("/trackers/delete", methods=["POST"])
        async def delete_many(request: Request) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"detail": "forbidden"}, status=403)
            body = request.json if isinstance(request.json, dict) else {}
            ids = body.get("conversations")
            if (
                not isinstance(ids, list)
                or len(ids) > MAX_IDS
                or not all(isinstance(i, str) and 0 < len(i) <= 64 for i in ids)
            ):
                return response.json({"detail": f"conversations: a list of at most {MAX_IDS} ids"}, status=422)
            return await delete_all(request, ids)

        @bp.route("/conversations/<conversation_id>", methods=["DELETE"])
        async def delete_one(request: Request, conversation_id: Text) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"detail": "forbidden"}, status=403)
            return await delete_all(request, [conversation_id])

        @bp.route("/conversations/<conversation_id>", methods=["GET"])
        async def count_events(request: Request, conversation_id: Text) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"detail": "forbidden"}, status=403)
            stores = _stores(request.app.ctx.agent.tracker_store)
            return response.json({"events": sum([await _event_count(s, conversation_id) for s in stores])})

        @bp.route("/parse", methods=["POST"])
        async def parse(request: Request) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"detail": "forbidden"}, status=403)
            body = request.json if isinstance(request.json, dict) else {}
            text, metadata = body.get("text"), body.get("metadata") or {}
            if not isinstance(text, str) or not text or len(text) > MAX_TEXT or not isinstance(metadata, dict):
                return response.json({"detail": f"text: 1-{MAX_TEXT} characters; metadata: an object"}, status=422)
            processor = request.app.ctx.agent.processor
            parsed = await processor.parse_message(UserMessage(text, sender_id="try-it", metadata=metadata))
            return response.json({"intent_ranking": parsed.get("intent_ranking") or []})

        return bp
