"""Daylight-saving changes: working hours stay on the rep's wall clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadrail.scheduling import Interval, MeetingSpec, WeeklyHours, parse_working_hours, rep_slots
from tests.unit.scheduling.helpers import NY, OFFICE, TZ, clock_on, utc

EVERY_DAY = parse_working_hours({"mon-sun": "09:00-17:00"})
HOURLY = [f"{h:02d}:00" for h in range(9, 17)]


def around(
    day: date, hours: WeeklyHours = EVERY_DAY, meeting: MeetingSpec | None = None
) -> list[datetime]:
    """The rep's slots from three days before ``day`` to three days after."""
    now = datetime(day.year, day.month, day.day, tzinfo=NY) - timedelta(days=3)
    window = Interval(now, now + timedelta(days=7))
    return rep_slots(meeting or MeetingSpec(60), hours, TZ, [], [], now=now, window=window)


@pytest.mark.parametrize(
    ("day", "first_utc"),
    [
        (date(2026, 3, 6), utc(2026, 3, 6, 14)),  # Friday, EST (UTC-5)
        (date(2026, 3, 7), utc(2026, 3, 7, 14)),
        (date(2026, 3, 8), utc(2026, 3, 8, 13)),  # the change (02:00 -> 03:00), EDT (UTC-4)
        (date(2026, 3, 9), utc(2026, 3, 9, 13)),
        (date(2026, 10, 31), utc(2026, 10, 31, 13)),  # EDT
        (date(2026, 11, 1), utc(2026, 11, 1, 14)),  # the change (02:00 -> 01:00), EST
        (date(2026, 11, 2), utc(2026, 11, 2, 14)),
    ],
)
def test_nine_to_five_stays_nine_to_five_local(day: date, first_utc: datetime) -> None:
    found = around(day)
    assert clock_on(found, day) == HOURLY
    assert min(s for s in found if s.astimezone(NY).date() == day) == first_utc


@pytest.mark.parametrize(
    ("friday", "monday", "friday_utc", "monday_utc"),
    [
        (date(2026, 3, 6), date(2026, 3, 9), utc(2026, 3, 6, 14), utc(2026, 3, 9, 13)),
        (date(2026, 10, 30), date(2026, 11, 2), utc(2026, 10, 30, 13), utc(2026, 11, 2, 14)),
    ],
)
def test_weekday_rep_across_a_weekend_change(
    friday: date, monday: date, friday_utc: datetime, monday_utc: datetime
) -> None:
    found = around(monday - timedelta(days=1), OFFICE)
    assert clock_on(found, friday) == HOURLY
    assert clock_on(found, monday) == HOURLY
    assert friday_utc in found
    assert monday_utc in found


@pytest.mark.parametrize(
    ("hours", "expected_local", "expected_utc_hours"),
    [
        # clocks go forward at 02:00: 02:00 and 02:30 do not exist and are skipped
        (
            "00:00-05:00",
            ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00", "04:30"],
            [5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5],
        ),
        # a range starting in the gap starts when the clock jumps past its start
        ("02:30-04:00", ["03:00", "03:30"], [7, 7.5]),
        # a range ending in the gap ends when the clock jumps
        ("00:00-02:30", ["00:00", "00:30", "01:00", "01:30"], [5, 5.5, 6, 6.5]),
    ],
)
def test_spring_forward_night(
    hours: str, expected_local: list[str], expected_utc_hours: list[float]
) -> None:
    day = date(2026, 3, 8)
    found = around(day, parse_working_hours({"sun": hours}), MeetingSpec(30))
    assert clock_on(found, day) == expected_local
    assert found == [utc(2026, 3, 8, 0) + timedelta(hours=h) for h in expected_utc_hours]


def test_spring_forward_meeting_over_the_jump_takes_real_time() -> None:
    day = date(2026, 3, 8)
    found = around(day, parse_working_hours({"sun": "00:00-03:30"}), MeetingSpec(60, 30))
    # 01:30 EST + 60 minutes = 03:30 EDT: it fits; 03:00 EDT + 60 does not
    assert clock_on(found, day) == ["00:00", "00:30", "01:00", "01:30"]


