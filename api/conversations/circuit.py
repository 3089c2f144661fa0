"""A circuit breaker: stop calling a dependency that keeps failing, and probe it now and then.

closed: every call goes through; `failures` consecutive failures open the circuit.
open: no call goes through (the caller answers without the dependency) for `cooldown_s`.
half-open: after the cool-down one call goes through as a probe, the others still do not;
its success closes the circuit, its failure opens it for another cool-down.

The state is per process (each API worker learns on its own; docs/decisions/0013-turn-resilience.md).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Literal

log = logging.getLogger(__name__)

State = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    def __init__(
        self, name: str, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.name = name
        self.failures = max(1, failures)
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()  # calls come from the event loop and from worker threads
        self._state: State = "closed"
        self._failed = 0  # consecutive failures while closed
        self._opened_at = 0.0
        self._probing = False  # half-open: the one probe is under way

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def allow(self) -> bool:
        """May a call go through now? In half-open, True for exactly one caller (the probe)."""
        with self._lock:
            if self._state == "closed":
                return True
            if self._state == "open":
                if self._clock() - self._opened_at < self.cooldown_s:
                    return False
                self._state = "half_open"
                log.warning("%s circuit half-open: probing", self.name)
            if self._probing:
                return False
            self._probing = True
            return True

    def success(self) -> None:
        with self._lock:
            if self._state != "closed":
                log.warning("%s circuit closed: the probe succeeded", self.name)
            self._state, self._failed, self._probing = "closed", 0, False

    def failure(self) -> None:
        with self._lock:
            self._probing = False
            if self._state == "closed":
                self._failed += 1
                if self._failed < self.failures:
                    return
                log.warning("%s circuit open after %d failures in a row", self.name, self._failed)
            elif self._state == "half_open":
                log.warning("%s circuit open again: the probe failed", self.name)
            self._state, self._opened_at = "open", self._clock()

    def abandon(self) -> None:
        """A call that ended neither way (cancelled): a probe's slot is free again."""
        with self._lock:
            self._probing = False
