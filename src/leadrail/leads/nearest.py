"""The visitor's nearest store: great-circle distances over plain values. Standard library only.

Where the visitor is (a `GeoPoint`) is worked out elsewhere, from `LocationHints` (the
Locator port, adapters/geo); this module only measures and compares.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088  # the mean Earth radius (IUGG)


@dataclass(frozen=True, slots=True)
class LocationHints:
    """What the visitor's form or browser told us; none of it is trusted beyond its shape."""

    store: str | None = None  # the store the visitor chose, by name
    latitude: float | None = None
    longitude: float | None = None
    postal_code: str | None = None
    country: str | None = None  # of the postal code; a non-US country skips the ZIP lookup
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """Where the visitor probably is, and what told us so.

    `source` is for people reading the trace: "store choice", "browser", "postal code 10007",
    "ip 81.2.69.160". `accuracy_km` is a radius when the source gives one (an IP database).
    """

    latitude: float
    longitude: float
    source: str
    accuracy_km: float | None = None


@dataclass(frozen=True, slots=True)
class StorePlace:
    name: str
    latitude: float
    longitude: float


def haversine_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """The great-circle distance in km between two points given in decimal degrees."""
    phi_a, phi_b = math.radians(a_lat), math.radians(b_lat)
    half_dphi = (phi_b - phi_a) / 2
    half_dlambda = math.radians(b_lon - a_lon) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi_a) * math.cos(phi_b) * math.sin(half_dlambda) ** 2
    # Rounding can push h a hair outside [0, 1] for (near-)antipodal points.
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, h))))


def nearest_store(
    point: GeoPoint, stores: Sequence[StorePlace], *, max_km: float | None
) -> tuple[StorePlace, float] | None:
    """The store closest to `point` and its distance in km.

    None when there is no store, or when the closest one is farther than `max_km` (a store at
    exactly `max_km` counts). On a tie the store that comes first in `stores` wins.
    """
    best: tuple[StorePlace, float] | None = None
    for store in stores:
        km = haversine_km(point.latitude, point.longitude, store.latitude, store.longitude)
        if best is None or km < best[1]:
            best = (store, km)
    if best is None or (max_km is not None and best[1] > max_km):
        return None
    return best