def test_spring_forward_range_ending_in_the_gap_ends_at_the_jump() -> None:
    day = date(2026, 3, 8)
    found = around(day, parse_working_hours({"sun": "00:00-02:30"}), MeetingSpec(60, 30))
    # the clock jumps from 02:00 EST to 03:00 EDT (07:00 UTC): 01:00 EST + 60 is the last
    assert clock_on(found, day) == ["00:00", "00:30", "01:00"]


def test_fall_back_night_counts_the_repeated_hour_once() -> None:
    day = date(2026, 11, 1)
    found = around(day, parse_working_hours({"sun": "00:00-03:00"}), MeetingSpec(30))
    assert clock_on(found, day) == ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30"]
    # 01:00 and 01:30 are their first occurrence (EDT); the second 01:xx (EST) has no grid
    assert found == [
        utc(2026, 11, 1, h, m) for h, m in [(4, 0), (4, 30), (5, 0), (5, 30), (7, 0), (7, 30)]
    ]


def test_fall_back_range_ends_the_first_time_the_clock_shows_its_end() -> None:
    day = date(2026, 11, 1)
    found = around(day, parse_working_hours({"sun": "00:00-01:30"}), MeetingSpec(60, 30))
    # 00:30 EDT + 60 = 01:30 EDT (the end); 01:00 EDT + 60 would end at 01:00 EST
    assert clock_on(found, day) == ["00:00", "00:30"]


@pytest.mark.parametrize(
    ("tz", "day", "expected_first_utc"),
    [
        ("Europe/London", date(2026, 3, 29), utc(2026, 3, 29, 8)),  # BST from 01:00
        ("Europe/London", date(2026, 10, 25), utc(2026, 10, 25, 9)),
        ("Australia/Lord_Howe", date(2026, 10, 4), utc(2026, 10, 3, 22)),  # +11, half-hour DST
        ("Australia/Lord_Howe", date(2026, 4, 5), utc(2026, 4, 4, 22, 30)),  # +10:30
    ],
)
def test_other_zones(tz: str, day: date, expected_first_utc: datetime) -> None:
    zone = ZoneInfo(tz)
    now = datetime(day.year, day.month, day.day, tzinfo=zone) - timedelta(days=2)
    window = Interval(now, now + timedelta(days=4))
    found = rep_slots(MeetingSpec(60), EVERY_DAY, tz, [], [], now=now, window=window)
    assert clock_on(found, day, zone) == HOURLY
    assert min(s for s in found if s.astimezone(zone).date() == day) == expected_first_utc


@pytest.mark.parametrize(
    ("saturday", "expected"),
    [
        # clocks go from Saturday 24:00 to Sunday 01:00: Sunday's 00:00 does not exist
        (
            date(2026, 9, 5),
            ["Sat 22:00 -0400", "Sat 23:00 -0400", "Sun 01:00 -0300", "Sun 02:00 -0300"],
        ),
        # clocks go from Saturday 24:00 back to Saturday 23:00: the repeated hour has no grid
        (
            date(2026, 4, 4),
            [
                "Sat 22:00 -0300",
                "Sat 23:00 -0300",
                "Sun 00:00 -0400",
                "Sun 01:00 -0400",
                "Sun 02:00 -0400",
            ],
        ),
    ],
)
def test_changes_at_midnight(saturday: date, expected: list[str]) -> None:
    zone = ZoneInfo("America/Santiago")
    now = datetime(saturday.year, saturday.month, saturday.day, tzinfo=zone)
    hours = parse_working_hours({"sat": "22:00-24:00", "sun": "00:00-03:00"})
    window = Interval(now, now + timedelta(days=2))
    found = rep_slots(MeetingSpec(60), hours, "America/Santiago", [], [], now=now, window=window)
    assert [s.astimezone(zone).strftime("%a %H:%M %z") for s in found] == expected
