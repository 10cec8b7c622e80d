"""Presentation helpers for the booking pages: slots grouped by local day, safe redirects."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

COMMON_ZONES = (
    "UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Sao_Paulo", "Europe/London", "Europe/Paris", "Europe/Berlin", "Africa/Lagos",
    "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
)  # fmt: skip


def zone_or(name: str | None, fallback: str) -> str:
    if name:
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return fallback


@cache
def known_zones() -> frozenset[str]:
    """Every IANA zone name (reading them walks the tz database: once per process)."""
    return frozenset(available_timezones()) | {"UTC"}


def zone_choices(current: str) -> list[str]:
    zones = set(COMMON_ZONES) | {current}
    return sorted(zones & known_zones(), key=lambda z: (z != "UTC", z))


def group_by_day(starts: Iterable[datetime], tz: str) -> list[dict[str, object]]:
    zone = ZoneInfo(tz)
    days: dict[str, list[dict[str, str]]] = {}
    for start in sorted(starts):
        local = start.astimezone(zone)
        label = local.strftime("%A %-d %B")
        days.setdefault(label, []).append(
            {
                "value": start.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "label": local.strftime("%H:%M"),
            }
        )
    return [{"label": k, "slots": v} for k, v in days.items()]


def redirect_after_booking(base: str, params: Mapping[str, str]) -> str:
    """The router's redirect URL (admin-set, http(s) only) with the booking's parameters
    added; never a URL taken from the request."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("redirect_url must be an absolute http(s) URL")
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def when_text(start: datetime, tz: str) -> str:
    return start.astimezone(ZoneInfo(tz)).strftime("%A %-d %B %Y, %H:%M")
