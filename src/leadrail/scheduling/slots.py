"""Open booking slots of a rep, of a flexible pool, and whether one time can be booked.

A slot is the start of a meeting that:

- lies entirely inside one working range of the rep's local day. Working hours are read on
  the rep's wall clock (see ``localtime``): a 09:00-17:00 day is 09:00-17:00 local on both
  sides of a daylight-saving change; a range runs from the first instant the clock shows its
  start until the first instant it shows its end (so on the day clocks go back, the repeated
  hour counts once); local times that do not exist (clocks go forward) are skipped;
- is on the booking grid: the range's start, then every slot interval of wall-clock time;
- is free: the meeting widened by its buffers overlaps no busy interval (touching is fine);
- starts at or after ``now`` + minimum notice and before ``now`` + horizon (24-hour days);
- falls on a local day (the rep's timezone) outside every vacation (dates inclusive).

Every function is pure: ``now`` is an argument, nothing is cached between calls.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from leadrail.scheduling.localtime import first_instant_from, instant_of, load_zone
from leadrail.scheduling.model import (
    Interval,
    MeetingSpec,
    WeeklyHours,
    require_aware,
    since_midnight,
)

PAST = "that time is in the past"
OFF_GRID = "that time is not on the booking grid"
TAKEN = "that time was just taken"
OUTSIDE_HOURS = "that time is outside working hours"
BEYOND_HORIZON = "that time is beyond the booking horizon"
AWAY = "the rep is away that day"

_ONE_DAY = timedelta(days=1)


def notice_reason(minutes: int) -> str:
    """'that time needs at least 2 hours' notice' (in days, hours or minutes: the largest unit
    that counts it whole)."""
    if minutes % (24 * 60) == 0:
        count, unit = minutes // (24 * 60), "day"
    elif minutes % 60 == 0:
        count, unit = minutes // 60, "hour"
    else:
        count, unit = minutes, "minute"
    amount = f"1 {unit}'s" if count == 1 else f"{count} {unit}s'"
    return f"that time needs at least {amount} notice"


@dataclass(frozen=True, slots=True)
class _Opening:
    """One working range of one local day: wall-clock bounds and the instants they stand for."""

    wall_start: datetime
    wall_end: datetime
    start: datetime
    end: datetime


def _openings(hours: WeeklyHours, zone: ZoneInfo, day: date) -> list[_Opening]:
    midnight = datetime.combine(day, time())  # naive on purpose: a local wall clock
    openings = []
    for start, end in hours.ranges(day.weekday()):
        wall_start = midnight + since_midnight(start)
        wall_end = midnight + since_midnight(end, end=True)
        begins = first_instant_from(wall_start, zone)
        ends = first_instant_from(wall_end, zone)
        if begins < ends:
            openings.append(_Opening(wall_start, wall_end, begins, ends))
    return openings


def _grid(opening: _Opening, zone: ZoneInfo, meeting: MeetingSpec) -> Iterator[datetime]:
    """Starts on the grid of ``opening`` whose whole meeting fits in it, in order.

    Each wall-clock time is first tried at the UTC offset of the previous start: when the
    clock has that offset at the guessed instant, the guess shows the right time (and is its
    first instant, the previous one having the same offset); otherwise it is resolved anew."""
    duration, step = meeting.duration, meeting.step
    latest_start = opening.end - duration
    wall = opening.wall_start
    anchor: tuple[datetime, datetime, timedelta | None] | None = None  # instant, wall, offset
    while wall < opening.wall_end:
        moment = None
        if anchor is not None:
            guess = anchor[0] + (wall - anchor[1])
            if guess.astimezone(zone).utcoffset() == anchor[2]:
                moment = guess
        if moment is None:
            moment = instant_of(wall, zone)
            if moment is not None:
                anchor = (moment, wall, moment.astimezone(zone).utcoffset())
        if moment is not None:
            if moment > latest_start:  # instants grow with the wall clock: none fits later
                return
            yield moment
        wall += step


def _is_away(day: date, vacations: Sequence[tuple[date, date]]) -> bool:
    return any(first <= day <= last for first, last in vacations)


def _busy_blocks(busy: Sequence[Interval]) -> list[tuple[datetime, datetime]]:
    """Busy time as sorted, disjoint blocks (overlapping or touching intervals merged)."""
    blocks: list[tuple[datetime, datetime]] = []
    for start, end in sorted((b.start.astimezone(UTC), b.end.astimezone(UTC)) for b in busy):
        if blocks and start <= blocks[-1][1]:
            if end > blocks[-1][1]:
                blocks[-1] = (blocks[-1][0], end)
        else:
            blocks.append((start, end))
    return blocks


def _free(
    starts: Sequence[datetime], blocks: Sequence[tuple[datetime, datetime]], meeting: MeetingSpec
) -> list[datetime]:
    """The ``starts`` (ascending) whose buffered meeting overlaps none of the ``blocks``: one
    sweep, since both go forward together."""
    before, after = meeting.buffer_before, meeting.duration + meeting.buffer_after
    free: list[datetime] = []
    i, count = 0, len(blocks)
    for start in starts:
        busy_from = start - before
        while i < count and blocks[i][1] <= busy_from:
            i += 1
        if i == count or blocks[i][0] >= start + after:
            free.append(start)
    return free


def _local_days(first: datetime, last: datetime, zone: ZoneInfo) -> Iterator[date]:
    """Local dates from the day before ``first`` to the day after ``last`` (the margin covers
    clocks that jump across midnight)."""
    day = first.astimezone(zone).date() - _ONE_DAY
    end = last.astimezone(zone).date() + _ONE_DAY
    while day <= end:
        yield day
        day += _ONE_DAY


def rep_slots(
    meeting: MeetingSpec,
    hours: WeeklyHours,
    tz: str,
    busy: Sequence[Interval],
    vacations: Sequence[tuple[date, date]],
    *,
    now: datetime,
    window: Interval,
) -> list[datetime]:
    """Start times (aware, UTC) of the rep's open slots that start inside ``window``
    (window.start <= start < window.end), sorted and unique. See the module doc for what
    makes a slot open."""
    require_aware(now, "now")
    zone = load_zone(tz)
    low = max(window.start, now + meeting.notice).astimezone(UTC)
    high = min(window.end, now + meeting.horizon).astimezone(UTC)
    if low >= high or hours.is_empty:
        return []
    starts: list[datetime] = []
    for day in _local_days(low, high, zone):
        if _is_away(day, vacations):
            continue
        for opening in _openings(hours, zone, day):
            if opening.end > low and opening.start < high:
                starts.extend(s for s in _grid(opening, zone, meeting) if low <= s < high)
    starts.sort()  # already ascending (days, ranges, grid all go forward); cheap insurance
    return _free(starts, _busy_blocks(busy), meeting)


def pool_slots(per_member: Mapping[str, Sequence[datetime]]) -> dict[datetime, frozenset[str]]:
    """A flexible pool's slots: every start any member has -> the members free then, in time
    order. Starts are compared as instants; members with no slot do not appear."""
    free: dict[datetime, set[str]] = {}
    for member, starts in per_member.items():
        for start in starts:
            free.setdefault(start, set()).add(member)
    return {start: frozenset(free[start]) for start in sorted(free)}


def _hours_reason(
    start: datetime, meeting: MeetingSpec, hours: WeeklyHours, zone: ZoneInfo
) -> str | None:
    """None when ``start`` is on the grid of a working range; else why not."""
    fits = False
    for day in _local_days(start, start, zone):
        for opening in _openings(hours, zone, day):
            if opening.start <= start and start + meeting.duration <= opening.end:
                fits = True
                if start in _grid(opening, zone, meeting):
                    return None
    return OFF_GRID if fits else OUTSIDE_HOURS


def is_bookable(
    start: datetime,
    meeting: MeetingSpec,
    hours: WeeklyHours,
    tz: str,
    busy: Sequence[Interval],
    vacations: Sequence[tuple[date, date]],
    *,
    now: datetime,
) -> str | None:
    """None when ``start`` is an open slot of the rep at ``now`` (exactly when ``rep_slots``
    over any window holding ``start`` lists it); else the reason, in words for the prospect.
    Reasons are checked in this order: past, notice, horizon, away, hours, grid, taken."""
    require_aware(start, "the start")
    require_aware(now, "now")
    zone = load_zone(tz)
    if start < now:
        return PAST
    if start < now + meeting.notice:
        return notice_reason(meeting.minimum_notice_minutes)
    if start >= now + meeting.horizon:
        return BEYOND_HORIZON
    if _is_away(start.astimezone(zone).date(), vacations):
        return AWAY
    reason = _hours_reason(start, meeting, hours, zone)
    if reason is not None:
        return reason
    taken_from, taken_until = start - meeting.buffer_before, start + meeting.duration
    taken_until += meeting.buffer_after
    if any(b.start < taken_until and taken_from < b.end for b in busy):
        return TAKEN
    return None
