"""Talks to Rasa's REST channel. Rasa answers a message with one decision of the reply policy
(actions/reply_policy.py) as a `custom` payload; the API writes the reply itself.

The call is asynchronous, so a slow Rasa holds no worker thread while it thinks; it has a short
deadline (RASA_TIMEOUT_S), and a circuit breaker stops calling a Rasa that keeps failing
(docs/decisions/0013-turn-resilience.md). The caller then answers from the FAQ itself.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

import httpx

from actions.reply_policy import Decision
from api.conversations.circuit import CircuitBreaker
from api.settings import get_settings

log = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    pass


FORGET_TIMEOUT_S = 10.0  # a batch of tracker deletions; the retention job retries what fails


@lru_cache
def breaker() -> CircuitBreaker:
    s = get_settings()
    return CircuitBreaker("Rasa", s.rasa_breaker_failures, s.rasa_breaker_cooldown_s)


@lru_cache(maxsize=4)
def _client(_loop: asyncio.AbstractEventLoop) -> httpx.AsyncClient:
    """One pooled client per event loop (an async client's connections belong to its loop)."""
    s = get_settings()
    return httpx.AsyncClient(base_url=s.rasa_url, timeout=s.rasa_timeout_s, limits=httpx.Limits(max_connections=100))


def _decision(items: list[dict[str, Any]]) -> Decision:
    for item in items:
        custom = item.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("decision"), dict):
            return Decision.from_dict(custom["decision"])
    raise RasaUnavailable("Rasa answered no decision (the action server may be down)")


@lru_cache
def _sync_client() -> httpx.Client:
    """For the tracker deletions, which run in threads (a resident's delete, the retention job)."""
    return httpx.Client(base_url=get_settings().rasa_url, timeout=FORGET_TIMEOUT_S)


def forget(conversation_ids: list[str]) -> None:
    """Asks Rasa to delete these conversations' trackers (bot/internal_channel.py). Raises
    RasaUnavailable unless Rasa confirms, so the caller keeps them for a retry."""
    s = get_settings()
    try:
        resp = _sync_client().post(
            "/webhooks/internal/trackers/delete",
            json={"conversations": conversation_ids},
            headers={"X-Internal-Token": s.internal_token},
            timeout=FORGET_TIMEOUT_S,
        )
        resp.raise_for_status()
    except httpx.HTTPError as exc:
        raise RasaUnavailable(f"{exc.__class__.__name__}: {exc}") from exc


async def send(conversation_id: str, text: str, metadata: dict[str, Any] | None = None) -> Decision:
    """The reply policy's decision for this message, or RasaUnavailable: down, too slow, no
    decision, or the circuit is open. `metadata`: the message understood by the API
    (api/conversations/understanding.py)."""
    circuit = breaker()
    if not circuit.allow():
        raise RasaUnavailable("the circuit is open after repeated failures")
    try:
        async with asyncio.timeout(get_settings().rasa_timeout_s):  # one deadline for the whole call
            resp = await _client(asyncio.get_running_loop()).post(
                "/webhooks/rest/webhook", json={"sender": conversation_id, "message": text, "metadata": metadata or {}}
            )
        resp.raise_for_status()
        decision = _decision(resp.json())
    except (httpx.HTTPError, ValueError, TimeoutError, KeyError) as exc:
        circuit.failure()
        raise RasaUnavailable(f"{exc.__class__.__name__}: {exc}") from exc
    except RasaUnavailable:
        circuit.failure()
        raise
    except BaseException:
        circuit.abandon()
        raise
    circuit.success()
    return decision


@lru_cache
def _health_client() -> httpx.Client:
    # One client for every health check: a new one per call costs an SSL context each time.
    return httpx.Client(timeout=2.0)


def healthy(url: str) -> bool:
    try:
        return _health_client().get(url).status_code < 500
    except httpx.HTTPError:
        return False


def reset() -> None:
    """Forget the clients and the breaker's state, e.g. after the settings changed (tests)."""
    for cached in (breaker, _client, _sync_client, _health_client):
        cached.cache_clear()


def parse(text: str, metadata: dict[str, Any]) -> dict[str, float]:
    """Rasa's intent probabilities for a text understood as a resident's message, without a
    conversation (the try-it box; bot/internal_channel.py). RasaUnavailable when it cannot say."""
    try:
        resp = _sync_client().post(
            "/webhooks/internal/parse",
            json={"text": text, "metadata": metadata},
            headers={"X-Internal-Token": get_settings().internal_token},
            timeout=get_settings().rasa_timeout_s,
        )
        resp.raise_for_status()
        return {str(r["name"]): float(r["confidence"]) for r in resp.json()["intent_ranking"]}
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise RasaUnavailable(f"{exc.__class__.__name__}: {exc}") from exc
