"""Analytics as plain computations: time ranges and buckets, conversion, distribution accuracy.

Nothing here reads a database: the SQL adapter counts, these functions turn counts into the
numbers the dashboard and the API show, so each can be tested with plain values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from leadrail.app.errors import InvalidInput

Bucket = Literal["day", "week"]
MAX_DAYS = 366
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Range:
    """Whole days ``first``..``last`` (inclusive) in ``tz``, counted per ``bucket``."""

    first: date
    last: date
    bucket: Bucket
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        """The first instant of the range (UTC)."""
        return datetime.combine(self.first, time(0), self.tz).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the range (UTC, exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), self.tz).astimezone(UTC)

    def query(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "bucket": self.bucket}


def _day(value: str | None, name: str) -> date | None:
    if value is None or value.strip() == "":
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"{name} must be a date as YYYY-MM-DD, got {value.strip()[:40]!r}", field=name
        ) from None


def parse_range(
    start: str | None, end: str | None, bucket: str | None, *, today: date, tz: ZoneInfo
) -> Range:
    """The range a request asks for. Missing ends default to the last 30 days up to today;
    ``to`` before ``from`` or more than a year apart is refused, naming the field."""
    last = _day(end, "to") or today
    first = _day(start, "from") or (last - timedelta(days=DEFAULT_DAYS - 1))
    if last < first:
        raise InvalidInput(f"to ({last}) is before from ({first})", field="to")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"the range is longer than {MAX_DAYS} days", field="from")
    kind = (bucket or "day").strip()
    if kind not in ("day", "week"):
        raise InvalidInput("bucket must be 'day' or 'week'", field="bucket")
    return Range(first, last, kind, tz)  # type: ignore[arg-type]


def bucket_start(day: date, bucket: Bucket) -> date:
    """The first day of the bucket holding ``day`` (weeks start on Monday)."""
    return day - timedelta(days=day.weekday()) if bucket == "week" else day


def bucket_keys(r: Range) -> list[date]:
    """Every bucket of the range, in order (a partial first or last week included)."""
    step = timedelta(days=7 if r.bucket == "week" else 1)
    keys, key = [], bucket_start(r.first, r.bucket)
    while key <= r.last:
        keys.append(key)
        key += step
    return keys


def series(moments: Iterable[datetime], r: Range) -> list[tuple[date, int]]:
    """How many of ``moments`` fall in each bucket (local days in the range's timezone);
    moments outside the range are ignored."""
    counts = dict.fromkeys(bucket_keys(r), 0)
    for moment in moments:
        day = moment.astimezone(r.tz).date()
        if r.first <= day <= r.last:
            counts[bucket_start(day, r.bucket)] += 1
    return list(counts.items())


def conversion(converted: int, total: int) -> float | None:
    """``converted / total`` rounded to 4 places; None when there is nothing to divide."""
    return round(converted / total, 4) if total > 0 else None


@dataclass(frozen=True)
class MemberShare:
    user: str
    weight: int
    assigned: int
    actual: float  # share of the pool's decisions this member got (0..1)
    target: float  # weight / sum of weights (0..1)

    @property
    def deviation(self) -> float:
        """actual - target: positive means the member got more than their weight says."""
        return self.actual - self.target


def shares(weights: Mapping[str, int], assigned: Mapping[str, int]) -> list[MemberShare]:
    """Each member's actual share against their weighted target. Assignees no longer in the
    pool are listed with weight 0 (target 0), so the shares still add up to 1."""
    everyone = list(weights) + sorted(u for u in assigned if u not in weights)
    total_weight = sum(max(w, 0) for w in weights.values())
    total = sum(assigned.values())
    return [
        MemberShare(
            user=u,
            weight=weights.get(u, 0),
            assigned=assigned.get(u, 0),
            actual=assigned.get(u, 0) / total if total else 0.0,
            target=max(weights.get(u, 0), 0) / total_weight if total_weight else 0.0,
        )
        for u in everyone
    ]


def largest_deviation(rows: Iterable[MemberShare]) -> MemberShare | None:
    """The member furthest from their target (None for an empty pool)."""
    return max(rows, key=lambda s: abs(s.deviation), default=None)


def neutralise_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: text starting with
    ``= + - @`` (or a tab or carriage return) gets a leading apostrophe. Numbers stay
    numbers (a negative deviation is data, not a formula)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
