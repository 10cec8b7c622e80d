"""rep_slots on tables: grid, buffers, notice, horizon, window, vacations, busy edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadrail.scheduling import Interval, MeetingSpec, WeeklyHours, parse_working_hours, rep_slots
from tests.unit.scheduling.helpers import (
    MONDAY,
    NOW,
    NY,
    OFFICE,
    busy,
    clock,
    clock_on,
    days_after,
    ny,
    slots,
)

TUESDAY, WEDNESDAY = days_after(MONDAY, 1), days_after(MONDAY, 2)
HOURLY = [f"{h:02d}:00" for h in range(9, 17)]


def on_monday(meeting: MeetingSpec, **kwargs: object) -> list[str]:
    return clock_on(slots(meeting, **kwargs), MONDAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("meeting", "hours", "expected"),
    [
        (MeetingSpec(60), OFFICE, HOURLY),
        (
            MeetingSpec(60, 30),
            OFFICE,
            [f"{h:02d}:{m:02d}" for h in range(9, 16) for m in (0, 30)] + ["16:00"],
        ),
        (
            MeetingSpec(30, 45),
            OFFICE,
            [
                "09:00",
                "09:45",
                "10:30",
                "11:15",
                "12:00",
                "12:45",
                "13:30",
                "14:15",
                "15:00",
                "15:45",
                "16:30",
            ],
        ),
        (MeetingSpec(120), OFFICE, ["09:00", "11:00", "13:00", "15:00"]),
        (MeetingSpec(480), OFFICE, ["09:00"]),
        (MeetingSpec(481), OFFICE, []),
        # the grid restarts at each range's start
        (
            MeetingSpec(60, 90),
            parse_working_hours({"mon": "09:00-12:00,13:00-17:00"}),
            ["09:00", "10:30", "13:00", "14:30", "16:00"],
        ),
        # a meeting never spans two ranges
        (MeetingSpec(240), parse_working_hours({"mon": "09:00-12:00,13:00-17:00"}), ["13:00"]),
        # ranges that touch are one range
        (
            MeetingSpec(240),
            parse_working_hours({"mon": "09:00-12:00,12:00-17:00"}),
            ["09:00", "13:00"],
        ),
        (MeetingSpec(25, 20), parse_working_hours({"mon": "09:10-10:00"}), ["09:10", "09:30"]),
        (MeetingSpec(60), WeeklyHours(), []),
        (MeetingSpec(60), parse_working_hours({}), []),
        (MeetingSpec(60), parse_working_hours({"tue-sun": "00:00-24:00"}), []),
    ],
)
def test_grid_and_working_hours(
    meeting: MeetingSpec, hours: WeeklyHours, expected: list[str]
) -> None:
    assert on_monday(meeting, hours=hours) == expected


def test_a_week_of_office_hours() -> None:
    week = slots(MeetingSpec(60), window=Interval(NOW, NOW + timedelta(days=7)))
    assert len(week) == 5 * 8
    assert {s.astimezone(NY).weekday() for s in week} == {0, 1, 2, 3, 4}
    assert all(s.tzinfo is UTC for s in week)


def test_24_00_ends_the_day_and_meetings_do_not_cross_midnight() -> None:
    hours = parse_working_hours({"mon": "22:00-24:00", "tue": "00:00-02:00"})
    found = slots(MeetingSpec(90, 30), hours=hours, window=Interval(NOW, NOW + timedelta(days=2)))
    assert clock(found) == ["11-23 22:00", "11-23 22:30", "11-24 00:00", "11-24 00:30"]


@pytest.mark.parametrize(
    ("busy_from", "busy_until", "expected_missing"),
    [
        ("10:00", "11:00", ["10:00"]),  # meetings touching it at both ends are fine
        ("09:59", "10:00", ["09:00"]),
        ("11:00", "11:01", ["11:00"]),
        ("10:30", "11:30", ["10:00", "11:00"]),
        ("08:00", "09:00", []),
        ("17:00", "18:00", []),
        ("08:00", "18:00", HOURLY),
    ],
)
def test_busy_edges(busy_from: str, busy_until: str, expected_missing: list[str]) -> None:
    found = on_monday(MeetingSpec(60), busy=[busy(MONDAY, busy_from, busy_until)])
    assert found == [h for h in HOURLY if h not in expected_missing]


@pytest.mark.parametrize(
    ("before", "after", "expected_missing"),
    [
        (0, 0, ["11:00", "11:30"]),
        (15, 0, ["11:00", "11:30", "12:00"]),
        (0, 15, ["10:30", "11:00", "11:30"]),
        (15, 15, ["10:30", "11:00", "11:30", "12:00"]),
        (30, 30, ["10:30", "11:00", "11:30", "12:00"]),  # touching, with buffers, is fine
        (31, 31, ["10:00", "10:30", "11:00", "11:30", "12:00", "12:30"]),
    ],
)
def test_buffers(before: int, after: int, expected_missing: list[str]) -> None:
    meeting = MeetingSpec(30, buffer_before_minutes=before, buffer_after_minutes=after)
    found = on_monday(meeting, busy=[busy(MONDAY, "11:00", "12:00")])
    every = [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)]
    assert found == [t for t in every if t not in expected_missing]


def test_buffers_may_fall_outside_working_hours() -> None:
    meeting = MeetingSpec(60, buffer_before_minutes=60, buffer_after_minutes=60)
    assert on_monday(meeting)[0] == "09:00"
    assert on_monday(meeting)[-1] == "16:00"
    assert on_monday(meeting, busy=[busy(MONDAY, "07:30", "08:01")])[0] == "10:00"


def test_busy_overlapping_unsorted_and_in_other_timezones() -> None:
    paris = ZoneInfo("Europe/Paris")
    blocks = [
        busy(MONDAY, "17:00", "18:30", paris),  # 11:00-12:30 in New York
        busy(MONDAY, "10:30", "11:15"),
        busy(MONDAY, "11:00", "11:30"),
        busy(MONDAY, "14:00", "15:00"),
        busy(TUESDAY, "09:00", "17:00"),
    ]
    found = slots(MeetingSpec(60), busy=blocks, window=Interval(NOW, NOW + timedelta(days=2)))
    assert clock_on(found, MONDAY) == ["09:00", "13:00", "15:00", "16:00"]
    assert clock_on(found, TUESDAY) == []


@pytest.mark.parametrize(
    ("now", "notice", "expected_first"),
    [
        (ny(MONDAY, 7), 0, "11-23 09:00"),
        (ny(MONDAY, 9), 0, "11-23 09:00"),  # a slot starting right now is still open
        (ny(MONDAY, 9, 1), 0, "11-23 10:00"),
        (ny(MONDAY, 9, 10), 120, "11-23 12:00"),
        (ny(MONDAY, 9), 120, "11-23 11:00"),
        (ny(MONDAY, 15), 120, "11-24 09:00"),
        (ny(MONDAY, 7), 24 * 60, "11-24 09:00"),
    ],
)
def test_minimum_notice(now: datetime, notice: int, expected_first: str) -> None:
    found = slots(MeetingSpec(60, minimum_notice_minutes=notice, horizon_days=3), now=now)
    assert clock(found)[0] == expected_first


@pytest.mark.parametrize(
    ("now", "horizon", "expected_last"),
    [
        (ny(MONDAY, 7), 1, "11-23 16:00"),
        (ny(MONDAY, 7), 2, "11-24 16:00"),
        (ny(MONDAY, 9), 1, "11-23 16:00"),  # Tuesday 09:00 is exactly 24 hours away: beyond
        (ny(MONDAY, 9, 1), 1, "11-24 09:00"),
        (ny(MONDAY, 7), 5, "11-27 16:00"),
        (ny(MONDAY, 7), 30, "12-22 16:00"),  # 24-hour days: Monday 07:00 plus 30 days
    ],
)
def test_horizon(now: datetime, horizon: int, expected_last: str) -> None:
    found = slots(MeetingSpec(60, horizon_days=horizon), now=now)
    assert clock(found)[-1] == expected_last


@pytest.mark.parametrize(
    ("window_from", "window_until", "expected"),
    [
        (ny(MONDAY, 10), ny(MONDAY, 12), ["10:00", "11:00"]),  # start inclusive, end exclusive
        (ny(MONDAY, 10, 1), ny(MONDAY, 12, 1), ["11:00", "12:00"]),
        (ny(MONDAY, 16), ny(MONDAY, 16, 30), ["16:00"]),  # the meeting may end after the window
    ],
)
def test_window(window_from: datetime, window_until: datetime, expected: list[str]) -> None:
    found = slots(MeetingSpec(60), window=Interval(window_from, window_until))
    assert clock_on(found, MONDAY) == expected


def test_window_entirely_in_the_past_or_beyond_the_horizon() -> None:
    past = Interval(NOW - timedelta(days=3), NOW - timedelta(days=1))
    beyond = Interval(NOW + timedelta(days=31), NOW + timedelta(days=40))
    assert slots(MeetingSpec(60), window=past) == []
    assert slots(MeetingSpec(60), window=beyond) == []


@pytest.mark.parametrize(
    ("vacations", "expected_days"),
    [
        ([], [23, 24, 25, 26, 27]),
        ([(TUESDAY, WEDNESDAY)], [23, 26, 27]),  # both ends inclusive
        ([(WEDNESDAY, WEDNESDAY), (date(2026, 11, 27), date(2026, 12, 4))], [23, 24, 26]),
        ([(date(2026, 11, 1), MONDAY)], [24, 25, 26, 27]),
        ([(date(2026, 11, 28), date(2026, 11, 29))], [23, 24, 25, 26, 27]),
    ],
)
def test_vacations(vacations: list[tuple[date, date]], expected_days: list[int]) -> None:
    found = slots(
        MeetingSpec(60), vacations=vacations, window=Interval(NOW, NOW + timedelta(days=7))
    )
    assert sorted({s.astimezone(NY).day for s in found}) == expected_days


def test_vacation_days_are_the_reps_local_days() -> None:
    auckland = ZoneInfo("Pacific/Auckland")
    tuesday = date(2026, 11, 24)  # Tuesday 09:00 in Auckland is Monday 20:00 UTC
    found = rep_slots(
        MeetingSpec(60),
        OFFICE,
        "Pacific/Auckland",
        [],
        [(tuesday, tuesday)],
        now=datetime(2026, 11, 22, tzinfo=UTC),
        window=Interval(datetime(2026, 11, 22, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC)),
    )
    local_days = sorted({s.astimezone(auckland).date().day for s in found})
    assert local_days == [23, 25, 26]
    assert min(s for s in found if s.astimezone(auckland).day == 25) == datetime(
        2026, 11, 24, 20, tzinfo=UTC
    )


def test_arguments_are_checked() -> None:
    window = Interval(NOW, NOW + timedelta(days=1))
    with pytest.raises(ValueError, match="unknown timezone 'Mars/Olympus'"):
        rep_slots(MeetingSpec(60), OFFICE, "Mars/Olympus", [], [], now=NOW, window=window)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        rep_slots(
            MeetingSpec(60), OFFICE, "UTC", [], [], now=NOW.replace(tzinfo=None), window=window
        )
