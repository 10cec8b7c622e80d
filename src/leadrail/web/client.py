"""The client's address: the one place the web layer reads it (rate limits, per-address
connection limits, login throttling, the IP location of leads and visitors).

``X-Forwarded-For`` is believed only when the connection comes from a proxy the operator
listed in ``LEADRAIL_TRUSTED_PROXIES`` (default: none, so the header is ignored). Each proxy
appends the address it saw, so the client is the right-most address that is not one of the
trusted proxies; everything left of it is whatever the client claimed. ``leadrail serve``
gives uvicorn the same list, so uvicorn's own rewrite and this function agree (applying both
gives the same answer as applying one).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_ADDRESS = 64  # a key for limiters and a geo lookup, never a whole header


def parse_networks(spec: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1"`` -> networks (a bare address is a one-address network)."""
    return tuple(
        ipaddress.ip_network(item.strip(), strict=False) for item in spec.split(",") if item.strip()
    )


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    return ip


def is_trusted(host: str, networks: Sequence[Network]) -> bool:
    ip = _ip(host)
    return ip is not None and any(ip.version == n.version and ip in n for n in networks)


def _host_of(hop: str) -> str:
    """One X-Forwarded-For entry without its port: ``1.2.3.4:567``, ``[::1]:567``, ``::1``."""
    hop = hop.strip()
    if hop.startswith("["):
        return hop[1:].split("]", 1)[0]
    if hop.count(":") == 1:
        return hop.split(":", 1)[0]
    return hop


def forwarded_client(peer: str, forwarded_for: Sequence[str], networks: Sequence[Network]) -> str:
    """The client behind ``peer``: ``peer`` itself unless it is a trusted proxy; then the
    right-most untrusted address of the X-Forwarded-For values (all trusted: the left-most).
    Matches uvicorn's ProxyHeadersMiddleware given the same list."""
    if not networks or not is_trusted(peer, networks):
        return peer
    if not forwarded_for:
        return peer
    hops = [_host_of(h) for value in forwarded_for for h in value.split(",")]
    for hop in reversed(hops):
        if not is_trusted(hop, networks):
            return hop or peer  # an empty entry: no claim to believe, the proxy it is
    return hops[0] or peer


def client_address(conn: HTTPConnection) -> str:
    """The address of whoever sent this request or opened this socket."""
    peer = conn.client.host if conn.client else ""
    networks: tuple[Network, ...] = getattr(conn.app.state, "trusted_proxies", ())
    found = forwarded_client(peer, conn.headers.getlist("x-forwarded-for"), networks)
    return found[:MAX_ADDRESS] or "unknown"
