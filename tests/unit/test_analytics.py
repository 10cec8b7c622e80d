"""app/analytics.py with plain values: ranges, buckets, conversion, shares, CSV cells."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadrail.app.analytics import (
    Range,
    bucket_keys,
    conversion,
    largest_deviation,
    neutralise_cell,
    parse_range,
    series,
    shares,
)
from leadrail.app.errors import InvalidInput

NY = ZoneInfo("America/New_York")
TODAY = date(2026, 11, 30)


def test_default_range_is_the_last_30_days() -> None:
    r = parse_range(None, None, None, today=TODAY, tz=NY)
    assert (r.first, r.last, r.bucket) == (date(2026, 11, 1), TODAY, "day")
    assert r.start == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # midnight in New York (EDT)
    assert r.end == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # exclusive, after DST ended


@pytest.mark.parametrize(
    ("start", "end", "bucket", "field"),
    [("2026-02-30", None, None, "from"), (None, "tomorrow", None, "to"),
     ("2026-12-02", "2026-12-01", None, "to"), ("2025-01-01", "2026-11-30", None, "from"),
     (None, None, "hour", "bucket")],
)  # fmt: skip
def test_bad_ranges_name_the_field(
    start: str | None, end: str | None, bucket: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_range(start, end, bucket, today=TODAY, tz=NY)
    assert err.value.field == field


def test_weeks_start_on_monday_and_partial_weeks_count() -> None:
    r = Range(date(2026, 11, 26), date(2026, 12, 8), "week", NY)
    assert bucket_keys(r) == [date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7)]


def test_series_buckets_local_days_and_ignores_outside() -> None:
    r = Range(date(2026, 11, 29), date(2026, 11, 30), "day", NY)
    moments = [
        datetime(2026, 11, 30, 3, 0, tzinfo=UTC),  # 22:00 on the 29th in New York
        datetime(2026, 11, 30, 15, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 6, 0, tzinfo=UTC),  # the 1st in New York: outside
    ]
    assert series(moments, r) == [(date(2026, 11, 29), 1), (date(2026, 11, 30), 1)]


def test_conversion() -> None:
    assert conversion(1, 3) == 0.3333
    assert conversion(0, 0) is None
    assert conversion(2, 2) == 1.0


def test_shares_against_weights() -> None:
    rows = shares({"ana": 2, "bo": 1, "cy": 1}, {"ana": 5, "bo": 3, "cy": 2})
    assert [(s.user, s.actual, s.target) for s in rows] == [
        ("ana", 0.5, 0.5), ("bo", 0.3, 0.25), ("cy", 0.2, 0.25)
    ]  # fmt: skip
    worst = largest_deviation(rows)
    assert worst is not None
    assert worst.user == "bo"
    assert worst.deviation == pytest.approx(0.05)


def test_former_members_and_paused_members() -> None:
    rows = shares({"ana": 1, "bo": 0}, {"ana": 1, "gone": 1})
    assert [(s.user, s.weight, s.target, s.actual) for s in rows] == [
        ("ana", 1, 1.0, 0.5), ("bo", 0, 0.0, 0.0), ("gone", 0, 0.0, 0.5)
    ]  # fmt: skip
    assert largest_deviation([]) is None
    assert all(s.actual == 0 for s in shares({"ana": 1}, {}))


members = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 10), min_size=1)
counts = st.dictionaries(st.sampled_from("abcdefghij"), st.integers(0, 1000))


@given(members, counts)
def test_shares_sum_to_one_and_deviation_is_the_max(
    weights: dict[str, int], assigned: dict[str, int]
) -> None:
    rows = shares(weights, assigned)
    if sum(assigned.values()):
        assert sum(s.actual for s in rows) == pytest.approx(1.0)
    if sum(weights.values()):
        assert sum(s.target for s in rows) == pytest.approx(1.0)
    worst = largest_deviation(rows)
    assert worst is not None
    assert abs(worst.deviation) == max(abs(s.actual - s.target) for s in rows)
    assert {s.user for s in rows} == set(weights) | set(assigned)


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("ok", "ok"), (None, ""), (-0.05, "-0.05"), (3, "3")],
)  # fmt: skip
def test_formula_cells_are_neutralised(value: object, cell: str) -> None:
    assert neutralise_cell(value) == cell
