"""Parsing working hours, and the checks on the scheduling values."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from leadrail.scheduling import Interval, MeetingSpec, WeeklyHours, parse_working_hours

KNOWN = " (days are mon, tue, wed, thu, fri, sat, sun)"
NINE_TO_FIVE = ((time(9), time(17)),)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"mon-fri": "09:00-17:00"}, [NINE_TO_FIVE] * 5 + [()] * 2),
        ({"sat,sun": "10:00-12:00"}, [()] * 5 + [((time(10), time(12)),)] * 2),
        ({"wed": "9:30-12:00"}, [(), (), ((time(9, 30), time(12)),), (), (), (), ()]),
        ({"MON - TUE": " 09:00 - 17:00 "}, [NINE_TO_FIVE] * 2 + [()] * 5),
        ({"mon-sun": "00:00-24:00"}, [((time(0), time(0)),)] * 7),
        (
            {"sat": "10:00-12:00,13:00-15:00"},
            [()] * 5 + [((time(10), time(12)), (time(13), time(15))), ()],
        ),
        # a day in several keys: the ranges add up, and overlapping or touching ones merge
        (
            {"mon-fri": "09:00-12:00", "mon": "11:00-14:00", "fri": "12:00-13:00,15:00-16:00"},
            [((time(9), time(14)),)]
            + [((time(9), time(12)),)] * 3
            + [((time(9), time(13)), (time(15), time(16))), (), ()],
        ),
        (
            {"sun": "13:00-15:00,09:00-10:00"},
            [()] * 6 + [((time(9), time(10)), (time(13), time(15)))],
        ),
        ({}, [()] * 7),
    ],
)
def test_parse_working_hours(spec: dict[str, str], expected: list[tuple[object, ...]]) -> None:
    assert parse_working_hours(spec).days == tuple(expected)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"mondy": "09:00-17:00"},
            "working hours 'mondy': unknown day 'mondy'" + KNOWN,
        ),
        (
            {"mon-fry": "09:00-17:00"},
            "working hours 'mon-fry': unknown day 'mon-fry'" + KNOWN,
        ),
        (
            {"mon,,tue": "09:00-17:00"},
            "working hours 'mon,,tue': unknown day ''" + KNOWN,
        ),
        ({"fri-mon": "09:00-17:00"}, "working hours 'fri-mon': day range 'fri-mon' runs backwards"),
        ({"": "09:00-17:00"}, "working hours need days such as 'mon-fri' or 'sat,sun', got ''"),
        ({"mon": ""}, "working hours 'mon': give hours such as '09:00-17:00', got ''"),
        ({"mon": 9}, "working hours 'mon': give hours such as '09:00-17:00', got 9"),
        ({"mon": "9-17"}, "working hours 'mon': hours '9-17' must look like 09:00-17:00"),
        ({"mon": "09:00-12:00,"}, "working hours 'mon': hours '' must look like 09:00-17:00"),
        ({"mon": "0900-1700"}, "working hours 'mon': hours '0900-1700' must look like 09:00-17:00"),
        (
            {"mon": "25:00-26:00"},
            "working hours 'mon': '25:00' is not a time of day (00:00 to 23:59)",
        ),
        ({7: "09:00-17:00"}, "working hours need days such as 'mon-fri' or 'sat,sun', got 7"),
        (
            {"mon": "24:00-24:00"},
            "working hours 'mon': '24:00' is not a time of day (00:00 to 23:59)",
        ),
        (
            {"mon": "09:60-17:00"},
            "working hours 'mon': '09:60' is not a time of day (00:00 to 23:59)",
        ),
        (
            {"mon": "09:00-24:30"},
            "working hours 'mon': '24:30' is not a time of day (00:00 to 24:00)",
        ),
        (
            {"mon": "17:00-09:00"},
            "working hours 'mon': hours '17:00-09:00' must end after they start",
        ),
        (
            {"mon": "09:00-09:00"},
            "working hours 'mon': hours '09:00-09:00' must end after they start",
        ),
    ],
)
def test_parse_working_hours_errors(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_working_hours(spec)  # type: ignore[arg-type]


def test_empty_mapping_means_never_available() -> None:
    assert parse_working_hours({}).is_empty
    assert WeeklyHours().is_empty
    assert not parse_working_hours({"sun": "10:00-11:00"}).is_empty


def test_weekly_hours_built_directly_are_merged_and_checked() -> None:
    days = ((time(13), time(17)), (time(9), time(13)), (time(8), time(10)))
    hours = WeeklyHours((days, (), (), (), (), (), ()))
    assert hours.ranges(0) == ((time(8), time(17)),)
    with pytest.raises(ValueError, match="working hours need 7 days"):
        WeeklyHours(((),) * 6)
    with pytest.raises(ValueError, match="tue 17:00:00-09:00:00: a working range must end after"):
        WeeklyHours(((), ((time(17), time(9)),), (), (), (), (), ()))


def test_interval() -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    hour = Interval(start, start + timedelta(hours=1))
    assert hour.overlaps(Interval(start + timedelta(minutes=59), start + timedelta(hours=2)))
    assert not hour.overlaps(Interval(start + timedelta(hours=1), start + timedelta(hours=2)))
    assert not hour.overlaps(Interval(start - timedelta(hours=1), start))
    with pytest.raises(ValueError, match="must end after it starts"):
        Interval(start, start)
    with pytest.raises(ValueError, match="must be timezone-aware"):
        Interval(start.replace(tzinfo=None), start + timedelta(hours=1))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"duration_minutes": 0}, "duration_minutes must be a whole number of at least 1, got 0"),
        ({"duration_minutes": 30, "slot_interval_minutes": 0}, "slot_interval_minutes"),
        ({"duration_minutes": 30, "buffer_before_minutes": -5}, "buffer_before_minutes"),
        ({"duration_minutes": 30, "buffer_after_minutes": -1}, "buffer_after_minutes"),
        ({"duration_minutes": 30, "minimum_notice_minutes": -1}, "minimum_notice_minutes"),
        ({"duration_minutes": 30, "horizon_days": 0}, "horizon_days"),
        ({"duration_minutes": 30.5}, "duration_minutes must be a whole number"),
        ({"duration_minutes": True}, "duration_minutes must be a whole number"),
    ],
)
def test_meeting_spec_checks(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MeetingSpec(**fields)  # type: ignore[arg-type]


def test_meeting_spec_step_defaults_to_the_duration() -> None:
    assert MeetingSpec(45).step == timedelta(minutes=45)
    assert MeetingSpec(45, 15).step == timedelta(minutes=15)
