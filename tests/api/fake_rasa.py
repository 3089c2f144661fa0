"""A stand-in for Rasa's REST channel on a free local port, for tests of slow and retried turns.

It answers the webhook the way our NLG does (a `custom` payload in the Reply shape) after a
delay, and records every call, so a test can count bot turns. Each answer is numbered: a
retry that got another turn's answer would show a different text.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import Any

import uvicorn

WEBHOOK = "/webhooks/rest/webhook"


class FakeRasa:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay  # seconds before the webhook answers
        self.delays: list[float] = []  # per-call delays, used first (then `delay`)
        self.calls: list[tuple[str, str]] = []  # (sender, message) per webhook call
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(
            self._app, interface="asgi3", log_level="warning", access_log=False, lifespan="off", backlog=512
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def start(self) -> FakeRasa:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake Rasa did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def _next(self, sender: str, message: str) -> tuple[int, float]:
        with self._lock:
            self.calls.append((sender, message))
            return len(self.calls), (self.delays.pop(0) if self.delays else self.delay)

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        answer: Any = {"status": "ok"}  # GET / and anything else: Rasa's health answer
        if scope["path"] == WEBHOOK:
            data = json.loads(body)
            number, delay = self._next(str(data["sender"]), str(data["message"]))
            await asyncio.sleep(delay)
            answer = [
                {
                    "custom": {
                        "text": f"Svar nummer {number} från Rasa",
                        "language": "sv",
                        "kind": "faq",
                        "topic": "loan.renew",
                        "buttons": [],
                    }
                }
            ]
        payload = json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})
