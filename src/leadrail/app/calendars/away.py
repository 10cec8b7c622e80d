"""Out-of-office time from a rep's cloud calendar, as the days routing counts as vacation:
a local day (in the rep's zone) with at least ``MIN_HOURS`` out of office."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from leadrail.routing.model import Vacation

MIN_HOURS = 8.0


def away_days(
    intervals: Sequence[tuple[datetime, datetime]], tz: str, min_hours: float = MIN_HOURS
) -> tuple[Vacation, ...]:
    """The days with at least ``min_hours`` out of office, merged into runs of days."""
    zone = ZoneInfo(tz)
    hours: dict[date, float] = {}
    for start, end in intervals:
        local, stop = start.astimezone(zone), end.astimezone(zone)
        day = local.date()
        while datetime.combine(day, time(), tzinfo=zone) < stop:
            lo = max(local, datetime.combine(day, time(), tzinfo=zone))
            hi = min(stop, datetime.combine(day + timedelta(days=1), time(), tzinfo=zone))
            hours[day] = hours.get(day, 0.0) + max(0.0, (hi - lo).total_seconds() / 3600)
            day += timedelta(days=1)
    days = sorted(d for d, h in hours.items() if h >= min_hours)
    runs: list[Vacation] = []
    for d in days:
        if runs and runs[-1].end + timedelta(days=1) == d:
            runs[-1] = Vacation(runs[-1].start, d)
        else:
            runs.append(Vacation(d, d))
    return tuple(runs)
