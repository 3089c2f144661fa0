"""The action server's only dependency: the API's internal bot endpoint."""

from __future__ import annotations

import os
from typing import Any

import aiohttp

API_URL = os.environ.get("API_URL", "http://127.0.0.1:8000")
TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("API_TIMEOUT_S", "8")))

_session: aiohttp.ClientSession | None = None


def _client() -> aiohttp.ClientSession:
    global _session
    if _session is None or _session.closed:
        _session = aiohttp.ClientSession(timeout=TIMEOUT)
    return _session


async def bot_respond(turn: dict[str, Any]) -> list[dict[str, Any]]:
    """POST /internal/bot/respond; returns the replies in the API's reply shape."""
    headers = {"X-Internal-Token": os.environ.get("INTERNAL_TOKEN", "")}
    async with _client().post(f"{API_URL}/internal/bot/respond", json=turn, headers=headers) as resp:
        resp.raise_for_status()
        data = await resp.json()
    return list(data["messages"])
