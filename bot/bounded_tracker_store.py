"""Rasa's trackers, in memory but bounded (issue 13, point 3). Rasa's InMemoryTrackerStore keeps
every conversation's events for as long as the process lives; the API holds the transcript, so
Rasa only needs a conversation's recent turns, and only while the resident is writing.

Bounds (bot/endpoints.yml): at most `max_trackers` conversations (the least recently active
go first), none idle longer than `max_idle_seconds` (longer than the domain's 60-minute session,
after which Rasa starts afresh anyway), and at most `max_events` events each (the policies look
at the last few turns only). Not under bot/components/: run-time wiring, not part of the model.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterable, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker


class BoundedTrackerStore(InMemoryTrackerStore):
    """An InMemoryTrackerStore with an LRU bound, an idle TTL, an events cap and `delete`."""

    def __init__(
        self,
        domain: Domain,
        event_broker: Optional[EventBroker] = None,
        max_trackers: int = 10000,
        max_idle_seconds: float = 7200,
        max_events: int = 200,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Dict[Text, Any],
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.max_trackers = int(max_trackers)
        self.max_idle_seconds = float(max_idle_seconds)
        self.max_events = int(max_events)
        self.clock = clock
        # Least recently saved first: eviction pops from the front.
        self.store: "OrderedDict[Text, Text]" = OrderedDict()
        self._saved_at: Dict[Text, float] = {}

    def init_tracker(self, sender_id: Text) -> DialogueStateTracker:
        # Every tracker this store makes or restores keeps only its last max_events events.
        return DialogueStateTracker(sender_id, self.domain.slots, max_event_history=self.max_events)

    def serialise_tracker(self, tracker: DialogueStateTracker) -> Text:  # type: ignore[override]
        dialogue = tracker.as_dialogue().as_dict()
        dialogue["events"] = dialogue["events"][-self.max_events :]
        return json.dumps(dialogue)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        self.store[sender_id] = self.serialise_tracker(tracker)
        self.store.move_to_end(sender_id)
        self._saved_at[sender_id] = self.clock()
        self.sweep()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        self.sweep()
        return await super().retrieve(sender_id)

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        self.sweep()
        return await super().retrieve_full_tracker(sender_id)

    async def keys(self) -> Iterable[Text]:
        self.sweep()
        return list(self.store.keys())

    async def delete(self, sender_id: Text) -> bool:
        """Forgets one conversation; True when there was something to forget."""
        self._saved_at.pop(sender_id, None)
        return self.store.pop(sender_id, None) is not None

    def sweep(self) -> int:
        """Drops the trackers over the bounds, oldest first; returns how many."""
        dropped = 0
        now = self.clock()
        while self.store:
            oldest = next(iter(self.store))
            if len(self.store) <= self.max_trackers and now - self._saved_at[oldest] <= self.max_idle_seconds:
                break
            del self.store[oldest]
            del self._saved_at[oldest]
            dropped += 1
        return dropped
