"""The outbound guard's rules: which addresses a user-typed URL may reach, the operator's
allow-list, and the URLs refused when they are saved (no network: resolvers are fakes)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from leadrail.adapters.outbound import (
    Outbound,
    OutboundRefused,
    address_kind,
    literal_address,
    parse_allow_hosts,
)

REFUSED = {
    "127.0.0.1": "loopback",
    "127.255.0.9": "loopback",
    "10.0.0.5": "private",
    "172.16.3.4": "private",
    "192.168.1.20": "private",
    "169.254.169.254": "link-local (cloud metadata)",
    "169.254.10.1": "link-local",
    "0.0.0.0": "unspecified",
    "224.0.0.0": "multicast",  # Python counts multicast as global: the guard must not
    "224.0.0.251": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "private",  # reserved for future use: Python files it under private
    "100.64.0.1": "carrier-grade NAT",
    "100.127.255.254": "carrier-grade NAT",
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fc00::1": "private",
    "fd12:3456::1": "private",
    "fd00:ec2::254": "link-local (cloud metadata)",
    "ff02::1": "multicast",
    "ff0e::1": "multicast",  # global scope, and still no destination for a webhook
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped
    "::ffff:10.0.0.5": "private",
    "::ffff:169.254.169.254": "link-local (cloud metadata)",
    "2002:7f00:1::": "loopback",  # 6to4 of 127.0.0.1
    "64:ff9b::a00:5": "private",  # NAT64 of 10.0.0.5
    "::127.0.0.1": "reserved",  # IPv4-compatible (deprecated)
}


@pytest.mark.parametrize(("address", "kind"), REFUSED.items())
def test_every_non_public_address_class_is_named(address: str, kind: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses_pass(address: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) is None


_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """What the guard lets through: global unicast. ``is_global`` alone is not it: Python
    counts multicast (224.0.0.0/4, ff0e::/16) as global, and 100.64/10 is shared."""
    return ip.is_global and not ip.is_multicast and ip not in _SHARED


@given(st.integers(min_value=0, max_value=2**32 - 1))
@example(int(ipaddress.IPv4Address("224.0.0.0")))  # once failed 1 run in 20: multicast
@example(int(ipaddress.IPv4Address("239.255.255.255")))
@example(int(ipaddress.IPv4Address("100.64.0.0")))
@example(int(ipaddress.IPv4Address("8.8.8.8")))
def test_an_ipv4_address_and_its_mapped_form_are_judged_alike(n: int) -> None:
    v4 = ipaddress.IPv4Address(n)
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")
    assert address_kind(mapped) == address_kind(v4)
    assert (address_kind(v4) is None) == _public(v4)


def _meant(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Any:
    """The address a connection reaches: ::ffff:1.0.0.0 and 64:ff9b::100:0 (NAT64) are
    1.0.0.0, not the reserved ::/8 they are written in."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


@given(st.ip_addresses())
def test_only_global_addresses_pass(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    if address_kind(ip) is None:
        assert _public(_meant(ip))


@given(st.ip_addresses())
@example(ipaddress.ip_address("224.0.0.0"))
@example(ipaddress.ip_address("ff0e::1"))
@example(ipaddress.ip_address("::"))
def test_multicast_reserved_and_unspecified_addresses_never_pass(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    meant = _meant(ip)
    if meant.is_multicast or meant.is_reserved or meant.is_unspecified:
        assert address_kind(ip) is not None


def resolver(answers: dict[str, list[str]]) -> Outbound:
    return Outbound(resolve=lambda host, port: answers[host])


@pytest.mark.parametrize(("address", "kind"), REFUSED.items())
def test_a_name_resolving_to_a_refused_address_is_refused_with_a_clear_message(
    address: str, kind: str
) -> None:
    guard = resolver({"hooks.acme.test": [address]})
    with pytest.raises(OutboundRefused) as caught:
        guard.addresses("hooks.acme.test", 443, "webhook URL")
    message = str(caught.value)
    assert message.startswith(f"webhook URL resolves to a{'n' if kind[0] in 'aeiou' else ''} ")
    assert f"{kind} address" in message
    assert "(host hooks.acme.test)" in message
    assert "LEADRAIL_OUTBOUND_ALLOW_HOSTS=hooks.acme.test:443" in message


def test_mixed_answers_keep_only_the_public_addresses() -> None:
    guard = resolver({"x.test": ["10.0.0.1", "93.184.216.34", "::1"]})
    assert guard.addresses("x.test", 80, "CRM URL") == ["93.184.216.34"]


def test_an_allowed_host_is_not_checked_and_only_on_its_port() -> None:
    answers = {"crm.corp.test": ["10.1.2.3"], "127.0.0.1": ["127.0.0.1"]}
    guard = Outbound.allowing(" CRM.corp.test. , 127.0.0.1:8080", lambda h, p: answers[h])
    assert guard.addresses("crm.corp.test", 443, "CRM URL") == ["10.1.2.3"]
    assert guard.addresses("127.0.0.1", 8080, "CRM URL") == ["127.0.0.1"]
    with pytest.raises(OutboundRefused):
        guard.addresses("127.0.0.1", 8081, "CRM URL")


def test_allow_list_forms() -> None:
    assert parse_allow_hosts("a.test, b.test:81, [::1]:9000, ::1, 10.0.0.5") == {
        ("a.test", None),
        ("b.test", 81),
        ("::1", 9000),
        ("::1", None),
        ("10.0.0.5", None),
    }
    with pytest.raises(ValueError, match="LEADRAIL_OUTBOUND_ALLOW_HOSTS"):
        parse_allow_hosts("http://a.test/")


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),  # decimal
        ("0x7f.1", "127.0.0.1"),  # hex, short form
        ("0177.0.0.1", "127.0.0.1"),  # octal
        ("127.1", "127.0.0.1"),
        ("0x0a000005", "10.0.0.5"),
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
        ("[::1]", "::1"),
        ("example.test", None),
        ("cafe.test", None),
    ],
)
def test_literal_forms_of_addresses(host: str, address: str | None) -> None:
    found = literal_address(host)
    assert (str(found) if found else None) == (
        str(ipaddress.ip_address(address)) if address else None
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0177.0.0.1:8080/",
        "http://[::1]:5232/",
        "http://[::ffff:169.254.169.254]/",
        "http://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/caldav/",
        "http://100.64.1.1/",
        "http://224.0.0.251:5353/",
        "http://[ff0e::1]/",
        "http://0.0.0.0:8080/",
        "http://localhost:5232/",
        "http://LOCALHOST./",
        "https://metadata.google.internal/",
        "https://printer.local/",
        "https://crm.home.arpa/",
    ],
)
def test_private_urls_are_refused_when_saved(url: str) -> None:
    problem = Outbound().saved_url_problem(url)
    assert problem is not None
    assert "an operator can allow it with LEADRAIL_OUTBOUND_ALLOW_HOSTS" in problem


def test_public_and_allowed_urls_are_saved() -> None:
    assert Outbound().saved_url_problem("https://dav.example.com/cal/ana/") is None
    allowed = Outbound.allowing("127.0.0.1:5232, crm.internal")
    assert allowed.saved_url_problem("http://127.0.0.1:5232/rep/") is None
    assert allowed.saved_url_problem("https://crm.internal/api") is None
    assert allowed.saved_url_problem("http://127.0.0.1:5233/rep/") is not None
