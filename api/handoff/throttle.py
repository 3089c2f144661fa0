"""Slows down password guessing at the staff login (issue 13, point 9), without locking anyone out.

Failures are counted per account+client pair: the first LOGIN_FREE_FAILURES cost nothing, then
each further attempt from that pair must wait twice as long as the last (1 s, 2 s, 4 s, ... at
most LOGIN_MAX_DELAY_S) after the latest failure. A success resets the pair. Two looser bounds
slow a guesser who spreads out: per account across clients (a distributed guesser), and per client
across accounts (one address trying many accounts); both wait at most ACCOUNT_MAX_DELAY_S, so the
real user is slowed, never shut out. Another client, or a colleague behind the same NAT address
with their own account, is not affected by a guesser. The counts live in the shared limiter
(api/ratelimit): in Redis across workers when REDIS_URL is set."""

from __future__ import annotations

import math
import time

from api.ratelimit import backend, hashed
from api.settings import get_settings

WINDOW_SECONDS = 3600  # failures older than this are forgotten
ACCOUNT_MAX_DELAY_S = 60  # the looser bounds' longest wait

_now = time.time  # the tests move time forward


def _delay(failures: int, free: int, cap: float) -> float:
    return 0.0 if failures < free else min(2.0 ** (failures - free), cap)


class LoginThrottle:
    def _keys(self, account: str, client: str) -> list[tuple[str, int, float]]:
        s = get_settings()
        account_key = hashed("login-account", account.strip().lower())
        client_key = hashed("client", client)
        return [
            (f"login-pair:{account_key}:{client_key}", s.login_free_failures, s.login_max_delay_s),
            (f"login-account:{account_key}", s.login_account_free_failures, ACCOUNT_MAX_DELAY_S),
            (f"login-client:{client_key}", s.login_client_free_failures, ACCOUNT_MAX_DELAY_S),
        ]

    def retry_after(self, account: str, client: str) -> int:
        """Seconds this client must wait before trying this account again; 0: go ahead."""
        now, store, wait = _now(), backend(), 0.0
        for key, free, cap in self._keys(account, client):
            failures, newest = store.recent(key, WINDOW_SECONDS, now)
            if failures:
                wait = max(wait, _delay(failures, free, cap) - (now - newest))
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, account: str, client: str) -> None:
        now, store = _now(), backend()
        for key, _free, _cap in self._keys(account, client):
            store.add(key, WINDOW_SECONDS, now)

    def succeeded(self, account: str, client: str) -> None:
        """The pair starts afresh; the looser bounds keep counting (a guesser elsewhere goes on waiting)."""
        pair, _free, _cap = self._keys(account, client)[0]
        backend().delete(pair)


login_throttle = LoginThrottle()
