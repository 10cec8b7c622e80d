"""Presentation helpers for the booking pages: slots grouped by local day, safe redirects."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from cachetools import LRUCache
from jinja2 import Environment
from markupsafe import Markup

from leadrail.i18n import day_label, gettext_for, month_label, time_label, week_days, when_label

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


def group_by_day(
    starts: Iterable[datetime], tz: str, lang: str = "en", minutes: int = 0
) -> list[dict[str, Any]]:
    """The open times by local day: each day's key (``2026-11-30``), its label and its slots
    (value in UTC, the time, and the whole choice in words for the confirm step)."""
    zone = ZoneInfo(tz)
    days: dict[date, list[dict[str, str]]] = {}
    for start in sorted(starts):
        local = start.astimezone(zone)
        end = start + timedelta(minutes=minutes)
        time = time_label(start, tz, lang)
        words = f"{day_label(local, lang)}, {time}"
        if minutes:
            words += f" – {time_label(end, tz, lang)}"
        days.setdefault(local.date(), []).append(
            {
                "value": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "label": time,
                "words": words,
            }
        )
    return [
        {"key": d.isoformat(), "label": day_label(d, lang), "slots": v} for d, v in days.items()
    ]


def month_calendar(days: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Month grids (weeks from the locale's first day) for the months that have open days:
    each cell is None (outside the month) or the day, with its slot count when it has any."""
    open_days = {date.fromisoformat(d["key"]): len(d["slots"]) for d in days}
    if not open_days:
        return []
    order = week_days(lang)
    first_weekday = order[0][0]
    months = sorted({(d.year, d.month) for d in open_days})
    out = []
    for year, month in months:
        first = date(year, month, 1)
        cells: list[dict[str, Any] | None] = [None] * ((first.weekday() - first_weekday) % 7)
        day = first
        while day.month == month:
            count = open_days.get(day, 0)
            cells.append({"key": day.isoformat(), "day": day.day, "count": count,
                          "label": day_label(day, lang)})  # fmt: skip
            day += timedelta(days=1)
        cells += [None] * (-len(cells) % 7)
        weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
        out.append({"label": month_label(first, lang), "weeks": weeks, "weekdays": order})
    return out


def redirect_after_booking(base: str, params: Mapping[str, str]) -> str:
    """The router's redirect URL (admin-set, http(s) only) with the booking's parameters
    added; never a URL taken from the request."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("redirect_url must be an absolute http(s) URL")
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def when_text(start: datetime, tz: str, lang: str = "en") -> str:
    return when_label(start, tz, lang)


_TIMES: LRUCache[tuple[object, ...], Markup] = LRUCache(maxsize=256)
_TIMES_LOCK = threading.Lock()


def booking_times(
    env: Environment,
    starts: Iterable[datetime],
    tz: str,
    lang: str,
    minutes: int,
    chosen: str | None,
) -> tuple[Markup, bool]:
    """A booking page's calendar and open times as HTML (``booking_times.html``), and whether
    there are any. The same times in the same zone and language make the same HTML for every
    visitor, so it is rendered once and kept: the key is the times themselves (a booking, a
    busy block, a workspace change: other times, another entry)."""
    ordered = tuple(sorted(starts))
    key = (ordered, tz, lang, minutes, chosen)
    with _TIMES_LOCK:
        found = _TIMES.get(key)
    if found is None:
        days = group_by_day(ordered, tz, lang, minutes)
        found = Markup(
            env.get_template("booking_times.html").render(
                days=days, months=month_calendar(days, lang), chosen=chosen,
                _=gettext_for(lang),
            )
        )  # fmt: skip
        with _TIMES_LOCK:
            _TIMES[key] = found
    return found, bool(ordered)
