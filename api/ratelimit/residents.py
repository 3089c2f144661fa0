"""Residents' limits (issue 13, point 8): new conversations per client, messages per conversation,
tickets (handoffs to staff) per client. A busy branch library puts many residents behind one
address, so the per-client numbers are sized for that (docs/decisions/0012-rate-limits.md)."""

from __future__ import annotations

from api.ratelimit.limiter import Limit, RateLimited, backend, hashed, hit, in_words
from api.settings import get_settings

OWNER_TTL = 24 * 3600  # a conversation's client is remembered this long (for its ticket limit)


def _client(address: str) -> str:
    return hashed("client", address)


def new_conversation(address: str) -> None:
    wait = hit("conversations", _client(address), Limit.parse(get_settings().rate_limit_conversations))
    if wait:
        raise RateLimited(wait, f"Too many new conversations from this address. Try again in {in_words(wait)}.")


def started(conversation_id: str, address: str) -> None:
    """Remember whose conversation it is: a ticket it opens later counts for that client."""
    backend().put(f"owner:{conversation_id}", _client(address), OWNER_TTL)


def message(conversation_id: str) -> None:
    wait = hit("messages", conversation_id, Limit.parse(get_settings().rate_limit_messages))
    if wait:
        raise RateLimited(wait, f"Too many messages in a short time. Wait {in_words(wait)} and send it again.")


def ticket(conversation_id: str) -> None:
    """A new ticket for this conversation. Its client's budget is charged; over it, RateLimited.
    Conversations of no known client (SMS: limited per number instead) are not charged."""
    client = backend().get(f"owner:{conversation_id}")
    if client is None:
        return
    wait = hit("tickets", client, Limit.parse(get_settings().rate_limit_tickets))
    if wait:
        raise ticket_refused(wait)


def ticket_refused(retry_after: int) -> RateLimited:
    return RateLimited(
        retry_after,
        f"Too many requests for a person from this address. Try again in {in_words(retry_after)}.",
    )
