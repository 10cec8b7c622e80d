"""A loose guard on the cost of a flexible pool's slots (the real numbers go to bench/).

20 reps over a 30-day horizon, 200 busy intervals each: a few milliseconds per rep. The bound
here is some twenty times the measured time, so that only a change of algorithm trips it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from time import perf_counter

from leadrail.scheduling import Interval, MeetingSpec, parse_working_hours, pool_slots, rep_slots

NOW = datetime(2026, 2, 20, 14, 7, tzinfo=UTC)  # the horizon spans a DST change
MEETING = MeetingSpec(30, 15, 10, 10, minimum_notice_minutes=120, horizon_days=30)
HOURS = parse_working_hours({"mon-fri": "09:00-12:00,13:00-17:00"})
ZONES = ("America/New_York", "Europe/Paris", "Asia/Kolkata", "America/Los_Angeles")
WINDOW = Interval(NOW, NOW + timedelta(days=30))


def busy_for(rep: int, count: int = 200) -> list[Interval]:
    """``count`` busy intervals spread over the 30 days: unsorted, some overlapping."""
    found = []
    for k in range(count):
        start = NOW + timedelta(minutes=(k * 7919 + rep * 613) % (30 * 24 * 60))
        found.append(Interval(start, start + timedelta(minutes=15 + (k * 37 + rep) % 90)))
    return found


def flexible_pool(reps: int = 20) -> dict[datetime, frozenset[str]]:
    per_member = {
        f"rep{i}@acme.test": rep_slots(
            MEETING, HOURS, ZONES[i % len(ZONES)], busy_for(i), [], now=NOW, window=WINDOW
        )
        for i in range(reps)
    }
    return pool_slots(per_member)


def test_a_pool_of_twenty_over_thirty_days_is_fast() -> None:
    timings = []
    for _ in range(3):
        started = perf_counter()
        pool = flexible_pool()
        timings.append(perf_counter() - started)
    assert len(pool) > 1000
    assert min(timings) < 0.5, timings
