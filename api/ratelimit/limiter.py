"""The one limiter: named limits ("60/10min") checked against a backend chosen by the settings
(Redis when REDIS_URL is set, this process otherwise). Keys that name a person or an address are
kept only as keyed hashes, and only for as long as their window."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from api.ratelimit.backends import Backend, MemoryBackend, RedisBackend
from api.settings import get_settings

_UNITS = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600}
_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\d*\.?\d*)\s*(s|sec|min|m|h)?\s*$")


@dataclass(frozen=True)
class Limit:
    count: int
    window: float  # seconds

    @classmethod
    def parse(cls, text: str) -> Limit:
        """'60/10min', '20/1min', '20/1h', '5/30s'; a bare number of seconds also works ('60/600')."""
        match = _LIMIT.match(text)
        if match is None or not match.group(2):
            raise ValueError(f"A rate limit reads 'count/window', e.g. '60/10min', not {text!r}")
        count, amount, unit = int(match.group(1)), float(match.group(2)), match.group(3) or "s"
        if count < 1 or amount <= 0:
            raise ValueError(f"A rate limit needs a positive count and window, not {text!r}")
        return cls(count, amount * _UNITS[unit])


class RateLimited(Exception):
    """Over a limit: answered 429 with Retry-After (api/main.py)."""

    def __init__(self, retry_after: float, message: str) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))
        self.message = message


_memory = MemoryBackend()


@lru_cache
def _redis(url: str, prefix: str) -> RedisBackend:
    return RedisBackend(url, prefix)


def backend() -> Backend:
    s = get_settings()
    return _redis(s.redis_url, s.rate_limit_prefix) if s.redis_url else _memory


def forget_process_state() -> None:
    """Forget what this process counted (tests; Redis keeps its own counts)."""
    _memory.clear()
    _redis.cache_clear()  # and each Redis backend's fallback counts


def hashed(kind: str, value: str) -> str:
    """A keyed hash, so the limiter's store holds no address, e-mail or number in clear."""
    key = get_settings().sms_number_key.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def hit(name: str, key: str, limit: Limit) -> int:
    """Count one event under `name:key`: 0. At the limit nothing is counted and the answer is
    the whole seconds to wait (for Retry-After)."""
    wait = backend().hit(f"{name}:{key}", limit.count, limit.window, time.time())
    return max(1, math.ceil(wait)) if wait > 0 else 0


def in_words(seconds: int) -> str:
    if seconds == 1:
        return "1 second"
    return f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
