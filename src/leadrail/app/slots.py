"""Open slots and bookable times of a router's meeting type, from the reps' working hours,
vacations, meetings, busy blocks and connected calendars (the scheduling core does the
arithmetic; this module gathers its inputs)."""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cachetools import LRUCache

from leadrail.app.capacity import MeetingStarts, capped_days, caps_of, local_window
from leadrail.app.errors import InvalidInput
from leadrail.app.ports import BookingTransaction, BusyCalendar, RouterSnapshot
from leadrail.scheduling.model import Interval, MeetingSpec, WeeklyHours, parse_working_hours
from leadrail.scheduling.slots import is_bookable, pool_slots, rep_slots

Busy = Mapping[str, Sequence[tuple[datetime, datetime]]]


def meeting_spec(snap: RouterSnapshot) -> MeetingSpec:
    m = snap.meeting
    if m is None:
        raise InvalidInput(f"router {snap.doc.slug!r} has no meeting type", field="router")
    return MeetingSpec(
        duration_minutes=m.duration_minutes,
        slot_interval_minutes=m.slot_interval_minutes,
        buffer_before_minutes=m.buffer_before_minutes,
        buffer_after_minutes=m.buffer_after_minutes,
        minimum_notice_minutes=m.minimum_notice_minutes,
        horizon_days=m.horizon_days,
    )


def _rep_busy(
    calendar: BusyCalendar, rep: str, window: Interval, spec: MeetingSpec
) -> list[Interval]:
    """Busy time that can touch a slot starting in ``window``: widened by the buffers and
    the meeting's length, so a block just outside the window still counts."""
    busy = calendar.busy(
        rep, window.start - spec.buffer_before, window.end + spec.duration + spec.buffer_after
    )
    return [Interval(a, b) for a, b in busy if b > a]


_HOURS: LRUCache[Hashable, WeeklyHours] = LRUCache(maxsize=1024)


def _hours(snap: RouterSnapshot, rep: str) -> tuple[Any, str, list[tuple[Any, Any]]]:
    doc = snap.user_docs.get(rep)
    info = snap.users.get(rep)
    tz = (info.timezone if info else None) or snap.spec.timezone
    raw = doc.working_hours if doc else {}
    key = tuple(sorted(raw.items()))
    hours = _HOURS.get(key)
    if hours is None:
        hours = _HOURS[key] = parse_working_hours(raw)
    vacations = [(v.start, v.end) for v in info.vacations] if info else []
    return hours, tz, vacations


_DAY = timedelta(days=1)
# A day's open slots of a group of reps, keyed by everything they are computed from: the
# meeting type, each rep's hours, zone, vacations and the busy times that touch the day.
# A booking, a cancellation, a busy block, a calendar's busy times or a workspace change
# changes the key, so an entry is never stale: it is only never asked for again.
_DAYS: LRUCache[Hashable, dict[datetime, frozenset[str]]] = LRUCache(maxsize=4096)
_DAYS_LOCK = threading.Lock()


