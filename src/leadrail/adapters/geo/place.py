"""A visitor's place by IP, in words (country, region, city) for the live console: offline,
from the operator's city .mmdb when configured, else the registries' country (iptocc)."""

from __future__ import annotations

import threading
from typing import Any

import maxminddb

from leadrail.adapters.geo.ipcity import country_of_ip, public_address


def _name(record: Any, key: str) -> str:
    part = record.get(key) if isinstance(record, dict) else None
    if isinstance(part, list):
        part = part[0] if part else None
    names = part.get("names") if isinstance(part, dict) else None
    return str(names.get("en", "")) if isinstance(names, dict) else ""


class PlaceFinder:
    def __init__(self, mmdb_path: str | None) -> None:
        self._path = mmdb_path
        self._reader: maxminddb.Reader | None = None
        self._lock = threading.Lock()
        self._failed = False

    def _open(self) -> maxminddb.Reader | None:
        with self._lock:
            if self._reader is None and self._path and not self._failed:
                try:
                    self._reader = maxminddb.open_database(self._path)
                except (OSError, ValueError, maxminddb.InvalidDatabaseError):
                    self._failed = True
            return self._reader

    def __call__(self, ip: str | None) -> dict[str, str] | None:
        address = public_address(ip)
        if address is None:
            return None
        reader = self._open()
        record: Any = None
        if reader is not None:
            try:
                record = reader.get(address)
            except (ValueError, maxminddb.InvalidDatabaseError):
                record = None
        country = (record or {}).get("country", {}).get("iso_code") if record else None
        country = country or country_of_ip(str(address))
        if not country:
            return None
        return {
            "country": str(country),
            "region": _name(record, "subdivisions"),
            "city": _name(record, "city"),
        }
