"""The action server's only dependency: the API's internal bot endpoint."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import aiohttp

API_URL = os.environ.get("API_URL", "http://127.0.0.1:8000")
TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("API_TIMEOUT_S", "8")))

_sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}


def _client() -> aiohttp.ClientSession:
    """One pooled session per event loop (a session cannot cross loops)."""
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        for old in [lp for lp in _sessions if lp.is_closed()]:
            del _sessions[old]
        session = _sessions[loop] = aiohttp.ClientSession(timeout=TIMEOUT)
    return session


async def bot_respond(turn: dict[str, Any]) -> list[dict[str, Any]]:
    """POST /internal/bot/respond; returns the replies in the API's reply shape."""
    headers = {"X-Internal-Token": os.environ.get("INTERNAL_TOKEN", "")}
    async with _client().post(f"{API_URL}/internal/bot/respond", json=turn, headers=headers) as resp:
        resp.raise_for_status()
        data = await resp.json()
    return list(data["messages"])
