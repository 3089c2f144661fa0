"""Scripted residents for the chaos test: each keeps one conversation and sends its questions one
at a time, as the widget does (api/web/static/widget/widget.js): a send that fails (a refused or
reset connection, a timeout, 408/425/429/5xx) is retried with the SAME client_id, with exponential
backoff and jitter, never sooner than Retry-After, until it is answered.

Some residents reload the page while a message is on its way (RELOAD_SHARE of the messages): the
browser drops the request, which the API goes on answering, and the reloaded widget sends the
message again at once with the same client_id. That retry meets the first attempt still running."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
RETRYABLE = {408, 425, 429}
REQUEST_TIMEOUT_S = 30.0  # as the widget's SEND_TIMEOUT_MS
BACKOFF_S, BACKOFF_MAX_S, RETRY_AFTER_MAX_S = 0.25, 4.0, 10.0
MESSAGE_DEADLINE_S = 120.0  # a message not answered by then counts as lost (and fails the test)
RELOAD_SHARE = 0.1
RELOAD_AFTER_S = (0.05, 0.6)  # how long after sending the page is reloaded


def question_pool() -> list[str]:
    """Real residents' questions, small talk and off-topic lines from the dev and held-out sets
    (not the requests for a person: those would hand the conversation to staff)."""
    texts: list[str] = []
    for path in sorted([*ROOT.glob("tests/devset/*.jsonl"), *ROOT.glob("tests/heldout/*.jsonl")]):
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("expect") != "handoff" and row.get("text", "").strip():
                    texts.append(row["text"].strip())
    return texts


@dataclass
class Sent:
    """One resident message: what was sent, how it went, what the API answered."""

    conversation_id: str
    client_id: str
    text: str
    attempts: int = 0
    answered: bool = False
    refused: int | None = None  # a status that is neither success nor worth a retry
    reply_ids: list[int] = field(default_factory=list)
    reply_kinds: list[str] = field(default_factory=list)
    latency_s: float = 0.0  # first attempt to answer, retries included
    request_s: float = 0.0  # the attempt that got the answer


@dataclass
class Tally:
    sent: list[Sent] = field(default_factory=list)
    conversations: list[str] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)  # why attempts failed

    def fail(self, why: str) -> None:
        self.failures[why] = self.failures.get(why, 0) + 1


def _backoff(attempt: int, retry_after: str | None) -> float:
    step = min(BACKOFF_MAX_S, BACKOFF_S * 2 ** min(attempt, 16))
    wait = step / 2 + random.random() * step / 2
    if retry_after and retry_after.strip().isdigit():
        wait = max(wait, min(float(retry_after), RETRY_AFTER_MAX_S))
    return wait


async def _call(
    client: httpx.AsyncClient,
    tally: Tally,
    method: str,
    url: str,
    deadline: float,
    reload_after: float | None = None,
    **kw: object,
) -> tuple[httpx.Response | None, int]:
    """The request, retried until it succeeds, is refused for good, or the deadline passes; the
    first attempt is dropped after `reload_after` seconds (a reload) and sent again at once."""
    attempt = 0
    while time.monotonic() < deadline:
        attempt += 1
        request = client.request(method, url, timeout=REQUEST_TIMEOUT_S, **kw)  # type: ignore[arg-type]
        try:
            if attempt == 1 and reload_after is not None:
                resp = await asyncio.wait_for(request, reload_after)
            else:
                resp = await request
        except TimeoutError:  # asyncio's: the page was reloaded; the new page sends it at once
            tally.fail("reload")
            continue
        except httpx.TimeoutException:
            tally.fail("timeout")
            retry_after = None
        except httpx.TransportError:
            tally.fail("connection")
            retry_after = None
        else:
            if resp.status_code < 400:
                return resp, attempt
            if resp.status_code not in RETRYABLE and resp.status_code < 500:
                return resp, attempt
            tally.fail(f"http {resp.status_code}")
            retry_after = resp.headers.get("Retry-After")
        await asyncio.sleep(_backoff(attempt - 1, retry_after))
    return None, attempt


@dataclass
class Script:
    """When the residents stop: not before `minimum` messages in all have been sent and the chaos
    is over (`chaos_over`), or at once when `halt` is set (the chaos itself failed)."""

    minimum: int
    chaos_over: asyncio.Event = field(default_factory=asyncio.Event)
    halt: asyncio.Event = field(default_factory=asyncio.Event)

    def goes_on(self, tally: Tally) -> bool:
        if self.halt.is_set():
            return False
        return not self.chaos_over.is_set() or len(tally.sent) < self.minimum


async def resident(api_url: str, questions: list[str], tally: Tally, script: Script) -> None:
    """One conversation; one message at a time while the script goes on. Pauses a moment between
    messages, as a person reading the answer does."""
    async with httpx.AsyncClient(base_url=api_url) as client:
        created, _ = await _call(
            client,
            tally,
            "POST",
            "/api/conversations",
            time.monotonic() + MESSAGE_DEADLINE_S,
            json={"channel": "web", "library": "solna", "locale": "sv"},
        )
        assert created is not None and created.status_code == 201, "a conversation could not be created"
        conv = created.json()
        tally.conversations.append(conv["id"])
        auth = {"Authorization": f"Bearer {conv['token']}"}
        n = 0
        while script.goes_on(tally):
            text = questions[n % len(questions)]
            sent = Sent(conv["id"], uuid.uuid4().hex, text)
            tally.sent.append(sent)
            start = time.monotonic()
            resp, sent.attempts = await _call(
                client,
                tally,
                "POST",
                f"/api/conversations/{conv['id']}/messages",
                start + MESSAGE_DEADLINE_S,
                random.uniform(*RELOAD_AFTER_S) if random.random() < RELOAD_SHARE else None,
                json={"text": text, "client_id": sent.client_id},
                headers=auth,
            )
            if resp is not None and resp.status_code == 200:
                replies = resp.json()["messages"]
                sent.answered = True
                sent.reply_ids = [r["id"] for r in replies]
                sent.reply_kinds = [r["kind"] for r in replies]
                sent.latency_s = time.monotonic() - start
                sent.request_s = resp.elapsed.total_seconds()
            elif resp is not None:
                sent.refused = resp.status_code
            n += 1
            await asyncio.sleep(random.uniform(0.2, 0.8))
