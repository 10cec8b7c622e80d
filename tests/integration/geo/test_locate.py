"""The Locator's hints in order of precedence, US ZIPs from the real `zipcodes` data, and the
nearest store end to end."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from leadrail.adapters.geo import LocationHints, Locator
from leadrail.leads.nearest import GeoPoint, StorePlace, haversine_km, nearest_store

STORES = {
    "New York": (40.7580, -73.9855),
    "Los Angeles": (34.0522, -118.2437),
    "Chicago": (41.8781, -87.6298),
}
PLACES = [StorePlace(name, lat, lon) for name, (lat, lon) in STORES.items()]
CITY_HALLS = {
    "10007": (40.7128, -74.0060),
    "90012": (34.0537, -118.2428),
    "60601": (41.8837, -87.6233),
}
LONDON_IP = "81.2.69.160"
LOS_ANGELES_IP = "12.0.1.1"
EVERYTHING = LocationHints(
    store="Chicago", latitude=34.05, longitude=-118.24, postal_code="10007", ip=LONDON_IP
)


@pytest.fixture
def locator(city_mmdb: Path) -> Iterator[Locator]:
    with Locator(mmdb_path=str(city_mmdb)) as it:
        yield it


def without(hints: LocationHints, *names: str) -> LocationHints:
    return dataclasses.replace(hints, **dict.fromkeys(names))


def source(locator: Locator, hints: LocationHints) -> str | None:
    point = locator.locate(hints, STORES)
    return point.source if point else None


def test_the_store_the_visitor_chose_beats_everything(locator: Locator) -> None:
    assert locator.locate(EVERYTHING, STORES) == GeoPoint(41.8781, -87.6298, "store choice")


def test_then_the_browser_then_the_postal_code_then_the_ip(locator: Locator) -> None:
    assert locator.locate(without(EVERYTHING, "store"), STORES) == GeoPoint(
        34.05, -118.24, "browser"
    )
    hints = without(EVERYTHING, "store", "latitude", "longitude")
    assert source(locator, hints) == "postal code 10007"
    hints = without(hints, "postal_code")
    assert locator.locate(hints, STORES) == GeoPoint(51.5142, -0.0931, f"ip {LONDON_IP}", 5)
    assert locator.locate(without(hints, "ip"), STORES) is None


@pytest.mark.parametrize("name", ["chicago", "  CHICAGO ", "ChIcAgO"])
def test_a_store_name_matches_whatever_the_case(locator: Locator, name: str) -> None:
    assert source(locator, LocationHints(store=name)) == "store choice"


@pytest.mark.parametrize("name", ["Boston", "", "   ", "Chicago Downtown"])
def test_an_unknown_store_falls_through_to_the_browser(locator: Locator, name: str) -> None:
    assert source(locator, dataclasses.replace(EVERYTHING, store=name)) == "browser"


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (float("nan"), -118.0),
        (34.0, float("inf")),
        (-float("inf"), 0.0),
        (90.5, 0.0),
        (0.0, -180.5),
        (34.0, None),
        (None, -118.0),
        (True, False),
    ],
)
def test_unusable_browser_coordinates_fall_through_to_the_postal_code(
    locator: Locator, lat: float | None, lon: float | None
) -> None:
    hints = dataclasses.replace(EVERYTHING, store=None, latitude=lat, longitude=lon)
    assert source(locator, hints) == "postal code 10007"


def test_browser_coordinates_at_the_edges_are_fine(locator: Locator) -> None:
    assert source(locator, LocationHints(latitude=-90, longitude=180)) == "browser"


@pytest.mark.parametrize("zip_code", sorted(CITY_HALLS))
def test_real_zips_are_where_their_city_is(locator: Locator, zip_code: str) -> None:
    point = locator.locate(LocationHints(postal_code=zip_code), STORES)
    assert point is not None
    assert point.source == f"postal code {zip_code}"
    assert haversine_km(point.latitude, point.longitude, *CITY_HALLS[zip_code]) < 5


@pytest.mark.parametrize("code", ["10007-1234", "10007 1234", "100071234", " 10007 "])
def test_zip_plus_4_and_spacing(locator: Locator, code: str) -> None:
    assert source(locator, LocationHints(postal_code=code)) == "postal code 10007"


@pytest.mark.parametrize("country", ["US", "us", "USA", "U.S.", "United States", "", None])
def test_a_us_country_or_none_allows_the_zip(locator: Locator, country: str | None) -> None:
    hints = LocationHints(postal_code="60601", country=country)
    assert source(locator, hints) == "postal code 60601"


@pytest.mark.parametrize(
    ("code", "country"),
    [
        ("99999", None),  # shaped like a ZIP, but there is no such ZIP
        ("00000", "US"),
        ("M5V 3L9", "CA"),  # Toronto
        ("M5V 3L9", None),
        ("60601", "CA"),  # a US-shaped code in another country
        ("75008", "FR"),
        ("09002", None),  # a military (APO) ZIP: no place, 0,0 in the data
        ("77352", "US"),  # a real ZIP whose coordinates the data gives as 0,0
        ("1000", None),
        ("100071", None),
        ("10007-12", None),
        ("１００07", None),  # full-width digits
        ("", None),
        ("x" * 5000, None),
    ],
)
def test_unknown_or_foreign_codes_fall_through_to_the_ip(
    locator: Locator, code: str, country: str | None
) -> None:
    hints = LocationHints(postal_code=code, country=country, ip=LONDON_IP)
    assert source(locator, hints) == f"ip {LONDON_IP}"


def test_a_zip_in_a_us_territory(locator: Locator) -> None:
    point = locator.locate(LocationHints(postal_code="00901", country="PR"), STORES)
    assert point is not None
    assert point.source == "postal code 00901"
    assert 17.5 < point.latitude < 19  # Puerto Rico
    assert -68 < point.longitude < -65


def test_from_a_zip_to_the_nearest_store(locator: Locator) -> None:
    point = locator.locate(LocationHints(postal_code="60601-4000"), STORES)
    assert point is not None
    found = nearest_store(point, PLACES, max_km=50.0)
    assert found is not None
    store, km = found
    assert store.name == "Chicago"
    assert km == pytest.approx(haversine_km(point.latitude, point.longitude, *STORES["Chicago"]))
    assert 0.5 < km < 2.0


def test_from_an_ip_to_the_nearest_store(locator: Locator) -> None:
    point = locator.locate(LocationHints(ip=LOS_ANGELES_IP), STORES)
    assert point == GeoPoint(34.0544, -118.2441, f"ip {LOS_ANGELES_IP}", 10)
    found = nearest_store(point, PLACES, max_km=50.0)
    assert found is not None
    assert found[0].name == "Los Angeles"
    assert found[1] == pytest.approx(0.25, abs=0.02)


def test_from_the_browser_to_the_nearest_store(locator: Locator) -> None:
    point = locator.locate(LocationHints(latitude=40.6413, longitude=-73.7781), STORES)  # JFK
    assert point is not None
    found = nearest_store(point, PLACES, max_km=None)
    assert found is not None
    assert found[0].name == "New York"
    assert found[1] == pytest.approx(21.8, abs=0.5)


def test_a_visitor_too_far_from_every_store_gets_none(locator: Locator) -> None:
    point = locator.locate(LocationHints(ip=LONDON_IP), STORES)
    assert point is not None
    assert nearest_store(point, PLACES, max_km=500.0) is None
    found = nearest_store(point, PLACES, max_km=None)
    assert found is not None
    assert found[0].name == "New York"