def slots(
    calendar: BusyCalendar,
    snap: RouterSnapshot,
    reps: Sequence[str],
    now: datetime,
    window: Interval,
) -> dict[datetime, frozenset[str]]:
    """Open slots in ``window``: each start with the reps free then. Computed per UTC day
    and kept (see ``_DAYS``); the busy times are read on every call."""
    spec = meeting_spec(snap)
    low = max(window.start, now + spec.notice).astimezone(UTC)
    high = min(window.end, now + spec.horizon).astimezone(UTC)
    if low >= high:
        return {}
    if spec.horizon - spec.notice < 2 * _DAY:  # a day's slots would depend on ``now``
        return _slots_now(calendar, snap, reps, now, window, spec)
    first = low.replace(hour=0, minute=0, second=0, microsecond=0)
    days = [first + i * _DAY for i in range((high - first) // _DAY + 1)]
    span = Interval(days[0], days[-1] + _DAY)
    reps_now = [(rep, *_hours(snap, rep), _rep_busy(calendar, rep, span, spec)) for rep in reps]
    out: dict[datetime, frozenset[str]] = {}
    for day in days:
        for start, free in _day_slots(spec, reps_now, day).items():
            if low <= start < high:
                out[start] = free
    return _without_capped(calendar, snap, reps, out, window)


def _without_capped(
    calendar: BusyCalendar,
    snap: RouterSnapshot,
    reps: Sequence[str],
    out: dict[datetime, frozenset[str]],
    window: Interval,
) -> dict[datetime, frozenset[str]]:
    """``out`` with each rep left out of the slots on days they reached a meeting cap
    (counted on every call: the cached day slots know nothing of caps)."""
    for rep in reps:
        mine = [start for start, free in out.items() if rep in free]
        kept = set(_within_caps(calendar, snap, rep, _hours(snap, rep)[1], mine, window))
        for start in mine:
            if start not in kept:
                out[start] = out[start] - {rep}
    return {start: free for start, free in out.items() if free}


def _day_slots(
    spec: MeetingSpec,
    reps: Sequence[tuple[str, Any, str, list[Any], list[Interval]]],
    day: datetime,
) -> dict[datetime, frozenset[str]]:
    """The reps' open slots starting in the UTC day ``day`` (as if asked long enough before
    it that neither notice nor horizon cut it), from the cache when computed before."""
    lo, hi = day - spec.buffer_before, day + _DAY + spec.duration + spec.buffer_after
    inputs = [
        (rep, hours, tz, tuple(vacations), tuple((b.start, b.end) for b in busy
                                                 if b.end > lo and b.start < hi))
        for rep, hours, tz, vacations, busy in reps
    ]  # fmt: skip
    key = (spec, day, tuple(inputs))
    with _DAYS_LOCK:
        found = _DAYS.get(key)
    if found is not None:
        return found
    window = Interval(day, day + _DAY)
    before = day - spec.notice  # a "now" that lets the whole day through notice and horizon
    per_rep = {
        rep: rep_slots(spec, hours, tz, [Interval(a, b) for a, b in busy], vacations,
                       now=before, window=window)
        for rep, hours, tz, vacations, busy in inputs
    }  # fmt: skip
    computed = pool_slots(per_rep)
    with _DAYS_LOCK:
        _DAYS[key] = computed
    return computed


def _slots_now(
    calendar: BusyCalendar,
    snap: RouterSnapshot,
    reps: Sequence[str],
    now: datetime,
    window: Interval,
    spec: MeetingSpec,
) -> dict[datetime, frozenset[str]]:
    per_rep = {}
    for rep in reps:
        hours, tz, vacations = _hours(snap, rep)
        busy = _rep_busy(calendar, rep, window, spec)
        found = rep_slots(spec, hours, tz, busy, vacations, now=now, window=window)
        per_rep[rep] = _within_caps(calendar, snap, rep, tz, found, window)
    return pool_slots(per_rep)


def _within_caps(
    calendar: BusyCalendar,
    snap: RouterSnapshot,
    rep: str,
    tz: str,
    found: list[datetime],
    window: Interval,
) -> list[datetime]:
    """``found`` without the slots on days the rep has reached a meeting cap."""
    caps = caps_of(snap.users.get(rep), snap.spec.caps)
    if caps is None or (caps.meetings_per_day is None and caps.meetings_per_week is None):
        return found
    if not isinstance(calendar, MeetingStarts):
        return found
    lo, hi = local_window(window.start, window.end, tz)
    starts = calendar.meeting_starts(rep, lo, hi)
    zone = ZoneInfo(tz)
    days = {s.astimezone(zone).date() for s in found}
    full = capped_days(starts, caps, tz, days)
    if not full:
        return found
    return [s for s in found if s.astimezone(zone).date() not in full]


def _around(spec: MeetingSpec, start: datetime) -> tuple[datetime, datetime]:
    """The stretch of time whose busy blocks can make ``start`` unbookable."""
    margin = timedelta(
        minutes=spec.duration_minutes + spec.buffer_before_minutes + spec.buffer_after_minutes + 60
    )
    return start - margin - spec.buffer_before, start + margin + spec.duration + spec.buffer_after


def external_busy(
    calendar: BusyCalendar, snap: RouterSnapshot, reps: Sequence[str], start: datetime
) -> Busy:
    """The reps' connected calendars around ``start``, read before a booking takes its lock
    (a calendar server is not ours to lock, and a lock is not held across a network call)."""
    lo, hi = _around(meeting_spec(snap), start)
    return {rep: calendar.external_busy(rep, lo, hi) for rep in reps}


def why_not(
    tx: BookingTransaction,
    external: Busy,
    snap: RouterSnapshot,
    rep: str,
    start: datetime,
    now: datetime,
) -> str | None:
    """None when ``start`` is bookable with ``rep`` right now. Called inside the rep's lock:
    the rep's meetings and busy blocks are read through ``tx`` (its connection, under its
    lock, so no other booking of the rep commits in between: no double booking); ``external``
    is the connected calendar read before the lock."""
    spec = meeting_spec(snap)
    hours, tz, vacations = _hours(snap, rep)
    lo, hi = _around(spec, start)
    found = [*tx.busy_between(rep, lo, hi), *external.get(rep, ())]
    busy = [Interval(a, b) for a, b in found if b > a]
    return is_bookable(start, spec, hours, tz, busy, vacations, now=now) or _capped(
        tx, snap, rep, tz, start
    )


def _capped(
    tx: BookingTransaction, snap: RouterSnapshot, rep: str, tz: str, start: datetime
) -> str | None:
    """Why the rep has no room for one more meeting on ``start``'s day (counted under the
    rep's lock: two bookings cannot both take the last one)."""
    caps = caps_of(snap.users.get(rep), snap.spec.caps)
    if caps is None or (caps.meetings_per_day is None and caps.meetings_per_week is None):
        return None
    lo, hi = local_window(start, start, tz)
    starts = [when for _, when in tx.assigned_between("meetings", [rep], lo, hi)]
    day = start.astimezone(ZoneInfo(tz)).date()
    return "the rep is at a meeting cap that day" if capped_days(starts, caps, tz, [day]) else None


def closed_reason(snap: RouterSnapshot, rep: str, start: datetime, now: datetime) -> str:
    """Why ``start`` is not open with ``rep`` (for a slot that was open a moment ago: taken)."""
    hours, tz, vacations = _hours(snap, rep)
    spec = meeting_spec(snap)
    return is_bookable(start, spec, hours, tz, [], vacations, now=now) or "that time was just taken"
