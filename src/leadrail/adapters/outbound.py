"""The one guard for every outbound request to a URL that a user typed: reps' CalDAV
calendars, webhook destinations, the CRM connection.

A host is resolved once per connection; addresses that are not public (loopback, RFC 1918
and ULA private, link-local with the 169.254.169.254 metadata service, unspecified,
multicast, reserved, carrier-grade NAT 100.64/10, and the IPv4-mapped, 6to4, Teredo and
NAT64 forms of those) are dropped, and the connection goes to an address that passed, so a
redirect or a DNS answer that changes between check and use (rebinding) cannot reach one.
TLS still verifies the host name. Hosts the operator lists in
``LEADRAIL_OUTBOUND_ALLOW_HOSTS`` (``name`` or ``name:port``) are not checked.

The guard plugs into httpx as an httpcore network backend (``http_client``) and into the
niquests session of the caldav library as a DNS resolver (``dav_session``).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

ALLOW_SETTING = "LEADRAIL_OUTBOUND_ALLOW_HOSTS"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], list[str]]  # (host, port) -> addresses, as getaddrinfo gives

_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_LOCAL_NAMES = re.compile(
    r"^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)$"
    r"|\.(localhost|local|internal|home\.arpa|lan|intranet|corp)$"
)
_ALLOW_ITEM = re.compile(r"\[([0-9a-f:.]+)\](?::(\d+))?|([^:\s\[\]]+)(?::(\d+))?|([0-9a-f:.]+)")
_NUMERIC = re.compile(r"^[0-9a-fx.]+$")  # decimal, octal and hex IPv4 forms: 2130706433, 0x7f.1


class OutboundRefused(Exception):
    """A user-typed URL leads to an address leadrail does not call. Trying again will not
    help; the operator may allow the host."""


def system_resolve(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver (numeric forms included)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def address_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public address ("loopback", "private", ...), or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d
            return address_kind(ip.ipv4_mapped)
        if ip in _NAT64:  # DNS64 answers: the IPv4 host behind the NAT64 gateway
            return address_kind(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and (kind := address_kind(embedded)) is not None:
            return kind  # 6to4 and Teredo forms of a refused IPv4 address
    if ip in _METADATA:
        return "link-local (cloud metadata)"
    checks = (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("carrier-grade NAT", isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    )
    found = next((kind for kind, hit in checks if hit), None)
    return found or (None if ip.is_global else "non-public")


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as an IP means (IPv6 in brackets, and the IPv4 forms the
    system resolver accepts: ``2130706433``, ``0x7f.1``, ``0177.0.0.1``), or None."""
    bare = host.strip("[]").split("%")[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC.match(bare.lower()):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def parse_allow_hosts(text: str) -> frozenset[tuple[str, int | None]]:
    """``"crm.corp.test, 127.0.0.1:8080, [::1]:9000"`` -> {(host, port or None)}."""
    out: set[tuple[str, int | None]] = set()
    for raw in text.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        m = _ALLOW_ITEM.fullmatch(item)
        if m is None:
            raise ValueError(f"{ALLOW_SETTING}: {raw.strip()!r} is not a host or host:port")
        host = m.group(1) or m.group(3) or m.group(5)
        port = m.group(2) or m.group(4)
        out.add((host.rstrip("."), int(port) if port else None))
    return frozenset(out)


def _bare(host: str) -> str:
    return host.strip().strip("[]").lower().rstrip(".")


def _shown(ip: IPAddress) -> str:
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return f"::ffff:{mapped}" if mapped else str(ip)


def _an(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


@dataclass(frozen=True)
class Outbound:
    """The guard. ``allow``: the operator's hosts; ``resolve``: the DNS lookup (a test can
    answer differently on each call to play a rebinding attack)."""

    allow: frozenset[tuple[str, int | None]] = frozenset()
    resolve: Resolve = system_resolve

    @classmethod
    def allowing(cls, hosts: str, resolve: Resolve = system_resolve) -> Outbound:
        return cls(parse_allow_hosts(hosts), resolve)

    def is_allowed(self, host: str, port: int | None) -> bool:
        host = _bare(host)
        return (host, None) in self.allow or (host, port) in self.allow

    def addresses(self, host: str, port: int, purpose: str) -> list[str]:
        """Where to connect for ``host:port``: resolved once, non-public addresses dropped
        (unless the host is allowed). OutboundRefused when none is left; OSError when the
        name does not resolve."""
        bare = _bare(host)
        found = self.resolve(bare, port)
        if self.is_allowed(bare, port):
            return found
        public, refused = [], []
        for address in found:
            ip = ipaddress.ip_address(address.split("%")[0])
            kind = address_kind(ip)
            if kind is None:
                public.append(address)
            else:
                refused.append((ip, kind))
        if public:
            return public
        if not refused:
            raise socket.gaierror(f"{bare} has no address")
        ip, kind = refused[0]
        where = "" if literal_address(bare) == ip else f" (host {bare})"
        host = bare if ":" not in bare else f"[{bare}]"
        raise OutboundRefused(
            f"{purpose} resolves to {_an(kind)} address {_shown(ip)}{where}; an operator can "
            f"allow it with {ALLOW_SETTING}={host}:{port}"
        )

    def saved_url_problem(self, url: str) -> str | None:
        """Why a URL cannot even be saved: it names a non-public address literally, or a
        local network name (resolution when it is used remains the real check)."""
        parts = urlsplit(url.strip())
        try:
            host, port = parts.hostname, parts.port
        except ValueError:
            return "the port is not a number"
        if not host:
            return None
        port = port or (443 if parts.scheme.lower() == "https" else 80)
        if self.is_allowed(host, port):
            return None
        hint = f"an operator can allow it with {ALLOW_SETTING}"
        ip = literal_address(host)
        kind = address_kind(ip) if ip is not None else None
        if ip is not None and kind is not None:
            return f"points at {_an(kind)} address {_shown(ip)}; {hint}"
        if ip is None and _LOCAL_NAMES.search(_bare(host)):
            return f"{_bare(host)} is a local network name; {hint}"
        return None

    def http_client(
        self, purpose: str, *, backend: httpcore.NetworkBackend | None = None, **options: Any
    ) -> httpx.Client:
        """An httpx client whose every connection (redirects included) goes through the
        guard. Proxies and .netrc from the environment are not used."""
        transport = GuardedTransport(self, purpose, backend)
        return httpx.Client(transport=transport, trust_env=False, **options)

    def dav_session(self, purpose: str) -> Any:
        """A niquests session (what caldav's DAVClient uses) resolving through the guard."""
        from leadrail.adapters.outbound_dav import guarded_session

        return guarded_session(self, purpose)


class GuardedBackend(httpcore.NetworkBackend):
    """Connects to an address the guard passed, never to the name again."""

    def __init__(
        self, outbound: Outbound, purpose: str, inner: httpcore.NetworkBackend | None = None
    ) -> None:
        self._outbound = outbound
        self._purpose = purpose
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self._outbound.addresses(host, port, self._purpose)
        except OSError as e:
            raise httpcore.ConnectError(f"{host}: {e}") from e
        error: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                error = e
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise OutboundRefused("outbound requests do not use unix sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    def __init__(
        self, outbound: Outbound, purpose: str, backend: httpcore.NetworkBackend | None = None
    ) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=GuardedBackend(outbound, purpose, backend),
        )
