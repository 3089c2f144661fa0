"""Talks to Rasa's REST channel. Every bot reply arrives as a `custom` payload in our Reply shape."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import httpx

from api.conversations.replies import Reply
from api.settings import get_settings

log = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    pass


FORGET_TIMEOUT_S = 10.0  # a batch of tracker deletions; the retention job retries what fails


@lru_cache
def _client() -> httpx.Client:
    s = get_settings()
    return httpx.Client(base_url=s.rasa_url, timeout=s.rasa_timeout_s, limits=httpx.Limits(max_connections=50))


def send(conversation_id: str, text: str, fallback_language: str) -> list[Reply]:
    try:
        resp = _client().post("/webhooks/rest/webhook", json={"sender": conversation_id, "message": text})
        resp.raise_for_status()
        items: list[dict[str, Any]] = resp.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise RasaUnavailable(str(exc)) from exc
    replies = []
    for item in items:
        if isinstance(item.get("custom"), dict):
            replies.append(Reply.from_dict(item["custom"]))
        elif item.get("text"):  # a response that did not come through our NLG: still shown
            log.warning("Rasa reply without metadata (%d characters)", len(item["text"]))  # no text in logs
            replies.append(Reply(text=item["text"], language=fallback_language, kind="system"))
    return replies


def forget(conversation_ids: list[str]) -> None:
    """Asks Rasa to delete these conversations' trackers (bot/internal_channel.py). Raises
    RasaUnavailable unless Rasa confirms, so the caller keeps them for a retry."""
    s = get_settings()
    try:
        resp = _client().post(
            "/webhooks/internal/trackers/delete",
            json={"conversations": conversation_ids},
            headers={"X-Internal-Token": s.internal_token},
            timeout=FORGET_TIMEOUT_S,
        )
        resp.raise_for_status()
    except httpx.HTTPError as exc:
        raise RasaUnavailable(f"{exc.__class__.__name__}: {exc}") from exc


def healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0).status_code < 500
    except httpx.HTTPError:
        return False
