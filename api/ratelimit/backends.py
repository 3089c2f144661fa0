"""Where the limiter keeps its counts: a sliding log of event times per key, in this process or in
Redis (shared by every API worker and instance). Each operation is atomic: a lock here, a Lua
script there, so two concurrent requests can never both take the last slot."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from typing import Any, Protocol

log = logging.getLogger("api.ratelimit")


class Backend(Protocol):
    def hit(self, key: str, limit: int, window: float, now: float) -> float:
        """Record an event if fewer than `limit` fall in the window: 0.0. Otherwise record nothing
        and return the seconds until one expires."""

    def add(self, key: str, window: float, now: float) -> None:
        """Record an event unconditionally (a failed login)."""

    def recent(self, key: str, window: float, now: float) -> tuple[int, float]:
        """How many events fall in the window, and the newest one's time (0.0 if none)."""

    def delete(self, key: str) -> None: ...

    def put(self, key: str, value: str, ttl: float) -> None:
        """A small note that expires (which client started a conversation)."""

    def get(self, key: str) -> str | None: ...


class MemoryBackend:
    """One process's counts. With several API workers each counts on its own: set REDIS_URL."""

    SWEEP_EVERY = 60.0  # seconds between sweeps of keys whose events have all expired

    def __init__(self) -> None:
        self._logs: dict[str, tuple[float, deque[float]]] = {}
        self._notes: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._swept = time.monotonic()

    def _log(self, key: str, window: float, now: float) -> deque[float]:
        entry = self._logs.get(key)
        if entry is None:
            entry = self._logs[key] = (window, deque())
        times = entry[1]
        while times and times[0] <= now - window:
            times.popleft()
        return times

    def _sweep(self, now: float) -> None:
        """Bounded memory: keys of clients that went quiet are dropped."""
        if time.monotonic() - self._swept < self.SWEEP_EVERY:
            return
        self._swept = time.monotonic()
        for key, (window, times) in list(self._logs.items()):
            if not times or times[-1] <= now - window:
                del self._logs[key]
        wall = time.time()
        for key, (_value, expires) in list(self._notes.items()):
            if expires <= wall:
                del self._notes[key]

    def hit(self, key: str, limit: int, window: float, now: float) -> float:
        with self._lock:
            self._sweep(now)
            times = self._log(key, window, now)
            if len(times) < limit:
                times.append(now)
                return 0.0
            return max(times[len(times) - limit] + window - now, 0.001)

    def add(self, key: str, window: float, now: float) -> None:
        with self._lock:
            self._sweep(now)
            self._log(key, window, now).append(now)

    def recent(self, key: str, window: float, now: float) -> tuple[int, float]:
        with self._lock:
            times = self._log(key, window, now)
            return len(times), (times[-1] if times else 0.0)

    def delete(self, key: str) -> None:
        with self._lock:
            self._logs.pop(key, None)
            self._notes.pop(key, None)

    def put(self, key: str, value: str, ttl: float) -> None:
        with self._lock:
            self._notes[key] = (value, time.time() + ttl)

    def get(self, key: str) -> str | None:
        with self._lock:
            found = self._notes.get(key)
            if found is None or found[1] <= time.time():
                self._notes.pop(key, None)
                return None
            return found[0]

    def clear(self) -> None:
        with self._lock:
            self._logs.clear()
            self._notes.clear()


# A sorted set per key: members are events, scores their times. Old events are trimmed on every call.
_HIT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
  return '0'
end
local frees = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
return tostring(tonumber(frees[2]) + window - now)
"""
_ADD = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return 1
"""
_RECENT = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
return {redis.call('ZCARD', KEYS[1]), newest[2] or '0'}
"""


class RedisBackend:
    """Counts shared by every API worker and instance. If Redis cannot be reached, this process
    counts on its own meanwhile (limits per worker rather than none) and says so in the log."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self._prefix = prefix
        self._hit = self._redis.register_script(_HIT)
        self._add = self._redis.register_script(_ADD)
        self._recent = self._redis.register_script(_RECENT)
        self.fallback = MemoryBackend()
        self._warned_at = 0.0

    def _down(self, exc: Exception) -> None:
        if time.monotonic() - self._warned_at > 60:
            self._warned_at = time.monotonic()
            log.warning("rate limits: Redis unreachable (%s); counting in this process meanwhile", type(exc).__name__)

    def _run(self, script: Any, key: str, *args: Any) -> Any:
        return script(keys=[self._prefix + key], args=list(args))

    def hit(self, key: str, limit: int, window: float, now: float) -> float:
        try:
            return float(self._run(self._hit, key, now, window, limit, f"{now}:{uuid.uuid4().hex[:8]}"))
        except self._errors as exc:
            self._down(exc)
            return self.fallback.hit(key, limit, window, now)

    def add(self, key: str, window: float, now: float) -> None:
        try:
            self._run(self._add, key, now, window, f"{now}:{uuid.uuid4().hex[:8]}")
        except self._errors as exc:
            self._down(exc)
            self.fallback.add(key, window, now)

    def recent(self, key: str, window: float, now: float) -> tuple[int, float]:
        try:
            count, newest = self._run(self._recent, key, now, window)
            return int(count), float(newest)
        except self._errors as exc:
            self._down(exc)
            return self.fallback.recent(key, window, now)

    def delete(self, key: str) -> None:
        try:
            self._redis.delete(self._prefix + key)
        except self._errors as exc:
            self._down(exc)
        self.fallback.delete(key)

    def put(self, key: str, value: str, ttl: float) -> None:
        try:
            self._redis.set(self._prefix + key, value, px=max(int(ttl * 1000), 1))
        except self._errors as exc:
            self._down(exc)
            self.fallback.put(key, value, ttl)

    def get(self, key: str) -> str | None:
        try:
            value = self._redis.get(self._prefix + key)
        except self._errors as exc:
            self._down(exc)
            return self.fallback.get(key)
        return value.decode() if isinstance(value, bytes) else value
