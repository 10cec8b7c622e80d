"""Caps: counting what each capped rep already has, for the routing core to decide (see
``routing.availability.CapCheck``), and the booking page's capped days.

- Meetings count by their start, on the rep's local day and ISO week (Monday first), across
  every router; cancelled meetings do not count.
- Form leads count by their decision's time, on the rep's local day (``source="lead"``).
- Only reps with a cap (theirs or the router's override) are counted: a workspace without
  caps costs no query."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Literal, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from leadrail.routing.model import Caps, Load, UserInfo

Kind = Literal["meetings", "leads"]


class CountSource(Protocol):
    def assigned_between(
        self, kind: Kind, reps: Sequence[str], start: datetime, end: datetime
    ) -> list[tuple[str, datetime]]:
        """(rep, when) of each booked meeting starting, or form lead given, in [start, end)."""
        ...


@runtime_checkable
class MeetingStarts(Protocol):
    def meeting_starts(self, rep: str, start: datetime, end: datetime) -> list[datetime]:
        """Starts of the rep's booked meetings in [start, end)."""
        ...


def caps_of(info: UserInfo | None, router: Caps | None) -> Caps | None:
    base = info.caps if info else None
    return router.over(base) if router else base


def _day(when: datetime, tz: str) -> date:
    return when.astimezone(ZoneInfo(tz)).date()


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def loads(
    source: CountSource,
    users: Mapping[str, UserInfo],
    router: Caps | None,
    kind: Kind,
    now: datetime,
) -> Mapping[str, Load] | None:
    """The load of each capped user (None: nobody is capped, nothing was counted)."""
    capped = [u for u, info in users.items() if caps_of(info, router) is not None]
    if not capped:
        return None
    rows = source.assigned_between(kind, capped, now - timedelta(days=8), now + timedelta(days=8))
    by_rep: dict[str, list[datetime]] = {}
    for rep, when in rows:
        by_rep.setdefault(rep, []).append(when)
    out: dict[str, Load] = {}
    for rep in capped:
        tz = users[rep].timezone
        today = _day(now, tz)
        days = [_day(w, tz) for w in by_rep.get(rep, ())]
        on_day = sum(1 for d in days if d == today)
        if kind == "leads":
            out[rep] = Load(leads_day=on_day)
        else:
            week = sum(1 for d in days if _week(d) == _week(today))
            out[rep] = Load(meetings_day=on_day, meetings_week=week)
    return out


def capped_days(starts: Iterable[datetime], caps: Caps, tz: str, days: Iterable[date]) -> set[date]:
    """The local days (of ``days``) on which the rep has no room for one more meeting."""
    per_day: dict[date, int] = {}
    for s in starts:
        d = _day(s, tz)
        per_day[d] = per_day.get(d, 0) + 1
    per_week: dict[date, int] = {}
    for d, n in per_day.items():
        per_week[_week(d)] = per_week.get(_week(d), 0) + n
    full = set()
    for d in days:
        day_cap, week_cap = caps.meetings_per_day, caps.meetings_per_week
        if (day_cap is not None and per_day.get(d, 0) >= day_cap) or (
            week_cap is not None and per_week.get(_week(d), 0) >= week_cap
        ):
            full.add(d)
    return full


def local_window(start: datetime, end: datetime, tz: str) -> tuple[datetime, datetime]:
    """[start of the first local week, end of the last local week] around a window."""
    zone = ZoneInfo(tz)
    first = _week(_day(start, tz))
    last = _week(_day(end, tz)) + timedelta(days=7)
    return (
        datetime.combine(first, time(), tzinfo=zone),
        datetime.combine(last, time(), tzinfo=zone),
    )
