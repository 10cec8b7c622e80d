"""Presentation helpers for the booking pages: slots grouped by local day, safe redirects."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from cachetools import LRUCache
from jinja2 import Environment
from markupsafe import Markup

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


_SLOT_LISTS: LRUCache[tuple[object, ...], Markup] = LRUCache(maxsize=256)
_SLOT_LISTS_LOCK = threading.Lock()


def slot_list(
    env: Environment, starts: Iterable[datetime], tz: str, chosen: str | None
) -> tuple[Markup, bool]:
    """The open times of a booking page as HTML (``booking_slots.html``) and whether there
    are any. The same times in the same zone make the same HTML for every visitor, so it is
    rendered once and kept (the key is the times themselves: new times, a new entry)."""
    ordered = tuple(sorted(starts))
    key = (ordered, tz, chosen)
    with _SLOT_LISTS_LOCK:
        found = _SLOT_LISTS.get(key)
    if found is None:
        days = group_by_day(ordered, tz)
        found = Markup(env.get_template("booking_slots.html").render(days=days, chosen=chosen))
        with _SLOT_LISTS_LOCK:
            _SLOT_LISTS[key] = found
    return found, bool(ordered)


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
