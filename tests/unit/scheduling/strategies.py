"""Hypothesis strategies for the scheduling properties: random reps near DST changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from leadrail.scheduling import Interval, MeetingSpec, WeeklyHours, rep_slots
from leadrail.scheduling.model import END_OF_DAY, LocalRange

# zones with DST changes at 02:00 (New York), 01:00 UTC (London), half an hour (Lord Howe),
# at midnight (Santiago), and none (UTC, Kolkata at +05:30)
ZONES = (
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/Santiago",
)
# the instants (UTC) at which each zone's clocks change in 2026 (a quiet day for the others)
CHANGES = {
    "UTC": ("2026-06-15T12:00",),
    "Asia/Kolkata": ("2026-06-15T12:00",),
    "America/New_York": ("2026-03-08T07:00", "2026-11-01T06:00"),
    "Europe/London": ("2026-03-29T01:00", "2026-10-25T01:00"),
    "Australia/Lord_Howe": ("2026-04-04T15:00", "2026-10-03T15:30"),
    "America/Santiago": ("2026-04-05T03:00", "2026-09-06T04:00"),
}


@dataclass(frozen=True)
class Rep:
    meeting: MeetingSpec
    hours: WeeklyHours
    tz: str
    busy: tuple[Interval, ...]
    vacations: tuple[tuple[date, date], ...]
    now: datetime

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def everything(self) -> Interval:
        """A window holding every slot the rep can have."""
        return Interval(self.now - timedelta(days=1), self.now + timedelta(days=6))

    def slots(self, window: Interval | None = None) -> list[datetime]:
        return rep_slots(
            self.meeting,
            self.hours,
            self.tz,
            self.busy,
            self.vacations,
            now=self.now,
            window=window or self.everything(),
        )


def _quarter(n: int) -> time:
    return END_OF_DAY if n == 96 else time(n // 4, n % 4 * 15)


@st.composite
def day_ranges(draw: st.DrawFn) -> tuple[LocalRange, ...]:
    ranges = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(0, 95))  # in quarter hours
        end = draw(st.integers(start + 1, 96))
        ranges.append((_quarter(start), _quarter(end)))
    return tuple(ranges)


@st.composite
def night_range(draw: st.DrawFn) -> tuple[LocalRange, ...]:
    """One range starting or ending in the small hours, when clocks change."""
    start = draw(st.integers(0, 14))
    return ((_quarter(start), _quarter(draw(st.integers(start + 1, 16)))),)


weekly_hours = st.one_of(
    st.tuples(*[day_ranges()] * 7).map(WeeklyHours),
    st.tuples(*[night_range()] * 7).map(WeeklyHours),
    st.just(WeeklyHours((((time(0), END_OF_DAY),),) * 7)),
)

meetings = st.builds(
    MeetingSpec,
    duration_minutes=st.sampled_from([15, 30, 45, 60, 90]),
    slot_interval_minutes=st.sampled_from([None, 10, 15, 20, 30, 60]),
    buffer_before_minutes=st.sampled_from([0, 5, 15]),
    buffer_after_minutes=st.sampled_from([0, 10, 30]),
    minimum_notice_minutes=st.sampled_from([0, 30, 120]),
    horizon_days=st.integers(1, 4),
)


@st.composite
def busy_intervals(draw: st.DrawFn, now: datetime) -> tuple[Interval, ...]:
    found = []
    for _ in range(draw(st.integers(0, 20))):
        start = now + timedelta(minutes=draw(st.integers(-600, 5 * 1440)))
        found.append(Interval(start, start + timedelta(minutes=draw(st.integers(1, 240)))))
    return tuple(found)


@st.composite
def reps(draw: st.DrawFn) -> Rep:
    tz = draw(st.sampled_from(ZONES))
    change = datetime.fromisoformat(draw(st.sampled_from(CHANGES[tz]))).replace(tzinfo=UTC)
    now = change - timedelta(minutes=draw(st.integers(0, 1440)))
    today = now.astimezone(ZoneInfo(tz)).date()
    vacations = tuple(
        (today + timedelta(days=first), today + timedelta(days=first + length))
        for first, length in draw(
            st.lists(st.tuples(st.integers(-1, 5), st.integers(0, 2)), max_size=2)
        )
    )
    return Rep(
        meeting=draw(meetings),
        hours=draw(weekly_hours),
        tz=tz,
        busy=draw(busy_intervals(now)),
        vacations=vacations,
        now=now,
    )
