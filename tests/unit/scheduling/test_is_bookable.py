"""is_bookable: one reason, in the prospect's words, for every way a time can be refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from leadrail.scheduling import MeetingSpec, WeeklyHours, is_bookable, parse_working_hours
from leadrail.scheduling.slots import notice_reason
from tests.unit.scheduling.helpers import MONDAY, OFFICE, TZ, busy, days_after, ny, slots

TUESDAY, WEDNESDAY = days_after(MONDAY, 1), days_after(MONDAY, 2)
MEETING = MeetingSpec(30, minimum_notice_minutes=120, horizon_days=14)
NOW = ny(MONDAY, 9)
BUSY = [busy(TUESDAY, "14:00", "15:00")]
AWAY = [(WEDNESDAY, WEDNESDAY)]


def check(
    start: datetime, meeting: MeetingSpec = MEETING, hours: WeeklyHours = OFFICE
) -> str | None:
    return is_bookable(start, meeting, hours, TZ, BUSY, AWAY, now=NOW)


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        (ny(MONDAY, 8), "that time is in the past"),
        (ny(MONDAY, 8, 59), "that time is in the past"),
        (ny(MONDAY, 9), "that time needs at least 2 hours' notice"),
        (ny(MONDAY, 10, 30), "that time needs at least 2 hours' notice"),
        (ny(MONDAY, 11), None),  # exactly the notice
        (ny(MONDAY, 11, 15), "that time is not on the booking grid"),
        (ny(MONDAY, 11) + timedelta(seconds=1), "that time is not on the booking grid"),
        (ny(MONDAY, 16, 30), None),
        (ny(MONDAY, 16, 45), "that time is outside working hours"),  # would end at 17:15
        (ny(MONDAY, 18), "that time is outside working hours"),
        (ny(days_after(MONDAY, 5), 10), "that time is outside working hours"),  # Saturday
        (ny(TUESDAY, 13, 30), None),  # ends as the busy time starts
        (ny(TUESDAY, 14), "that time was just taken"),
        (ny(TUESDAY, 14, 30), "that time was just taken"),
        (ny(TUESDAY, 15), None),
        (ny(WEDNESDAY, 10), "the rep is away that day"),
        (ny(WEDNESDAY, 3), "the rep is away that day"),  # away comes before hours
        (ny(days_after(MONDAY, 11), 16, 30), None),  # Friday of next week
        (ny(days_after(MONDAY, 14), 9), "that time is beyond the booking horizon"),
        (ny(days_after(MONDAY, 14), 8, 59), "that time is outside working hours"),
        (ny(days_after(MONDAY, 40), 10), "that time is beyond the booking horizon"),
        (datetime(2026, 11, 23, 16, tzinfo=UTC), None),  # 11:00 in New York, given in UTC
    ],
)
def test_reasons(start: datetime, reason: str | None) -> None:
    assert check(start) == reason


@pytest.mark.parametrize(
    ("start", "meeting", "reason"),
    [
        (ny(MONDAY, 11), MeetingSpec(30, buffer_after_minutes=1), None),
        (ny(TUESDAY, 13, 30), MeetingSpec(30, buffer_after_minutes=1), "that time was just taken"),
        (ny(TUESDAY, 15), MeetingSpec(30, buffer_before_minutes=1), "that time was just taken"),
        (ny(MONDAY, 11), MeetingSpec(60, 45), "that time is not on the booking grid"),
        (ny(MONDAY, 11, 15), MeetingSpec(60, 45), None),
        (ny(MONDAY, 16), MeetingSpec(60, 45), "that time is not on the booking grid"),
        (ny(MONDAY, 16, 15), MeetingSpec(60, 45), "that time is outside working hours"),
        (ny(MONDAY, 15, 45), MeetingSpec(60, 45), None),
    ],
)
def test_reasons_with_buffers_and_grid(start: datetime, meeting: MeetingSpec, reason: str) -> None:
    assert check(start, meeting) == reason


def test_no_working_hours() -> None:
    assert check(ny(MONDAY, 11), hours=WeeklyHours()) == "that time is outside working hours"


@pytest.mark.parametrize(
    ("minutes", "reason"),
    [
        (1, "that time needs at least 1 minute's notice"),
        (45, "that time needs at least 45 minutes' notice"),
        (60, "that time needs at least 1 hour's notice"),
        (90, "that time needs at least 90 minutes' notice"),
        (120, "that time needs at least 2 hours' notice"),
        (1440, "that time needs at least 1 day's notice"),
        (2880, "that time needs at least 2 days' notice"),
        (1500, "that time needs at least 25 hours' notice"),
    ],
)
def test_notice_reason(minutes: int, reason: str) -> None:
    assert notice_reason(minutes) == reason


def test_agrees_with_rep_slots_over_a_week() -> None:
    found = set(slots(MEETING, busy=BUSY, vacations=AWAY, now=NOW))
    start = ny(MONDAY, 0)
    while start < ny(days_after(MONDAY, 15), 0):
        assert (check(start) is None) == (start in found), start
        start += timedelta(minutes=15)


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="the start must be timezone-aware"):
        check(datetime(2026, 11, 23, 11))
    with pytest.raises(ValueError, match="unknown timezone"):
        is_bookable(ny(MONDAY, 11), MEETING, OFFICE, "Nowhere", [], [], now=NOW)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        is_bookable(ny(MONDAY, 11), MEETING, OFFICE, TZ, [], [], now=datetime(2026, 11, 23))


def test_vacation_checked_on_the_local_day() -> None:
    # 01:00 UTC on Thursday is still Wednesday evening in New York
    late = datetime(2026, 11, 26, 1, tzinfo=UTC)
    assert late.astimezone(ny(MONDAY, 0).tzinfo).date() == date(2026, 11, 25)
    hours = parse_working_hours({"mon-sun": "00:00-24:00"})
    assert check(late, hours=hours) == "the rep is away that day"
