"""Plain builders for the scheduling tests (no fixtures)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from leadrail.scheduling import Interval, MeetingSpec, WeeklyHours, parse_working_hours, rep_slots

TZ = "America/New_York"
NY = ZoneInfo(TZ)
OFFICE = parse_working_hours({"mon-fri": "09:00-17:00"})
MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=NY)  # Monday, before the working day


def ny(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant given as New York wall-clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY)


def busy(day: date, start: str, end: str, tz: ZoneInfo = NY) -> Interval:
    """A busy interval from wall-clock 'HH:MM' strings on ``day`` in ``tz``."""
    (h1, m1), (h2, m2) = (map(int, start.split(":")), map(int, end.split(":")))
    first = datetime(day.year, day.month, day.day, h1, m1, tzinfo=tz)
    return Interval(first, datetime(day.year, day.month, day.day, h2, m2, tzinfo=tz))


def days_after(day: date, count: int) -> date:
    return day + timedelta(days=count)


def slots(
    meeting: MeetingSpec,
    *,
    hours: WeeklyHours = OFFICE,
    tz: str = TZ,
    busy: Sequence[Interval] = (),
    vacations: Sequence[tuple[date, date]] = (),
    now: datetime = NOW,
    window: Interval | None = None,
) -> list[datetime]:
    """rep_slots with the office defaults; the window defaults to the whole horizon."""
    window = window or Interval(now - timedelta(days=1), now + timedelta(days=400))
    return rep_slots(meeting, hours, tz, busy, vacations, now=now, window=window)


def clock(moments: Sequence[datetime], tz: ZoneInfo = NY) -> list[str]:
    """Instants as 'MM-DD HH:MM' wall-clock strings in ``tz``: easy to read in a table."""
    return [m.astimezone(tz).strftime("%m-%d %H:%M") for m in moments]


def clock_on(moments: Sequence[datetime], day: date, tz: ZoneInfo = NY) -> list[str]:
    """The 'HH:MM' wall-clock times of the instants that fall on the local ``day``."""
    local = (m.astimezone(tz) for m in moments)
    return [m.strftime("%H:%M") for m in local if m.date() == day]


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)
