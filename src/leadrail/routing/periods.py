"""Reset periods of a rotation, in the router's own timezone: they flip at LOCAL midnight, or
at the router's ``reset_hour`` (local), e.g. 6 for 06:00."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadrail.routing.model import ResetPeriod, UserInfo


@lru_cache(maxsize=1024)
def zone(tz: str) -> ZoneInfo:
    """The named IANA timezone; ValueError when it does not exist (names found are cached)."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {tz!r}") from exc


def require_aware(now: datetime) -> None:
    """ValueError when ``now`` is naive: the core never guesses a timezone."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now.isoformat()}")


def local_date(now: datetime, tz: str) -> date:
    """The calendar date of ``now`` in ``tz``; ValueError when ``now`` is naive."""
    require_aware(now)
    return now.astimezone(zone(tz)).date()


def _period_date(now: datetime, tz: str, hour: int) -> date:
    """The local date of ``now`` in ``tz`` when days begin at ``hour`` o'clock (local)."""
    if not hour:
        return local_date(now, tz)
    require_aware(now)
    return (now.astimezone(zone(tz)).replace(tzinfo=None) - timedelta(hours=hour)).date()


def period_key(reset: ResetPeriod, now: datetime, tz: str, hour: int = 0) -> str:
    """``"all"`` (none), ``"2026-11-23"`` (daily), ``"2026-W48"`` (weekly, ISO weeks from
    Monday), ``"2026-11"`` (monthly), ``"2026-Q4"`` (quarterly) or ``"2026"`` (yearly), for
    the local date of ``now`` in ``tz`` (days beginning at ``hour`` o'clock)."""
    today = _period_date(now, tz, hour)
    if reset == "none":
        return "all"
    if reset == "daily":
        return today.isoformat()
    if reset == "weekly":
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"
    if reset == "monthly":
        return f"{today.year}-{today.month:02d}"
    if reset == "quarterly":
        return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    if reset == "yearly":
        return str(today.year)
    raise ValueError(f"unknown reset period {reset!r}")


def period_start(reset: ResetPeriod, now: datetime, tz: str, hour: int = 0) -> datetime | None:
    """The aware local instant the current period began (None for ``none``): local midnight,
    or ``hour`` o'clock. When that local time does not exist that day (a DST gap), the first
    instant after it is returned."""
    today = _period_date(now, tz, hour)
    if reset == "none":
        return None
    if reset == "daily":
        first = today
    elif reset == "weekly":
        first = today - timedelta(days=today.weekday())
    elif reset == "monthly":
        first = today.replace(day=1)
    elif reset == "quarterly":
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    elif reset == "yearly":
        first = today.replace(month=1, day=1)
    else:
        raise ValueError(f"unknown reset period {reset!r}")
    zi = zone(tz)
    begins = datetime.combine(first, time(hour), tzinfo=zi)
    return begins.astimezone(UTC).astimezone(zi)


class AwayCheck:
    """Whether users are on vacation at one instant (their vacations read as dates in their
    own timezone, ``fallback_tz`` when theirs is unknown), working out each timezone's local
    date once. ``dates`` holds those worked out so far: a user with no vacations in one of
    them is not away (asking would only look the date up)."""

    __slots__ = ("now", "fallback_tz", "dates")

    def __init__(self, now: datetime, fallback_tz: str) -> None:
        self.now = now
        self.fallback_tz = fallback_tz
        self.dates: dict[str, date] = {}

    def __call__(self, user: UserInfo) -> bool:
        today = self.dates.get(user.timezone)
        if today is None:
            require_aware(self.now)
            local = self.now.astimezone(_user_zone(user.timezone, self.fallback_tz))
            today = self.dates[user.timezone] = local.date()
        return any(v.start <= today <= v.end for v in user.vacations)


def _user_zone(tz: str, fallback_tz: str) -> ZoneInfo:
    try:
        return zone(tz)
    except ValueError:
        return zone(fallback_tz)
