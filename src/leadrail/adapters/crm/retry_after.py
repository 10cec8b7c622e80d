"""The ``Retry-After`` header, shared by the CRM connectors."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

RETRY_AFTER_CAP = 60.0


def retry_after_seconds(response: httpx.Response, cap: float = RETRY_AFTER_CAP) -> float | None:
    """``Retry-After`` as seconds in [0, cap] (delta-seconds or an HTTP date); None when it is
    absent or unreadable."""
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), cap)
