"""The scheduling core's values: intervals, meeting types and weekly working hours.

Standard library only, no I/O, no clock. Every datetime is timezone-aware; local times of day
(``datetime.time``) are naive and read in the rep's timezone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

END_OF_DAY = time(0)
"""As the END of a working range, ``time(0)`` means 24:00 (midnight at the end of the day)."""

LocalRange = tuple[time, time]
"""A working range of one local day: (start, end), start < end, end ``END_OF_DAY`` = 24:00."""

_DAY = timedelta(days=1)


def require_aware(value: datetime, name: str) -> None:
    """Raise ValueError unless ``value`` is a timezone-aware datetime."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


@dataclass(frozen=True, slots=True)
class Interval:
    """The half-open span of time [start, end): two intervals that only touch do not overlap."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        require_aware(self.start, "an interval's start")
        require_aware(self.end, "an interval's end")
        if not self.start < self.end:
            raise ValueError(f"an interval must end after it starts ({self.start} >= {self.end})")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


def _check_minutes(name: str, value: int | None, minimum: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}")


@dataclass(frozen=True, slots=True)
class MeetingSpec:
    """A meeting type as the scheduler sees it.

    ``slot_interval_minutes`` is the step of the booking grid (None: the duration). The
    buffers keep that much time free around the meeting (they may fall outside working hours).
    ``horizon_days`` counts 24-hour days from ``now``: slots start before now + 24h x days.
    """

    duration_minutes: int
    slot_interval_minutes: int | None = None
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    minimum_notice_minutes: int = 0
    horizon_days: int = 30

    def __post_init__(self) -> None:
        _check_minutes("duration_minutes", self.duration_minutes, 1)
        _check_minutes("slot_interval_minutes", self.slot_interval_minutes, 1)
        _check_minutes("buffer_before_minutes", self.buffer_before_minutes, 0)
        _check_minutes("buffer_after_minutes", self.buffer_after_minutes, 0)
        _check_minutes("minimum_notice_minutes", self.minimum_notice_minutes, 0)
        _check_minutes("horizon_days", self.horizon_days, 1)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=self.slot_interval_minutes or self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)

    @property
    def notice(self) -> timedelta:
        return timedelta(minutes=self.minimum_notice_minutes)

    @property
    def horizon(self) -> timedelta:
        return timedelta(days=self.horizon_days)


def since_midnight(moment: time, *, end: bool = False) -> timedelta:
    """A local time of day as the time since midnight; as an ``end``, ``time(0)`` is 24 hours."""
    if end and moment == END_OF_DAY:
        return _DAY
    return timedelta(
        hours=moment.hour,
        minutes=moment.minute,
        seconds=moment.second,
        microseconds=moment.microsecond,
    )


def _time_of(span: timedelta) -> time:
    """The inverse of ``since_midnight``: 24 hours is ``END_OF_DAY``."""
    micros = span // timedelta(microseconds=1) % (24 * 3600 * 10**6)
    seconds, micro = divmod(micros, 10**6)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)


def _merge_day(ranges: Iterable[LocalRange], weekday: int) -> tuple[LocalRange, ...]:
    spans: list[tuple[timedelta, timedelta]] = []
    for start, end in ranges:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("working hours are local times of day: no tzinfo")
        span = (since_midnight(start), since_midnight(end, end=True))
        if not span[0] < span[1]:
            day = DAY_NAMES[weekday]
            raise ValueError(f"{day} {start}-{end}: a working range must end after it starts")
        spans.append(span)
    spans.sort()
    merged: list[tuple[timedelta, timedelta]] = []
    for start_at, end_at in spans:
        if merged and start_at <= merged[-1][1]:  # overlapping or touching: one range
            merged[-1] = (merged[-1][0], max(merged[-1][1], end_at))
        else:
            merged.append((start_at, end_at))
    return tuple((_time_of(a), _time_of(b)) for a, b in merged)


_NO_HOURS: tuple[tuple[LocalRange, ...], ...] = ((),) * 7


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Working hours: for each weekday (0 = Monday ... 6 = Sunday) its local ranges.

    Ranges are sorted and merged on construction (overlapping or touching ranges of one day
    become one range). An end of ``time(0)`` is 24:00. No range on any day (the default,
    ``WeeklyHours()``) means the rep is never available.
    """

    days: tuple[tuple[LocalRange, ...], ...] = _NO_HOURS

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError(f"working hours need 7 days (Monday first), got {len(self.days)}")
        merged = tuple(_merge_day(day, weekday) for weekday, day in enumerate(self.days))
        object.__setattr__(self, "days", merged)

    def ranges(self, weekday: int) -> tuple[LocalRange, ...]:
        return self.days[weekday]

    @property
    def is_empty(self) -> bool:
        return not any(self.days)


_RANGE = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")


def _parse_days(key: str) -> list[int]:
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"working hours need days such as 'mon-fri' or 'sat,sun', got {key!r}")
    known = ", ".join(DAY_NAMES)
    days: list[int] = []
    for part in key.lower().replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        if first not in DAY_NAMES or (dash and last not in DAY_NAMES):
            raise ValueError(f"working hours {key!r}: unknown day {part!r} (days are {known})")
        i = DAY_NAMES.index(first)
        j = DAY_NAMES.index(last) if dash else i
        if j < i:
            raise ValueError(f"working hours {key!r}: day range {part!r} runs backwards")
        days.extend(range(i, j + 1))
    return days


def _clock(key: str, hour: int, minute: int, *, end: bool) -> time:
    if end and (hour, minute) == (24, 0):
        return END_OF_DAY
    if hour > 23 or minute > 59:
        limit = "00:00 to 24:00" if end else "00:00 to 23:59"
        text = f"{hour:02d}:{minute:02d}"
        raise ValueError(f"working hours {key!r}: {text!r} is not a time of day ({limit})")
    return time(hour, minute)


def _parse_ranges(key: str, value: str) -> list[LocalRange]:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"working hours {key!r}: give hours such as '09:00-17:00', got {value!r}")
    ranges: list[LocalRange] = []
    for part in value.replace(" ", "").split(","):
        match = _RANGE.fullmatch(part)
        if not match:
            raise ValueError(f"working hours {key!r}: hours {part!r} must look like 09:00-17:00")
        h1, m1, h2, m2 = (int(x) for x in match.groups())
        start, end = _clock(key, h1, m1, end=False), _clock(key, h2, m2, end=True)
        if since_midnight(end, end=True) <= since_midnight(start):
            raise ValueError(f"working hours {key!r}: hours {part!r} must end after they start")
        ranges.append((start, end))
    return ranges


def parse_working_hours(spec: Mapping[str, str]) -> WeeklyHours:
    """``{"mon-fri": "09:00-17:00", "sat": "10:00-12:00,13:00-15:00"}`` -> WeeklyHours.

    Keys are days (``mon``..``sun``): one day, a range ``mon-fri`` or a list ``sat,sun``.
    Values are ranges ``HH:MM-HH:MM`` separated by commas; ``24:00`` ends a range at midnight.
    A day named in several keys gets all their ranges (overlapping ones merge). Days not named
    have no hours, and an empty mapping means no working hours at all: never available.
    Raises ValueError with a message naming the key at fault.
    """
    days: list[list[LocalRange]] = [[] for _ in DAY_NAMES]
    for key, value in spec.items():
        weekdays = _parse_days(key)
        ranges = _parse_ranges(key, value)
        for weekday in weekdays:
            days[weekday].extend(ranges)
    return WeeklyHours(tuple(tuple(day) for day in days))
