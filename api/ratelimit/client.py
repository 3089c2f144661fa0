"""Who the client is: the direct peer's address, or, when that peer is one of our TRUSTED_PROXIES,
the address the proxies say they received the request from. One helper, used by every limit.

X-Forwarded-For is read from the right: each trusted proxy appends the address it saw, so the
rightmost address that is not one of ours is the first one no proxy of ours can vouch for beyond;
anything to its left was written by the client and could be anything."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import HTTPConnection

from api.settings import get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: HTTPConnection) -> str:
    peer = request.client.host if request.client else "unknown"
    networks = _networks(get_settings().trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer  # every hop is ours: the request came from inside
