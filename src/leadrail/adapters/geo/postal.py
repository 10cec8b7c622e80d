"""US ZIP codes to coordinates, offline, with the `zipcodes` package (see DATA.md)."""

from __future__ import annotations

import re

import zipcodes

from leadrail.adapters.geo.coords import checked
from leadrail.leads.nearest import GeoPoint

# Five ASCII digits, optionally followed by the +4 (with a hyphen, a space or nothing).
_US_ZIP = re.compile(r"([0-9]{5})(?:[- ]?[0-9]{4})?")

# Countries whose addresses use US ZIP codes: the US, its territories and the freely
# associated states (the `zipcodes` data covers them all).
_ZIP_COUNTRIES = frozenset(
    {"US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA"}
    | {"PR", "GU", "VI", "AS", "MP", "FM", "MH", "PW"}
)


def zip5(postal_code: str | None, country: str | None) -> str | None:
    """The 5-digit ZIP in `postal_code`, if it is shaped like a US ZIP and the country allows."""
    if not isinstance(postal_code, str) or len(postal_code) > 16:
        return None
    named = country.strip().upper().replace(".", "") if isinstance(country, str) else ""
    if named and named not in _ZIP_COUNTRIES:
        return None
    match = _US_ZIP.fullmatch(postal_code.strip())
    return match.group(1) if match else None


def zip_point(postal_code: str | None, country: str | None) -> GeoPoint | None:
    """Where a US ZIP code is (its centroid as the data has it); None when not a known ZIP."""
    code = zip5(postal_code, country)
    if code is None:
        return None
    try:
        # zipcodes' Python wrapper has no annotations (its extension module does).
        records = zipcodes.matching(code)  # type: ignore[no-untyped-call]
    except (TypeError, ValueError):  # not expected after zip5, but never raise for input
        return None
    for record in records:
        if record.get("zip_code_type") == "MILITARY":  # APO/FPO/DPO: not where anyone is
            continue
        coords = _coordinates(record.get("lat"), record.get("long"))
        if coords is not None:
            return GeoPoint(coords[0], coords[1], f"postal code {code}")
    return None


def _coordinates(lat: object, lon: object) -> tuple[float, float] | None:
    """The record's coordinates; None when missing, bad, or 0,0 (the data's "unknown")."""
    try:
        coords = checked(float(str(lat)), float(str(lon)))
    except ValueError:
        return None
    return None if coords == (0.0, 0.0) else coords
