"""The outbound guard over real HTTP on 127.0.0.1: the httpx clients (webhooks, the CRM) and
the caldav library's niquests session refuse every non-public address, after redirects too,
check the address they actually connect to (DNS rebinding), and let the operator's allowed
hosts through."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpcore
import pytest

from leadrail.adapters.calendar.caldav_calendar import (
    CalDavCalendar,
    CalDavSettings,
    CalendarError,
)
from leadrail.adapters.outbound import Outbound, OutboundRefused

from .conftest import LOCAL, Radicale
from .outbound_servers import Server, serving

NOW = datetime(2026, 1, 5, tzinfo=UTC)
PUBLIC = "93.184.216.34"


@pytest.fixture
def server() -> Iterator[Server]:
    with serving() as s:
        yield s


class Recording(httpcore.NetworkBackend):
    """The socket layer under the guard: records each address it is asked to connect to and
    reaches the local test server in place of the public address."""

    def __init__(self, local_port: int) -> None:
        self.connected: list[str] = []
        self._inner = httpcore.SyncBackend()
        self._port = local_port

    def connect_tcp(self, host: str, port: int, *args: Any, **kw: Any) -> httpcore.NetworkStream:
        self.connected.append(host)
        return self._inner.connect_tcp("127.0.0.1", self._port, *args, **kw)

    def connect_unix_socket(self, *args: Any, **kw: Any) -> httpcore.NetworkStream:
        raise AssertionError("never")

    def sleep(self, seconds: float) -> None:
        pass


def answers(*rounds: dict[str, list[str]]) -> tuple[Callable[[str, int], list[str]], list[str]]:
    """A resolver answering each round in turn (the last one for ever), and its call log."""
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return rounds[min(len(asked), len(rounds)) - 1][host]

    return resolve, asked


LOOPBACK_FORMS = [
    "http://127.0.0.1:{port}/",
    "http://2130706433:{port}/",  # decimal
    "http://0x7f.1:{port}/",  # hex, short
    "http://127.1:{port}/",
    "http://localhost:{port}/",
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",  # IPv4-mapped
]


@pytest.mark.parametrize("form", LOOPBACK_FORMS)
def test_every_way_of_writing_the_loopback_address_is_refused(form: str, server: Server) -> None:
    with Outbound().http_client("webhook URL") as client, pytest.raises(OutboundRefused) as caught:
        client.post(form.format(port=server.port), content=b"{}")
    assert "webhook URL resolves to a loopback address" in str(caught.value)
    assert "an operator can allow it with LEADRAIL_OUTBOUND_ALLOW_HOSTS" in str(caught.value)
    assert server.received == []


@pytest.mark.parametrize(
    "address",
    ["10.0.0.5", "172.16.0.1", "192.168.0.10", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "224.0.0.1", "fd00::1", "fe80::1", "::ffff:10.0.0.5", "::"],
)  # fmt: skip
def test_a_name_resolving_to_any_non_public_address_is_never_connected(
    address: str, server: Server
) -> None:
    resolve, _ = answers({"hooks.acme.test": [address]})
    socket_layer = Recording(server.port)
    guard = Outbound(resolve=resolve)
    client = guard.http_client("webhook URL", backend=socket_layer)
    with client, pytest.raises(OutboundRefused, match=f"address {address}"):
        client.get("http://hooks.acme.test/")
    assert socket_layer.connected == []


def test_the_operators_allowed_host_goes_through(server: Server) -> None:
    with Outbound.allowing(f"127.0.0.1:{server.port}").http_client("CRM URL") as client:
        assert client.get(f"{server.url}/x").status_code == 200
    with Outbound.allowing("127.0.0.1").http_client("CRM URL") as client:
        assert client.get(f"{server.url}/y").status_code == 200
    assert [r.path for r in server.received] == ["/x", "/y"]


@pytest.mark.parametrize(
    "target",
    ["http://localhost:{other}/", "http://127.0.0.1:{other}/", "http://169.254.169.254/latest/"],
)
def test_a_redirect_from_an_allowed_host_to_a_private_one_is_refused(target: str) -> None:
    with serving() as other, serving(location=target.format(other=other.port)) as allowed:
        guard = Outbound.allowing(f"127.0.0.1:{allowed.port}")
        client = guard.http_client("webhook URL", follow_redirects=True)
        with client, pytest.raises(OutboundRefused):
            client.get(allowed.url)
        assert len(allowed.received) == 1
        assert other.received == []


def test_dns_rebinding_the_address_connected_is_the_address_checked(server: Server) -> None:
    """The name answers a public address, then (TTL 0) a loopback one: each connection
    resolves once and connects to exactly what passed the check."""
    resolve, asked = answers({"rebind.test": [PUBLIC]}, {"rebind.test": ["127.0.0.1"]})
    socket_layer = Recording(server.port)
    guard = Outbound(resolve=resolve)
    with guard.http_client("webhook URL", backend=socket_layer) as first:
        assert first.get(f"http://rebind.test:{server.port}/").status_code == 200
    second = guard.http_client("webhook URL", backend=socket_layer)
    with second, pytest.raises(OutboundRefused, match="loopback address 127.0.0.1"):
        second.get(f"http://rebind.test:{server.port}/")
    assert asked == ["rebind.test", "rebind.test"]  # once per connection, never again
    assert socket_layer.connected == [PUBLIC]  # never the loopback answer
    assert len(server.received) == 1


# --- the caldav library (niquests) ---------------------------------------------------------


def dav(url: str, guard: Outbound, radicale: Radicale | None = None) -> CalDavCalendar:
    settings = CalDavSettings(
        url=url,
        username=radicale.user if radicale else None,
        password=radicale.password if radicale else None,
        timeout_seconds=3,
    )
    return CalDavCalendar(settings, guard)


def test_caldav_refuses_a_private_calendar_url_without_connecting(radicale: Radicale) -> None:
    url = radicale.new_calendar_url().replace("127.0.0.1", "localhost")
    with dav(url, Outbound(), radicale) as calendar, pytest.raises(CalendarError) as caught:
        calendar.busy(NOW, NOW + timedelta(days=1))
    assert caught.value.retryable is False
    assert str(caught.value).startswith("CalDAV URL resolves to a loopback address")


def test_caldav_checks_names_and_lets_the_allowed_host_through(radicale: Radicale) -> None:
    url = radicale.new_calendar_url().replace("127.0.0.1", "dav.acme.test")
    resolve, _ = answers({"dav.acme.test": ["127.0.0.1"]})
    refused = pytest.raises(CalendarError, match=r"loopback address 127\.0\.0\.1 \(host dav")
    with dav(url, Outbound(resolve=resolve), radicale) as calendar, refused:
        calendar.busy(NOW, NOW + timedelta(days=1))
    with dav(url, Outbound.allowing("dav.acme.test", resolve), radicale) as calendar:
        assert calendar.busy(NOW, NOW + timedelta(days=1)) == []


def test_caldav_does_not_follow_a_redirect_to_a_private_address(radicale: Radicale) -> None:
    with serving() as inside, serving(location=f"http://localhost:{inside.port}/cal/") as front:
        guard = Outbound.allowing(f"127.0.0.1:{front.port}")
        with dav(f"{front.url}/cal/", guard) as calendar, pytest.raises(CalendarError) as caught:
            calendar.busy(NOW, NOW + timedelta(days=1))
        assert "resolves to a loopback address" in str(caught.value)
        assert front.received
        assert inside.received == []


def test_local_test_servers_are_reached_only_when_allowed(radicale: Radicale) -> None:
    url = radicale.new_calendar_url()
    with dav(url, LOCAL, radicale) as calendar:
        assert calendar.busy(NOW, NOW + timedelta(days=1)) == []
    with dav(url, Outbound(), radicale) as calendar, pytest.raises(CalendarError):
        calendar.busy(NOW, NOW + timedelta(days=1))
