"""Where a website visitor probably is, from the hints sent with a lead. Offline.

Precedence, first usable hint wins:
1. the store the visitor chose (a known store name, whatever the case) -> "store choice";
2. the browser's coordinates (finite, in range) -> "browser";
3. a US ZIP or ZIP+4 known to the `zipcodes` data -> "postal code NNNNN";
4. a public IP address found precisely enough in the operator's city .mmdb -> "ip A.B.C.D".
A hint that is missing, malformed or unknown is skipped; nothing here raises for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

from leadrail.adapters.geo.coords import checked
from leadrail.adapters.geo.ipcity import CityDatabase, country_of_ip
from leadrail.adapters.geo.postal import zip_point
from leadrail.leads.nearest import GeoPoint, LocationHints

__all__ = ["LocationHints", "Locator", "country_of_ip"]


class Locator:
    """Turns hints into a `GeoPoint` (the use cases' Locator port).

    `mmdb_path`: a GeoLite2-City or DB-IP City Lite database; without one, IP addresses give
    no location. `coarse_km`: an IP location whose accuracy radius is larger is unknown.
    The database is opened on the first IP lookup; `close()` (or leaving a `with` block)
    closes it, after which IP addresses give no location.
    """

    def __init__(self, *, mmdb_path: str | None = None, coarse_km: float = 100.0) -> None:
        self._city = CityDatabase(mmdb_path, coarse_km=coarse_km) if mmdb_path else None

    def locate(
        self, hints: LocationHints, stores: Mapping[str, tuple[float, float]]
    ) -> GeoPoint | None:
        """The visitor's most trustworthy location, or None when no hint gives one.

        `stores` maps each store's name to its (latitude, longitude).
        """
        return (
            _chosen_store(hints.store, stores)
            or _browser(hints.latitude, hints.longitude)
            or zip_point(hints.postal_code, hints.country)
            or self._by_ip(hints.ip)
        )

    def close(self) -> None:
        if self._city is not None:
            self._city.close()

    def __enter__(self) -> Locator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _by_ip(self, ip: str | None) -> GeoPoint | None:
        return self._city.locate(ip) if self._city is not None else None


def _chosen_store(name: str | None, stores: Mapping[str, tuple[float, float]]) -> GeoPoint | None:
    if not isinstance(name, str) or not name.strip():
        return None
    wanted = name.strip().casefold()
    for store_name, (latitude, longitude) in stores.items():
        if store_name.strip().casefold() == wanted:
            coords = checked(latitude, longitude)
            return GeoPoint(coords[0], coords[1], "store choice") if coords else None
    return None


def _browser(latitude: float | None, longitude: float | None) -> GeoPoint | None:
    coords = checked(latitude, longitude)
    return GeoPoint(coords[0], coords[1], "browser") if coords else None
