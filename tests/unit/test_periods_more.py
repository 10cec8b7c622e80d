"""Quarterly and yearly resets, and periods that begin at a local hour (``reset_hour``);
checked by Hypothesis: every instant lies in the period that began at ``period_start``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import get_args
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from leadrail.routing.model import ResetPeriod
from leadrail.routing.periods import period_key, period_start

NY = "America/New_York"
ny = ZoneInfo(NY)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_quarterly_and_yearly() -> None:
    now = utc("2026-11-25T15:00")
    assert period_key("quarterly", now, NY) == "2026-Q4"
    assert period_key("yearly", now, NY) == "2026"
    assert period_start("quarterly", now, NY) == datetime(2026, 10, 1, tzinfo=ny)
    assert period_start("yearly", now, NY) == datetime(2026, 1, 1, tzinfo=ny)
    # 2027-01-01 03:00 UTC is still New Year's Eve in New York
    assert period_key("yearly", utc("2027-01-01T03:00"), NY) == "2026"
    assert period_key("quarterly", utc("2026-04-01T04:00"), NY) == "2026-Q2"


def test_a_period_begins_at_the_reset_hour() -> None:
    monday_5am = utc("2026-11-23T10:00")  # 05:00 in New York
    assert period_key("weekly", monday_5am, NY, hour=6) == "2026-W47"  # still last week
    assert period_key("weekly", monday_5am + timedelta(hours=1), NY, hour=6) == "2026-W48"
    assert period_start("weekly", monday_5am + timedelta(hours=1), NY, hour=6) == datetime(
        2026, 11, 23, 6, tzinfo=ny
    )
    assert period_key("daily", utc("2026-11-25T10:59"), NY, hour=6) == "2026-11-24"


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
periods = st.sampled_from([p for p in get_args(ResetPeriod) if p != "none"])
zones = st.sampled_from([NY, "Europe/Paris", "Asia/Tokyo", "America/Santiago", "UTC"])


@settings(max_examples=300, deadline=None)
@given(now=instants, reset=periods, tz=zones, hour=st.integers(min_value=0, max_value=23))
def test_every_instant_is_in_the_period_that_began_at_its_start(
    now: datetime, reset: ResetPeriod, tz: str, hour: int
) -> None:
    start = period_start(reset, now, tz, hour)
    assert start is not None
    assert start <= now
    assert period_key(reset, start, tz, hour) == period_key(reset, now, tz, hour)
    assert period_key(reset, start - timedelta(seconds=1), tz, hour) != period_key(
        reset, now, tz, hour
    )


def test_the_router_setting_is_checked_and_reaches_the_engine() -> None:
    import pydantic
    import pytest

    from leadrail.app.specs import router_spec
    from leadrail.app.workspace import RouterDoc, WorkspaceDoc

    item = {"slug": "inbound", "title": "Inbound", "default": {"user": "ana@acme.test"},
            "reset": "quarterly", "reset_hour": 6}  # fmt: skip
    spec = router_spec(RouterDoc.model_validate(item), WorkspaceDoc(timezone=NY))
    assert (spec.reset, spec.reset_hour) == ("quarterly", 6)
    with pytest.raises(pydantic.ValidationError, match="reset_hour"):
        RouterDoc.model_validate({**item, "reset_hour": 24})
