"""pool_slots: a flexible pool offers every time at least one member is free."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from leadrail.scheduling import Interval, MeetingSpec, parse_working_hours, pool_slots, rep_slots
from tests.unit.scheduling.helpers import MONDAY, NOW, OFFICE, busy, utc

NINE, TEN, ELEVEN = utc(2026, 11, 23, 14), utc(2026, 11, 23, 15), utc(2026, 11, 23, 16)


def test_union_with_the_members_free_at_each_time() -> None:
    pool = pool_slots({"ana@x.test": [NINE, ELEVEN], "bo@x.test": [TEN, ELEVEN], "cy@x.test": []})
    assert pool == {
        NINE: frozenset({"ana@x.test"}),
        TEN: frozenset({"bo@x.test"}),
        ELEVEN: frozenset({"ana@x.test", "bo@x.test"}),
    }
    assert list(pool) == [NINE, TEN, ELEVEN]


def test_empty_pool_and_unsorted_input() -> None:
    assert pool_slots({}) == {}
    assert pool_slots({"ana@x.test": []}) == {}
    pool = pool_slots({"ana@x.test": [ELEVEN, NINE, NINE]})
    assert list(pool) == [NINE, ELEVEN]


def test_the_same_instant_in_two_timezones_is_one_slot() -> None:
    paris = ZoneInfo("Europe/Paris")
    pool = pool_slots({"ana@x.test": [NINE], "bo@x.test": [NINE.astimezone(paris)]})
    assert pool == {NINE: frozenset({"ana@x.test", "bo@x.test"})}


def test_reps_in_two_timezones() -> None:
    meeting = MeetingSpec(60, horizon_days=1)
    window_from = datetime(2026, 11, 23, tzinfo=UTC)
    window = Interval(window_from, window_from + timedelta(days=1))
    london = rep_slots(meeting, OFFICE, "Europe/London", [], [], now=NOW, window=window)
    new_york = rep_slots(
        meeting,
        parse_working_hours({"mon": "09:00-12:00"}),
        "America/New_York",
        [busy(MONDAY, "10:00", "11:00")],
        [],
        now=NOW,
        window=window,
    )
    pool = pool_slots({"lon@x.test": london, "nyc@x.test": new_york})
    by_hour = {start.hour: sorted(members) for start, members in pool.items()}
    # London works 09:00-17:00 UTC, New York 14:00-17:00 UTC but is busy at 15:00 UTC
    assert by_hour == {
        12: ["lon@x.test"],
        13: ["lon@x.test"],
        14: ["lon@x.test", "nyc@x.test"],
        15: ["lon@x.test"],
        16: ["lon@x.test", "nyc@x.test"],
    }
