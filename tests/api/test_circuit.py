"""The circuit breaker's states, on a fake clock (docs/decisions/0013-turn-resilience.md)."""

from __future__ import annotations

from api.conversations.circuit import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_opens_after_consecutive_failures_only() -> None:
    cb = CircuitBreaker("Rasa", failures=3, cooldown_s=30, clock=Clock())
    for _ in range(2):
        assert cb.allow()
        cb.failure()
    cb.success()  # a success in between: the count starts again
    for _ in range(2):
        cb.failure()
    assert cb.state == "closed" and cb.allow()
    cb.failure()
    assert cb.state == "open" and not cb.allow()


def test_half_open_lets_one_probe_through_and_closes_on_success() -> None:
    clock = Clock()
    cb = CircuitBreaker("Rasa", failures=1, cooldown_s=30, clock=clock)
    cb.failure()
    clock.t = 29.9
    assert not cb.allow()
    clock.t = 30.0
    assert cb.allow()  # the probe
    assert cb.state == "half_open"
    assert not cb.allow() and not cb.allow()  # the others still get the FAQ
    cb.success()
    assert cb.state == "closed" and cb.allow() and cb.allow()


def test_a_failed_probe_opens_for_another_cooldown() -> None:
    clock = Clock()
    cb = CircuitBreaker("Rasa", failures=1, cooldown_s=30, clock=clock)
    cb.failure()
    clock.t = 31
    assert cb.allow()
    cb.failure()
    assert cb.state == "open"
    clock.t = 60
    assert not cb.allow()
    clock.t = 61
    assert cb.allow()


def test_an_abandoned_probe_frees_the_slot() -> None:
    clock = Clock()
    cb = CircuitBreaker("Rasa", failures=1, cooldown_s=1, clock=clock)
    cb.failure()
    clock.t = 2
    assert cb.allow()
    cb.abandon()  # the probe's request was cancelled: neither success nor failure
    assert cb.allow()
