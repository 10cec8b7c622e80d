"""The client's address behind proxies: the app's rule and uvicorn's agree, and a client can
never choose its own address unless every hop after it is trusted."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from leadrail.web.client import forwarded_client, is_trusted, parse_networks

ADDRESSES = [f"10.0.0.{i}" for i in range(1, 6)] + ["203.0.113.9", "198.51.100.4", "127.0.0.1"]
NETWORKS = ["10.0.0.0/30", "10.0.0.4", "127.0.0.1", "127.0.0.0/8", "203.0.113.9"]
hop = st.one_of(
    st.sampled_from(ADDRESSES),
    st.sampled_from(ADDRESSES).map(lambda a: f"{a}:4711"),
    st.sampled_from(["", " ", "unknown", "not an address"]),
)
hops = st.lists(hop, max_size=5)
trusted = st.lists(st.sampled_from(NETWORKS), max_size=3, unique=True).map(", ".join)


def uvicorn_client(spec: str, peer: str, forwarded: str | None) -> str:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen["client"] = scope["client"]

    headers = [] if forwarded is None else [(b"x-forwarded-for", forwarded.encode())]
    scope = {"type": "http", "client": (peer, 1234), "headers": headers}
    middleware = ProxyHeadersMiddleware(app, trusted_hosts=spec)  # type: ignore[arg-type]
    asyncio.run(middleware(scope, None, None))  # type: ignore[arg-type]
    return str(seen["client"][0])


@settings(max_examples=300, deadline=None)
@given(trusted, st.sampled_from(ADDRESSES), st.none() | hops.map(", ".join))
def test_the_app_and_uvicorn_agree(spec: str, peer: str, forwarded: str | None) -> None:
    ours = forwarded_client(peer, [] if forwarded is None else [forwarded], parse_networks(spec))
    if not spec:
        assert ours == peer  # nothing trusted: the header is ignored
    else:
        assert ours == uvicorn_client(spec, peer, forwarded)


@settings(max_examples=300, deadline=None)
@given(trusted, st.sampled_from(ADDRESSES), hops, st.sampled_from(ADDRESSES))
def test_applying_the_rule_twice_changes_nothing(
    spec: str, peer: str, forwarded: list[str], claimed: str
) -> None:
    """uvicorn rewrites the client first under `leadrail serve`; the app's rule then agrees."""
    networks = parse_networks(spec)
    header = [", ".join([claimed, *forwarded])]
    once = forwarded_client(peer, header, networks)
    assert forwarded_client(once, header, networks) == once


@settings(max_examples=300, deadline=None)
@given(trusted, st.sampled_from(ADDRESSES), hops, st.sampled_from(ADDRESSES))
def test_a_client_cannot_pick_its_address(
    spec: str, proxy: str, appended: list[str], claimed: str
) -> None:
    """Whatever the client writes at the left of the header, the answer is an address that a
    trusted party saw, unless every hop right of the claim is trusted."""
    networks = parse_networks(spec)
    header = ", ".join([claimed, *appended])
    found = forwarded_client(proxy, [header], networks)
    seen_by_trusted = [proxy, *(h.split(":")[0].strip() for h in appended)]
    if found == claimed and claimed not in seen_by_trusted:
        assert is_trusted(proxy, networks)
        assert all(is_trusted(h, networks) for h in seen_by_trusted[1:])


def test_ipv4_mapped_addresses_and_ports() -> None:
    networks = parse_networks("10.0.0.0/8")
    assert is_trusted("::ffff:10.1.2.3", networks)
    assert forwarded_client("10.0.0.1", ["203.0.113.9:51000"], networks) == "203.0.113.9"
    assert forwarded_client("10.0.0.1", ["[2001:db8::1]:443"], networks) == "2001:db8::1"
    assert forwarded_client("10.0.0.1", ["2001:db8::1"], networks) == "2001:db8::1"
    assert forwarded_client("192.0.2.1", ["203.0.113.9"], networks) == "192.0.2.1"


def test_the_setting_refuses_what_is_not_an_address() -> None:
    from pydantic import ValidationError

    from leadrail.settings import Settings

    assert Settings(trusted_proxies=" 10.0.0.0/8 ,, ::1 ").trusted_proxies == "10.0.0.0/8,::1"
    with pytest.raises(ValidationError, match="'proxy.internal' is not an IP address"):
        Settings(trusted_proxies="10.0.0.0/8, proxy.internal")
