"""IP addresses to places: a city .mmdb supplied by the operator, and iptocc for the country.

The city database (GeoLite2-City or DB-IP City Lite) is not shipped; see DATA.md.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from ipaddress import IPv4Address, IPv6Address

import iptocc
import maxminddb

from leadrail.adapters.geo.coords import checked, finite_number
from leadrail.leads.nearest import GeoPoint

log = logging.getLogger(__name__)

Address = IPv4Address | IPv6Address


def public_address(text: str | None) -> Address | None:
    """The address in `text` if it is one a visitor on the internet can have, else None.

    Private, loopback, link-local, multicast, reserved, shared (CGNAT), documentation and
    unspecified addresses give None, and so does anything that is not an address. An IPv4
    address written as IPv6 (::ffff:a.b.c.d) is taken as the IPv4 address.
    """
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_global or address.is_multicast or address.is_reserved:
        return None
    return address


def country_of_ip(ip: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 country the registries assigned the address to, or None.

    Offline (iptocc's RIR data). A country is not a location: use it for traces and
    analytics, never to pick a nearest store.
    """
    address = public_address(ip)
    if address is None:
        return None
    return iptocc.country_code(str(address))


class CityDatabase:
    """A city .mmdb, opened on first use and closed by `close()`. Safe to share between threads.

    A database that cannot be opened is logged once and then treated as absent: geolocation
    is a nicety and must never stop a lead.
    """

    def __init__(self, path: str, *, coarse_km: float) -> None:
        self._path = path
        self._coarse_km = coarse_km
        self._lock = threading.Lock()
        self._reader: maxminddb.Reader | None = None
        self._done = False  # closed, or failed to open: no more lookups

    def locate(self, ip: str | None) -> GeoPoint | None:
        address = public_address(ip)
        if address is None:
            return None
        reader = self._open()
        if reader is None:
            return None
        try:
            record = reader.get(address)
        except (ValueError, maxminddb.InvalidDatabaseError):
            # ValueError: an IPv6 address in an IPv4-only database.
            return None
        return _point(record, f"ip {address}", self._coarse_km)

    def close(self) -> None:
        with self._lock:
            self._done = True
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def _open(self) -> maxminddb.Reader | None:
        if self._reader is not None or self._done:
            return self._reader
        with self._lock:
            if self._reader is None and not self._done:
                try:
                    self._reader = maxminddb.open_database(self._path)
                except (OSError, ValueError, maxminddb.InvalidDatabaseError) as e:
                    log.warning(
                        "city database %s unusable, IP locations are off: %s", self._path, e
                    )
                    self._done = True
            return self._reader


def _point(record: object, source: str, coarse_km: float) -> GeoPoint | None:
    """A GeoLite2-City / DB-IP City record as a GeoPoint, or None when it is too vague.

    Too vague: no coordinates; an accuracy radius over `coarse_km`; or (DB-IP, which gives no
    radius) no city, meaning the coordinates are a country's or a region's centre.
    """
    if not isinstance(record, dict):
        return None
    location = record.get("location")
    if not isinstance(location, dict):
        return None
    coords = checked(location.get("latitude"), location.get("longitude"))
    if coords is None:
        return None
    radius = finite_number(location.get("accuracy_radius"))
    if radius is None and not isinstance(record.get("city"), dict):
        return None
    if radius is not None and radius > coarse_km:
        return None
    return GeoPoint(coords[0], coords[1], source, radius)
