"""Coordinates and numbers as they arrive from outside: checked before anyone measures with them."""

from __future__ import annotations

import math


def finite_number(value: object) -> float | None:
    """A finite int or float as a float; None for anything else (bool, str, NaN, inf, None)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int too big for a float
        return None
    return number if math.isfinite(number) else None


def checked(latitude: object, longitude: object) -> tuple[float, float] | None:
    """(latitude, longitude) when both are finite numbers within range, else None."""
    lat, lon = finite_number(latitude), finite_number(longitude)
    if lat is None or lon is None:
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    return lat, lon
