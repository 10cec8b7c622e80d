"""Great-circle distances and the nearest store, on plain values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadrail.leads.nearest import (
    EARTH_RADIUS_KM,
    GeoPoint,
    StorePlace,
    haversine_km,
    nearest_store,
)

NEW_YORK = (40.7128, -74.0060)
LOS_ANGELES = (34.0522, -118.2437)
CHICAGO = (41.8781, -87.6298)
ONE_DEGREE_KM = 2 * math.pi * EARTH_RADIUS_KM / 360  # along a great circle, ~111.2 km


def here(lat: float, lon: float) -> GeoPoint:
    return GeoPoint(lat, lon, "test")


def test_new_york_to_los_angeles_is_about_3936_km() -> None:
    assert haversine_km(*NEW_YORK, *LOS_ANGELES) == pytest.approx(3936, rel=0.01)


def test_new_york_to_chicago_is_about_1145_km() -> None:
    assert haversine_km(*NEW_YORK, *CHICAGO) == pytest.approx(1145, rel=0.01)


def test_the_same_point_is_zero_km_away() -> None:
    assert haversine_km(*NEW_YORK, *NEW_YORK) == 0.0


def test_across_the_antimeridian_is_the_short_way_round() -> None:
    assert haversine_km(0.0, 179.5, 0.0, -179.5) == pytest.approx(ONE_DEGREE_KM)
    assert haversine_km(-16.5, 180.0, -16.5, -180.0) == pytest.approx(0.0, abs=1e-9)


def test_poles() -> None:
    assert haversine_km(90.0, 0.0, -90.0, 0.0) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(90.0, 0.0, 0.0, 42.0) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2)
    # Every longitude meets at a pole.
    assert haversine_km(90.0, -135.0, 90.0, 45.0) == pytest.approx(0.0, abs=1e-9)


def test_antipodes_do_not_overflow() -> None:
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(45.0, 10.0, -45.0, -170.0) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_the_closest_store_and_its_distance() -> None:
    stores = [
        StorePlace("Los Angeles", *LOS_ANGELES),
        StorePlace("Chicago", *CHICAGO),
        StorePlace("Manhattan", 40.75, -73.99),
    ]
    found = nearest_store(here(*NEW_YORK), stores, max_km=None)
    assert found is not None
    store, km = found
    assert store.name == "Manhattan"
    assert km == pytest.approx(4.4, abs=0.2)


def test_no_stores_no_answer() -> None:
    assert nearest_store(here(*NEW_YORK), [], max_km=None) is None
    assert nearest_store(here(*NEW_YORK), [], max_km=100.0) is None


def test_the_closest_store_beyond_the_limit_is_no_answer() -> None:
    stores = [StorePlace("Chicago", *CHICAGO), StorePlace("Los Angeles", *LOS_ANGELES)]
    assert nearest_store(here(*NEW_YORK), stores, max_km=1000.0) is None
    found = nearest_store(here(*NEW_YORK), stores, max_km=1200.0)
    assert found is not None
    assert found[0].name == "Chicago"


def test_a_store_exactly_at_the_limit_counts() -> None:
    km = haversine_km(*NEW_YORK, *CHICAGO)
    found = nearest_store(here(*NEW_YORK), [StorePlace("Chicago", *CHICAGO)], max_km=km)
    assert found is not None


def test_a_limit_of_zero_only_takes_a_store_on_the_spot() -> None:
    stores = [StorePlace("Chicago", *CHICAGO), StorePlace("Here", *NEW_YORK)]
    found = nearest_store(here(*NEW_YORK), stores, max_km=0.0)
    assert found == (StorePlace("Here", *NEW_YORK), 0.0)


def test_a_tie_goes_to_the_first_store_given() -> None:
    # Due north and due south of the equator by the same angle: the same distance.
    north, south = StorePlace("North", 1.0, 0.0), StorePlace("South", -1.0, 0.0)
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == haversine_km(0.0, 0.0, -1.0, 0.0)
    first = nearest_store(here(0.0, 0.0), [north, south], max_km=None)
    assert first is not None
    assert first[0] is north
    assert first[1] == pytest.approx(ONE_DEGREE_KM)
    found = nearest_store(here(0.0, 0.0), [south, north], max_km=None)
    assert found is not None
    assert found[0] is south


def test_the_nearest_store_across_the_antimeridian() -> None:
    stores = [StorePlace("Suva", -18.14, 178.44), StorePlace("Apia", -13.83, -171.76)]
    found = nearest_store(here(-14.0, -179.9), stores, max_km=None)
    assert found is not None
    assert found[0].name == "Suva"


latitudes = st.floats(min_value=-90.0, max_value=90.0, allow_nan=False)
longitudes = st.floats(min_value=-180.0, max_value=180.0, allow_nan=False)
places = st.tuples(latitudes, longitudes)
store_lists = st.lists(
    st.builds(StorePlace, st.text(max_size=3), latitudes, longitudes), max_size=8
)


@given(places, store_lists)
def test_the_answer_is_never_farther_than_another_store(
    at: tuple[float, float], stores: list[StorePlace]
) -> None:
    found = nearest_store(here(*at), stores, max_km=None)
    if not stores:
        assert found is None
        return
    assert found is not None
    chosen, km = found
    distances = [haversine_km(*at, s.latitude, s.longitude) for s in stores]
    assert all(km <= d for d in distances)
    assert stores.index(chosen) == distances.index(min(distances))  # the first of any tie


@given(places, store_lists, st.floats(min_value=0.0, max_value=25_000.0))
def test_the_limit_only_removes_answers_beyond_it(
    at: tuple[float, float], stores: list[StorePlace], max_km: float
) -> None:
    unlimited = nearest_store(here(*at), stores, max_km=None)
    limited = nearest_store(here(*at), stores, max_km=max_km)
    if unlimited is None or unlimited[1] > max_km:
        assert limited is None
    else:
        assert limited == unlimited


@given(places, places)
def test_distance_is_symmetric_and_bounded(a: tuple[float, float], b: tuple[float, float]) -> None:
    there = haversine_km(*a, *b)
    back = haversine_km(*b, *a)
    assert there == pytest.approx(back, abs=1e-9)
    assert 0.0 <= there <= math.pi * EARTH_RADIUS_KM + 1e-6


@given(places, places, places)
def test_triangle_inequality(
    a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]
) -> None:
    # Near antipodes the haversine loses precision (~0.2 m seen), hence one metre of slack.
    assert haversine_km(*a, *c) <= haversine_km(*a, *b) + haversine_km(*b, *c) + 1e-3
