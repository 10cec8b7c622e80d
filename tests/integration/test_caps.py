"""Caps counted from the database (SQLite and PostgreSQL): a rep's capped day has no slots
on the booking page, a rep at a meeting cap or a form-lead cap is passed over by routing
with the reason in the trace, cancelled meetings give the room back, a router's override."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from leadrail.app.apply import apply_workspace
from leadrail.app.booking import book
from leadrail.app.cancel import cancel_meeting
from leadrail.app.links import open_link
from leadrail.app.ports import SlotTaken
from leadrail.app.route import route_prospect
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace

NINE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday 09:00 New York
NY = ZoneInfo("America/New_York")
REP0 = "rep0@acme.test"


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    container = bootstrap(Settings(database_url=db_url, secret_key="k" * 32, worker=False))
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    yield container
    container.close()


def _apply(c: Container, user_caps: dict[str, Any], **router: Any) -> None:
    doc = booking_workspace(**router)
    doc["users"][0]["caps"] = user_caps
    apply_workspace(c.workspace, doc)


def _days(c: Container, slug: str = "solo") -> set[int]:
    view = open_link(c.routing, c.calendar, slug, {"email": "p@x.test"}, c.clock.now())
    return {s.astimezone(NY).day for s in view.slots}


def test_a_capped_day_has_no_slots_and_a_cancel_gives_the_room_back(c: Container) -> None:
    _apply(c, {"meetings_per_day": 1})
    now = c.clock.now()
    assert 30 in _days(c)
    done = book(c.routing, c.calendar, "solo", {"email": "a@x.test"}, NINE, now)
    days = _days(c)
    assert 30 not in days  # Monday is full for rep0
    assert 1 in days
    cancel_meeting(c.routing, done.meeting_id, now)
    assert 30 in _days(c)


def test_a_weekly_cap_closes_the_rest_of_the_week(c: Container) -> None:
    _apply(c, {"meetings_per_week": 2})
    now = c.clock.now()
    book(c.routing, c.calendar, "solo", {"email": "a@x.test"}, NINE, now)
    book(c.routing, c.calendar, "solo", {"email": "b@x.test"}, NINE + timedelta(days=1), now)
    assert not _days(c) & {30, 1, 2, 3, 4}  # this week is full
    other = open_link(c.routing, c.calendar, "strict", {"email": "z@x.test"}, c.clock.now())
    assert other.found is not None
    assert other.found.reps != (REP0,)  # and strict routing passes rep0 over


def test_a_rep_at_the_meeting_cap_is_passed_over_by_routing(c: Container) -> None:
    _apply(c, {"meetings_per_day": 1})
    now = c.clock.now()
    book(c.routing, c.calendar, "solo", {"email": "a@x.test"}, NINE, now)
    rec = route_prospect(c.routing, "strict", {"email": "lee@x.test"}, now, dry_run=True)
    assert rec.decision.assignees != (REP0,)
    assert f"{REP0} (at cap: 1 of 1 meetings today)" in rec.decision.trace[-1].detail


def test_form_leads_per_day_and_the_router_override(c: Container) -> None:
    _apply(c, {"leads_per_day": 1}, default={"user": REP0})
    now = c.clock.now()
    first = route_prospect(c.routing, "solo", {"email": "a@x.test"}, now, source="lead")
    assert first.decision.assignees == (REP0,)
    second = route_prospect(c.routing, "solo", {"email": "b@x.test"}, now, source="lead")
    assert second.decision.assignees == ()
    details = " | ".join(step.detail for step in second.decision.trace)
    assert f"user {REP0}: is at cap: 1 of 1 form leads today" in details
    # a click is not a form lead: the leads cap does not count it
    click = route_prospect(c.routing, "solo", {"email": "c@x.test"}, now, dry_run=True)
    assert click.decision.assignees == (REP0,)
    # the router lets rep0 take three form leads a day
    _apply(c, {"leads_per_day": 1}, default={"user": REP0}, caps={"leads_per_day": 3})
    third = route_prospect(c.routing, "solo", {"email": "d@x.test"}, now, source="lead")
    assert third.decision.assignees == (REP0,)


def test_a_booking_on_a_capped_day_is_refused_even_through_the_api(c: Container) -> None:
    _apply(c, {"meetings_per_day": 1})
    now = c.clock.now()
    book(c.routing, c.calendar, "solo", {"email": "a@x.test"}, NINE + timedelta(days=1), now)
    with pytest.raises(SlotTaken, match="meeting cap"):
        book(c.routing, c.calendar, "solo", {"email": "b@x.test"},
             NINE + timedelta(days=1, hours=2), now)  # fmt: skip
