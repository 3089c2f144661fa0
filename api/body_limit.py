"""Request bodies are bounded before they are read (issue 13, point 7): a declared Content-Length
over the limit is answered 413 at once, without reading a byte; a body of unknown length (chunked)
is counted as it streams and refused as soon as it passes the limit. A small default for every
route; larger limits only where a route needs them (BODY_LIMITS below), in this one place."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import get_settings


def body_limits() -> dict[str, int]:
    """Routes that need more than BODY_LIMIT_BYTES. The content import takes a whole export
    (about 1.1 MB of YAML today, growing with local versions)."""
    return {"/api/curation/import": get_settings().import_body_limit_bytes}


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is too large (at most {limit} bytes).")


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.default = get_settings().body_limit_bytes
        self.larger = body_limits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.default)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _refuse(send, 400, "The Content-Length header is not a number.")
                return
            if int(declared) > limit:
                await _refuse(send, 413, BodyTooLarge(limit).detail)
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)  # the app's exception handling answers 413
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge as exc:  # raised where no handler was in between (a stream's own read)
            if not started:
                await _refuse(send, 413, exc.detail)


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),  # the unread body is not ours to drain
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
