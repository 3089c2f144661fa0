"""Publish/subscribe for live updates: in-process (asyncio) by default, Redis when REDIS_URL is set.

`publish` is synchronous and may be called from any thread (request handlers run in a thread
pool); `subscribe` is used by the server-sent-event streams on the event loop. Messages are
small JSON objects. Delivery is best effort: the streams also catch up from the database, so
a lost message only delays an update, it never loses data.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from api.settings import get_settings

log = logging.getLogger(__name__)

STAFF_CHANNEL = "staff"
QUEUE_LIMIT = 1000


def conversation_channel(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


class Subscription(Protocol):
    async def get(self, timeout: float) -> dict[str, Any] | None:
        """The next message, or None when `timeout` seconds passed without one."""
        ...

    def drain(self) -> list[dict[str, Any]]:
        """Messages already waiting, without blocking."""
        ...


class Broker(Protocol):
    def publish(self, channel: str, data: dict[str, Any]) -> None: ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]: ...

    def close(self) -> None: ...


class _LocalSubscription:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=QUEUE_LIMIT)

    def deliver(self, raw: str) -> None:  # runs on self.loop
        try:
            self.queue.put_nowait(raw)
        except asyncio.QueueFull:
            log.warning("live update dropped: a subscriber is %d messages behind", QUEUE_LIMIT)

    async def get(self, timeout: float) -> dict[str, Any] | None:
        try:
            raw = await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None
        return json.loads(raw)  # type: ignore[no-any-return]

    def drain(self) -> list[dict[str, Any]]:
        out = []
        while not self.queue.empty():
            out.append(json.loads(self.queue.get_nowait()))
        return out


class InMemoryBroker:
    """For one API process (the default, and tests). Several workers need Redis to see each other."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[_LocalSubscription]] = defaultdict(set)
        self._lock = threading.Lock()

    def publish(self, channel: str, data: dict[str, Any]) -> None:
        raw = json.dumps(data, ensure_ascii=False, default=str)
        with self._lock:
            subscribers = list(self._subscribers.get(channel, ()))
        for sub in subscribers:
            with contextlib.suppress(RuntimeError):  # RuntimeError: that subscriber's event loop has closed
                sub.loop.call_soon_threadsafe(sub.deliver, raw)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        sub = _LocalSubscription(asyncio.get_running_loop())
        with self._lock:
            self._subscribers[channel].add(sub)
        try:
            yield sub
        finally:
            with self._lock:
                self._subscribers[channel].discard(sub)
                if not self._subscribers[channel]:
                    del self._subscribers[channel]

    def subscriber_count(self, channel: str) -> int:
        with self._lock:
            return len(self._subscribers.get(channel, ()))

    def close(self) -> None:
        pass


class _RedisSubscription:
    def __init__(self, pubsub: Any) -> None:
        self._pubsub = pubsub
        self._buffer: list[dict[str, Any]] = []

    async def get(self, timeout: float) -> dict[str, Any] | None:
        if self._buffer:
            return self._buffer.pop(0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            msg = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=remaining)
            if msg is not None and msg.get("type") == "message":
                return json.loads(msg["data"])  # type: ignore[no-any-return]
        return None

    def drain(self) -> list[dict[str, Any]]:
        out, self._buffer = self._buffer, []
        return out


class RedisBroker:
    """Across API processes and machines: Redis PUBLISH/SUBSCRIBE (channels prefixed `bh:`)."""

    PREFIX = "bh:"

    def __init__(self, url: str) -> None:
        import redis

        self._url = url
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def publish(self, channel: str, data: dict[str, Any]) -> None:
        from redis.exceptions import RedisError

        try:
            self._redis.publish(self.PREFIX + channel, json.dumps(data, ensure_ascii=False, default=str))
        except RedisError as exc:  # the data is saved; the streams catch up from the database
            log.warning("live update not published (Redis): %s", exc)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        from redis import asyncio as aioredis

        client = aioredis.Redis.from_url(self._url, socket_connect_timeout=2)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.PREFIX + channel)
            yield _RedisSubscription(pubsub)
        finally:
            await pubsub.aclose()
            await client.aclose()

    def close(self) -> None:
        self._redis.close()


_broker: Broker | None = None
_broker_url: str | None = None
_broker_lock = threading.Lock()


def get_broker() -> Broker:
    """The process's broker: Redis when REDIS_URL is set, else in-process."""
    global _broker, _broker_url
    url = get_settings().redis_url
    with _broker_lock:
        if _broker is None or _broker_url != url:
            if _broker is not None:
                _broker.close()
            _broker = RedisBroker(url) if url else InMemoryBroker()
            _broker_url = url
        return _broker
