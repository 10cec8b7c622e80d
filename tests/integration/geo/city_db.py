"""A tiny city .mmdb in the GeoLite2-City record shape (built with mmdb-writer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mmdb_writer import MMDBWriter
from netaddr import IPSet  # type: ignore[import-untyped]

# The ranges are real public ones (so the Locator's public-address check passes); the places
# given to them are made up for the tests.
PRECISE_LONDON = "81.2.69.0/24"  # 5 km
PRECISE_LOS_ANGELES = "12.0.0.0/16"  # 10 km
COARSE_US = "8.8.8.0/24"  # the middle of the USA, 1000 km
NO_COORDINATES = "2.16.0.0/16"  # a country only
DBIP_CITY = "5.0.0.0/16"  # DB-IP City Lite shape: coordinates and a city, no radius
DBIP_COUNTRY = "5.1.0.0/16"  # DB-IP shape with no city: a country's centre
PRIVATE = "10.0.0.0/8"  # precise, but no visitor on the internet has such an address
PRECISE_DUBLIN_V6 = "2a00:1450::/32"  # 20 km


def city(
    name: str | None, lat: float | None, lon: float | None, radius: int | None, country: str
) -> dict[str, Any]:
    location: dict[str, Any] = {}
    if lat is not None and lon is not None:
        location.update(latitude=lat, longitude=lon)
    if radius is not None:
        location["accuracy_radius"] = radius
    record: dict[str, Any] = {"country": {"iso_code": country}}
    if location:
        record["location"] = location
    if name is not None:
        record["city"] = {"names": {"en": name}}
    return record


RECORDS = {
    PRECISE_LONDON: city("London", 51.5142, -0.0931, 5, "GB"),
    PRECISE_LOS_ANGELES: city("Los Angeles", 34.0544, -118.2441, 10, "US"),
    COARSE_US: city(None, 37.751, -97.822, 1000, "US"),
    NO_COORDINATES: city(None, None, None, None, "FR"),
    DBIP_CITY: city("Berlin", 52.5200, 13.4050, None, "DE"),
    DBIP_COUNTRY: city(None, 51.1657, 10.4515, None, "DE"),
    PRIVATE: city("Nowhere", 40.0, -75.0, 1, "US"),
    PRECISE_DUBLIN_V6: city("Dublin", 53.3498, -6.2603, 20, "IE"),
}


def write_city_mmdb(path: Path) -> Path:
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type="GeoLite2-City",
        languages=["en"],
        description="leadrail test city database",
    )
    for network, record in RECORDS.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))
    return path
