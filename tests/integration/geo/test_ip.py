"""IP addresses: the operator's city .mmdb for a location, iptocc for the country only."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet  # type: ignore[import-untyped]

from leadrail.adapters.geo import LocationHints, Locator, country_of_ip
from leadrail.leads.nearest import GeoPoint
from tests.integration.geo.city_db import RECORDS, write_city_mmdb

STORES = {"Chicago": (41.8781, -87.6298)}


@pytest.fixture
def locator(city_mmdb: Path) -> Iterator[Locator]:
    with Locator(mmdb_path=str(city_mmdb)) as it:
        yield it


def by_ip(locator: Locator, ip: str | None) -> GeoPoint | None:
    return locator.locate(LocationHints(ip=ip), STORES)


def test_a_precise_ip_gives_its_city_and_radius(locator: Locator) -> None:
    assert by_ip(locator, "81.2.69.160") == GeoPoint(51.5142, -0.0931, "ip 81.2.69.160", 5)


def test_ipv6(locator: Locator) -> None:
    point = by_ip(locator, "2A00:1450:0:0::1")
    assert point == GeoPoint(53.3498, -6.2603, "ip 2a00:1450::1", 20)


def test_an_ipv4_address_written_as_ipv6_is_the_ipv4_address(locator: Locator) -> None:
    point = by_ip(locator, "::ffff:81.2.69.160")
    assert point is not None
    assert point.source == "ip 81.2.69.160"


def test_a_coarse_ip_is_unknown(locator: Locator) -> None:
    assert by_ip(locator, "8.8.8.8") is None  # a country's centre, 1000 km


def test_the_coarse_limit_is_the_operators(city_mmdb: Path) -> None:
    with Locator(mmdb_path=str(city_mmdb), coarse_km=1000.0) as lenient:
        point = by_ip(lenient, "8.8.8.8")
    assert point == GeoPoint(37.751, -97.822, "ip 8.8.8.8", 1000)
    with Locator(mmdb_path=str(city_mmdb), coarse_km=4.0) as strict:
        assert by_ip(strict, "81.2.69.160") is None  # 5 km is too vague now


def test_no_coordinates_is_unknown(locator: Locator) -> None:
    assert by_ip(locator, "2.16.1.1") is None


def test_an_address_not_in_the_database_is_unknown(locator: Locator) -> None:
    assert by_ip(locator, "1.1.1.1") is None


def test_a_dbip_record_has_no_radius_and_needs_a_city(locator: Locator) -> None:
    assert by_ip(locator, "5.0.0.1") == GeoPoint(52.52, 13.405, "ip 5.0.0.1", None)
    assert by_ip(locator, "5.1.0.1") is None  # no city: a country's centre


@pytest.mark.parametrize(
    "ip",
    [
        "10.1.2.3",  # in the database, precisely, but private
        "192.168.1.10",
        "172.16.0.1",
        "127.0.0.1",
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "169.254.1.1",
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.1",
        "240.0.0.1",
        "203.0.113.9",  # documentation
        "::1",
        "::",
        "fe80::1%eth0",
        "fd00::1",
        "2001:db8::1",
        "::ffff:10.1.2.3",
    ],
)
def test_private_loopback_and_reserved_addresses_are_unknown(locator: Locator, ip: str) -> None:
    assert by_ip(locator, ip) is None
    assert country_of_ip(ip) is None


@pytest.mark.parametrize(
    "ip",
    [
        "garbage",
        "",
        "   ",
        "81.2.69.160:443",
        "81.2.69.160, 10.0.0.1",  # an X-Forwarded-For list is not an address
        "999.1.1.1",
        "81.2.69",
        "1" * 10_000,
        "\x00",
        None,
    ],
)
def test_anything_that_is_not_an_address_is_unknown(locator: Locator, ip: str | None) -> None:
    assert by_ip(locator, ip) is None
    assert country_of_ip(ip) is None


def test_without_a_database_an_ip_gives_no_location() -> None:
    with Locator() as locator:
        assert by_ip(locator, "81.2.69.160") is None
        assert locator.locate(LocationHints(store="chicago", ip="81.2.69.160"), STORES) == (
            GeoPoint(41.8781, -87.6298, "store choice")
        )


@pytest.mark.parametrize(
    ("ip", "country"),
    [
        ("8.8.8.8", "US"),
        ("81.2.69.160", "GB"),
        ("2001:4860:4860::8888", "US"),
        ("::ffff:8.8.8.8", "US"),
    ],
)
def test_the_country_of_a_public_ip_needs_no_database(ip: str, country: str) -> None:
    assert country_of_ip(ip) == country


def test_the_database_is_opened_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "later.mmdb"
    with Locator(mmdb_path=str(path)) as locator:
        write_city_mmdb(path)  # after the Locator was built: nothing was opened yet
        assert by_ip(locator, "81.2.69.160") is not None


def test_a_missing_database_is_logged_and_ip_gives_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "missing.mmdb"
    with caplog.at_level(logging.WARNING), Locator(mmdb_path=str(path)) as locator:
        assert by_ip(locator, "81.2.69.160") is None
        assert by_ip(locator, "81.2.69.161") is None
        assert locator.locate(LocationHints(postal_code="60601", ip="81.2.69.160"), STORES)
    warnings = [r for r in caplog.records if "missing.mmdb" in r.getMessage()]
    assert len(warnings) == 1  # once, not per lead


def test_a_file_that_is_not_a_database_gives_nothing(tmp_path: Path) -> None:
    path = tmp_path / "not.mmdb"
    path.write_bytes(b"this is not a MaxMind DB")
    with Locator(mmdb_path=str(path)) as locator:
        assert by_ip(locator, "81.2.69.160") is None


def test_an_ipv6_address_in_an_ipv4_database_is_unknown(tmp_path: Path) -> None:
    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-City")
    writer.insert_network(IPSet(["81.2.69.0/24"]), RECORDS["81.2.69.0/24"])
    path = tmp_path / "v4.mmdb"
    writer.to_db_file(str(path))
    with Locator(mmdb_path=str(path)) as locator:
        assert by_ip(locator, "2a00:1450::1") is None
        assert by_ip(locator, "81.2.69.160") is not None


def test_closed_means_no_more_ip_locations(city_mmdb: Path) -> None:
    locator = Locator(mmdb_path=str(city_mmdb))
    assert by_ip(locator, "81.2.69.160") is not None
    locator.close()
    locator.close()  # twice is fine
    assert by_ip(locator, "81.2.69.160") is None
    assert locator.locate(LocationHints(postal_code="60601"), STORES) is not None


def test_closing_an_unused_locator_is_fine() -> None:
    Locator(mmdb_path="/nonexistent/city.mmdb").close()
    Locator().close()
