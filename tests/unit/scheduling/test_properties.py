"""Properties of the slots, checked by Hypothesis on random reps near DST changes.

The reference below decides each instant on its own, from the rep's wall clock, minute by
minute: slow and obviously right, it is the yardstick for the fast sweep in ``rep_slots``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from leadrail.scheduling import Interval, is_bookable
from leadrail.scheduling.model import since_midnight
from leadrail.scheduling.slots import AWAY, BEYOND_HORIZON, OFF_GRID, OUTSIDE_HOURS, PAST, TAKEN
from tests.unit.scheduling.strategies import Rep, reps

FAST = settings(max_examples=100, deadline=None)
MINUTE = timedelta(minutes=1)


def in_working_hours(rep: Rep, start: datetime) -> bool:
    """On the grid of a working range, and the clock does not reach the range's end before
    the meeting is over; only the first of two instants showing the same time counts."""
    local = start.astimezone(rep.zone)
    if local.fold:
        return False
    day, wall = local.date(), local.replace(tzinfo=None)
    for first, last in rep.hours.ranges(day.weekday()):
        midnight = datetime.combine(day, time())
        range_start, range_end = (
            midnight + since_midnight(first),
            midnight + since_midnight(last, end=True),
        )
        if not range_start <= wall < range_end or (wall - range_start) % rep.meeting.step:
            continue
        minutes = range(rep.meeting.duration_minutes)
        clock = ((start + k * MINUTE).astimezone(rep.zone).replace(tzinfo=None) for k in minutes)
        if all(shown < range_end for shown in clock):
            return True
    return False


def is_free(rep: Rep, start: datetime) -> bool:
    taken = Interval(
        start - rep.meeting.buffer_before, start + rep.meeting.duration + rep.meeting.buffer_after
    )
    return not any(taken.overlaps(b) for b in rep.busy)


def reference_open(rep: Rep, start: datetime) -> bool:
    day = start.astimezone(rep.zone).date()
    return (
        rep.now + rep.meeting.notice <= start < rep.now + rep.meeting.horizon
        and not any(first <= day <= last for first, last in rep.vacations)
        and is_free(rep, start)
        and in_working_hours(rep, start)
    )


def every_five_minutes(rep: Rep, step: int = 5) -> list[datetime]:
    """Instants on a UTC grid (every zone used has whole-five-minute offsets) over the horizon."""
    first = rep.now.replace(second=0, microsecond=0)
    first -= timedelta(minutes=first.minute % step)
    count = int(rep.meeting.horizon / timedelta(minutes=step)) + 2
    return [first + k * timedelta(minutes=step) for k in range(count)]


@FAST
@given(reps())
def test_slots_are_exactly_the_reference(rep: Rep) -> None:
    found = rep.slots()
    assert found == [s for s in every_five_minutes(rep) if reference_open(rep, s)]


@FAST
@given(reps())
def test_slots_are_sorted_unique_utc_in_hours_and_free(rep: Rep) -> None:
    found = rep.slots()
    assert found == sorted(set(found))
    assert all(s.tzinfo is UTC for s in found)
    for start in found:
        assert in_working_hours(rep, start)
        assert is_free(rep, start)


@FAST
@given(reps(), st.data())
def test_is_bookable_agrees_with_rep_slots(rep: Rep, data: st.DataObject) -> None:
    found = set(rep.slots())
    reasons = {PAST, OFF_GRID, TAKEN, OUTSIDE_HOURS, BEYOND_HORIZON, AWAY}
    offsets = st.integers(-1440 * 60, 5 * 1440 * 60).map(lambda s: timedelta(seconds=s))
    probes = every_five_minutes(rep, 15) + [rep.now + data.draw(offsets) for _ in range(10)]
    for start in sorted(found.union(probes)):
        reason = is_bookable(
            start, rep.meeting, rep.hours, rep.tz, rep.busy, rep.vacations, now=rep.now
        )
        assert (reason is None) == (start in found), (start, reason)
        assert reason is None or reason in reasons or reason.endswith("notice")


@FAST
@given(reps(), st.randoms(use_true_random=False))
def test_order_of_busy_intervals_does_not_matter(rep: Rep, random: Random) -> None:
    shuffled = list(rep.busy)
    random.shuffle(shuffled)
    assert replace(rep, busy=tuple(shuffled)).slots() == rep.slots()
    assert replace(rep, busy=tuple(reversed(rep.busy))).slots() == rep.slots()


@FAST
@given(reps(), st.integers(0, 6 * 24 * 60))
def test_windows_split_the_slots(rep: Rep, minutes: int) -> None:
    whole = rep.everything()
    cut = whole.start + timedelta(minutes=minutes)
    before = rep.slots(Interval(whole.start, cut)) if cut > whole.start else []
    after = rep.slots(Interval(cut, whole.end)) if cut < whole.end else []
    assert before + after == rep.slots()
