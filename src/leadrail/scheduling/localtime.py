"""From a rep's local wall-clock time to instants, correct across daylight-saving changes.

One rule throughout: a local time ``t`` stands for the FIRST instant at which the rep's clock
shows ``t`` or later. When ``t`` happens once, that is its instant; when the clock shows it
twice (the repeated hour when clocks go back), the first of the two; when it never happens
(the skipped hour when clocks go forward), the instant the clock jumps past it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_TICK = timedelta(microseconds=1)


def load_zone(tz: str) -> ZoneInfo:
    """The IANA timezone ``tz``; ValueError when there is no such zone."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        hint = "use an IANA name such as Europe/Paris"
        raise ValueError(f"unknown timezone {tz!r} ({hint})") from None


def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """What the clock in ``zone`` shows at ``moment`` (a naive local datetime)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def instant_of(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The instant (in UTC) at which the clock first shows the naive local ``wall``, or None
    when it never does (``wall`` is in a gap: clocks went forward over it)."""
    moment = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first of two
    if wall_clock(moment, zone) != wall:
        return None
    return moment


def first_instant_from(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first instant at which the clock shows the naive local ``wall`` or later."""
    moment = instant_of(wall, zone)
    if moment is not None:
        return moment
    # In a gap the two folds read ``wall`` with the offsets before and after the change: one
    # instant falls before the jump (clock earlier than wall), the other after it.
    one = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    other = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    before, after = min(one, other), max(one, other)
    low, high = 0, (after - before) // _TICK  # clock < wall at low, >= wall at high
    while high - low > 1:
        middle = (low + high) // 2
        if wall_clock(before + middle * _TICK, zone) >= wall:
            high = middle
        else:
            low = middle
    return before + high * _TICK
