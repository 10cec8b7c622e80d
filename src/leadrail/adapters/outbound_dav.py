"""The outbound guard plugged into niquests, the HTTP library of caldav's DAVClient.

niquests (through urllib3-future) asks its resolver for the addresses of every connection,
redirects included, and connects to exactly the addresses it was given: a resolver that
answers only what the guard passed is the guard, for plain and TLS connections alike.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING, Any

import niquests
from niquests.packages.urllib3.contrib.resolver import (  # type: ignore[import-not-found]
    BaseResolver,
    ProtocolResolver,
)

if TYPE_CHECKING:
    from leadrail.adapters.outbound import Outbound


class GuardedResolver(BaseResolver):  # type: ignore[misc]
    protocol = ProtocolResolver.CUSTOM
    implementation = "leadrail-outbound"

    def __init__(self, outbound: Outbound, purpose: str) -> None:
        super().__init__(None, None)
        self._outbound = outbound
        self._purpose = purpose

    def recycle(self) -> BaseResolver:
        return self

    def close(self) -> None:
        pass

    def is_available(self) -> bool:
        return True

    def getaddrinfo(
        self,
        host: bytes | str | None,
        port: str | int | None,
        family: socket.AddressFamily,
        type: socket.SocketKind,  # noqa: A002 (the socket.getaddrinfo signature)
        proto: int = 0,
        flags: int = 0,
        *,
        quic_upgrade_via_dns_rr: bool = False,
    ) -> list[tuple[Any, ...]]:
        name = host.decode("ascii") if isinstance(host, bytes) else (host or "localhost")
        number = int(port or 0)
        out: list[tuple[Any, ...]] = []
        for address in self._outbound.addresses(name, number, self._purpose):
            v6 = ipaddress.ip_address(address.split("%")[0]).version == 6
            af = socket.AF_INET6 if v6 else socket.AF_INET
            if family not in (socket.AF_UNSPEC, af):
                continue
            sa = (address, number, 0, 0) if v6 else (address, number)
            out.append((af, type or socket.SOCK_STREAM, proto, "", sa))
        if not out:
            raise socket.gaierror(f"{name} has no address of the asked family")
        return out


def guarded_session(outbound: Outbound, purpose: str) -> niquests.Session:
    """A session without proxies or .netrc from the environment, over HTTP/1.1 and 2 (no
    QUIC), resolving through the guard."""
    session = niquests.Session(resolver=GuardedResolver(outbound, purpose), disable_http3=True)
    session.trust_env = False
    return session
