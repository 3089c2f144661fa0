"""Short-lived tickets for the resident event stream (issue 13, point 15).

A browser's EventSource cannot send headers, so whatever opens the stream travels in the URL,
where access logs, proxies and browser history keep it. The bearer token must never go there:
the widget asks for a ticket with the token (POST .../events/ticket) and opens the stream with
that. A ticket names its purpose, its conversation and its expiry, signed with an HMAC whose key
is the conversation's stored token hash: it opens this conversation's stream for TICKET_SECONDS and
nothing else (it is not a bearer token), needs no shared state across API workers and no new
secret, and dies with the conversation. Within its minute it may be reused (a reconnect asks for
a new one anyway).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from api.conversations.models import Conversation

TICKET_SECONDS = 60
PURPOSE = "resident-events"


def _signature(conv: Conversation, expires: int) -> str:
    mac = hmac.new(bytes.fromhex(conv.token_hash), f"{PURPOSE}:{conv.id}:{expires}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def issue(conv: Conversation) -> str:
    expires = int(time.time()) + TICKET_SECONDS
    return f"{expires}.{_signature(conv, expires)}"


def valid(conv: Conversation, ticket: str) -> bool:
    expires_text, _, signature = ticket.partition(".")
    if not expires_text.isascii() or not expires_text.isdigit() or len(expires_text) > 12:
        return False
    expires, now = int(expires_text), time.time()
    if not now <= expires <= now + TICKET_SECONDS:
        return False
    return hmac.compare_digest(signature.encode(), _signature(conv, expires).encode())
