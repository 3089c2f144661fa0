"""What every sender takes and returns, and the two ways sending fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx


@dataclass(frozen=True)
class Outgoing:
    outbox_id: int
    to: str
    sender: str | None  # our number (the one the resident texted) or SMS_FROM
    text: str


@dataclass(frozen=True)
class Sent:
    provider: str
    provider_id: str


class TemporaryFailure(Exception):
    """Worth retrying: the provider is down, slow, or asks us to wait."""


class PermanentFailure(Exception):
    """Retrying cannot help: bad credentials, an invalid number, a rejected message."""


class Sender(Protocol):
    name: str

    def send(self, sms: Outgoing) -> Sent: ...


def check(resp: httpx.Response) -> None:
    """5xx and 429 are the provider's trouble (retry); any other error is ours (do not)."""
    if resp.status_code >= 500 or resp.status_code == 429:
        raise TemporaryFailure(f"HTTP {resp.status_code}")
    if resp.status_code >= 400:
        raise PermanentFailure(f"HTTP {resp.status_code}: {resp.text[:120]}")


def post(url: str, auth: tuple[str, str], data: dict[str, str], timeout: float) -> httpx.Response:
    try:
        resp = httpx.post(url, auth=auth, data=data, timeout=timeout)
    except httpx.TransportError as exc:  # refused, reset, timed out: the message may go next time
        raise TemporaryFailure(f"{exc.__class__.__name__}") from exc
    check(resp)
    return resp
