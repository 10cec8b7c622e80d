"""The Locator port over the offline geolocation adapter."""

from __future__ import annotations

from collections.abc import Mapping

from leadrail.adapters.geo.locate import LocationHints, Locator
from leadrail.leads.nearest import GeoPoint


class GeoLocator:
    def __init__(self, *, mmdb_path: str | None = None, coarse_km: float = 100.0) -> None:
        self._locator = Locator(mmdb_path=mmdb_path, coarse_km=coarse_km)

    def locate(
        self,
        *,
        store: str | None,
        latitude: float | None,
        longitude: float | None,
        postal_code: str | None,
        country: str | None,
        ip: str | None,
        stores: Mapping[str, tuple[float, float]],
    ) -> GeoPoint | None:
        hints = LocationHints(
            store=store,
            latitude=latitude,
            longitude=longitude,
            postal_code=postal_code,
            country=country,
            ip=ip,
        )
        return self._locator.locate(hints, stores)

    def close(self) -> None:
        self._locator.close()
