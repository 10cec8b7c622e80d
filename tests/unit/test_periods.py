from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadrail.routing.model import ResetPeriod
from leadrail.routing.periods import period_key, period_start

NY = "America/New_York"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("reset", "now", "tz", "key"),
    [
        ("none", "2026-11-23T12:00", "UTC", "all"),
        ("daily", "2026-11-23T12:00", "UTC", "2026-11-23"),
        ("weekly", "2026-11-23T12:00", "UTC", "2026-W48"),  # Monday
        ("weekly", "2026-11-29T23:59", "UTC", "2026-W48"),  # Sunday, same week
        ("weekly", "2026-11-30T00:00", "UTC", "2026-W49"),
        ("weekly", "2027-01-01T12:00", "UTC", "2026-W53"),  # ISO year, not calendar year
        ("weekly", "2025-12-29T12:00", "UTC", "2026-W01"),
        ("monthly", "2026-11-23T12:00", "UTC", "2026-11"),
        ("monthly", "2026-01-05T12:00", "UTC", "2026-01"),
        # the router's timezone decides the date
        ("daily", "2026-11-24T03:00", NY, "2026-11-23"),
        ("monthly", "2026-12-01T04:59", NY, "2026-11"),
        ("monthly", "2026-12-01T05:00", NY, "2026-12"),
        ("weekly", "2026-11-30T04:59", NY, "2026-W48"),
        ("weekly", "2026-11-30T05:00", NY, "2026-W49"),
        ("daily", "2026-11-23T15:00", "Asia/Tokyo", "2026-11-24"),
    ],
)
def test_period_key(reset: ResetPeriod, now: str, tz: str, key: str) -> None:
    assert period_key(reset, utc(now), tz) == key


@pytest.mark.parametrize(
    ("now", "day"),
    [
        # spring forward on 2026-03-08: midnight local is 05:00Z before, 04:00Z after
        ("2026-03-08T04:59", "2026-03-07"),
        ("2026-03-08T05:00", "2026-03-08"),
        ("2026-03-09T03:59", "2026-03-08"),
        ("2026-03-09T04:00", "2026-03-09"),
        # fall back on 2026-11-01: midnight local is 04:00Z before, 05:00Z after
        ("2026-11-01T03:59", "2026-10-31"),
        ("2026-11-01T04:00", "2026-11-01"),
        ("2026-11-02T04:59", "2026-11-01"),
        ("2026-11-02T05:00", "2026-11-02"),
    ],
)
def test_daily_reset_at_local_midnight_across_dst(now: str, day: str) -> None:
    assert period_key("daily", utc(now), NY) == day


def test_period_start() -> None:
    ny = ZoneInfo(NY)
    now = utc("2026-11-25T15:00")  # a Wednesday
    assert period_start("none", now, NY) is None
    assert period_start("daily", now, NY) == datetime(2026, 11, 25, tzinfo=ny)
    assert period_start("weekly", now, NY) == datetime(2026, 11, 23, tzinfo=ny)
    assert period_start("monthly", now, NY) == datetime(2026, 11, 1, tzinfo=ny)
    start = period_start("daily", utc("2026-03-08T12:00"), NY)
    assert start is not None
    assert start.utcoffset() == timedelta(hours=-5)
    assert start.astimezone(UTC) == utc("2026-03-08T05:00")
    start = period_start("daily", utc("2026-03-09T12:00"), NY)
    assert start is not None
    assert start.astimezone(UTC) == utc("2026-03-09T04:00")


def test_period_start_when_local_midnight_does_not_exist() -> None:
    # Santiago springs forward at local midnight: 2026-09-06 starts at 01:00 -03:00
    start = period_start("daily", utc("2026-09-06T12:00"), "America/Santiago")
    assert start is not None
    assert start.astimezone(UTC) == utc("2026-09-06T04:00")
    assert period_key("daily", utc("2026-09-06T03:59"), "America/Santiago") == "2026-09-05"
    assert period_key("daily", utc("2026-09-06T04:00"), "America/Santiago") == "2026-09-06"


@pytest.mark.parametrize("reset", ["none", "daily", "weekly", "monthly"])
def test_naive_now_is_refused(reset: ResetPeriod) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        period_key(reset, datetime(2026, 11, 23, 12, 0), NY)
    with pytest.raises(ValueError, match="timezone-aware"):
        period_start(reset, datetime(2026, 11, 23, 12, 0), NY)


def test_unknown_timezone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown timezone 'Mars/Olympus'"):
        period_key("daily", utc("2026-11-23T12:00"), "Mars/Olympus")
