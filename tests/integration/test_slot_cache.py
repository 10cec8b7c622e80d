"""Open slots are kept per day between requests: a booking, a cancellation, a busy block, a
connected calendar's busy time and a workspace change each show on the very next request, and
the cached answer is the one computed afresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from leadrail.adapters.db import tables as t
from leadrail.app import slots as slots_module
from leadrail.app.apply import apply_workspace
from leadrail.app.booking import book
from leadrail.app.cancel import cancel_meeting
from leadrail.app.links import open_link
from leadrail.app.route import snapshot_or_404
from leadrail.app.slots import slots
from leadrail.bootstrap import Container, bootstrap
from leadrail.scheduling.model import Interval
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace

NINE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday 09:00 New York
PAT = {"email": "pat@example.test"}


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    container = bootstrap(Settings(database_url=db_url, secret_key="k" * 32, worker=False))
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(container.workspace, booking_workspace())
    yield container
    container.close()


def open_slots(
    c: Container, router: str = "solo", prospect: dict[str, str] = PAT
) -> dict[datetime, frozenset[str]]:
    return dict(open_link(c.routing, c.calendar, router, prospect, c.clock.now()).slots)


def afresh(
    c: Container, router: str = "solo", prospect: dict[str, str] = PAT
) -> dict[datetime, frozenset[str]]:
    slots_module._DAYS.clear()
    return open_slots(c, router, prospect)


def test_a_booking_and_its_cancellation_show_at_once(c: Container) -> None:
    assert NINE in open_slots(c)  # now kept
    done = book(c.routing, c.calendar, "solo", PAT, NINE, c.clock.now())
    after = open_slots(c)
    assert NINE not in after
    assert after == afresh(c)
    cancel_meeting(c.routing, done.meeting_id, c.clock.now())
    assert NINE in open_slots(c)


def test_a_busy_block_shows_at_once(c: Container) -> None:
    assert NINE in open_slots(c)
    with c.wiring.db.sessions() as s, s.begin():
        s.add(t.BusyBlock(user_email="rep0@acme.test", start=NINE, end=NINE + timedelta(hours=1)))
    after = open_slots(c)
    assert NINE not in after
    assert NINE + timedelta(hours=1) in after
    assert after == afresh(c)


def test_a_workspace_change_shows_at_once(c: Container) -> None:
    assert NINE in open_slots(c)
    doc = booking_workspace()
    doc["users"][0]["working_hours"] = {"mon-fri": "10:00-17:00"}
    apply_workspace(c.workspace, doc)
    after = open_slots(c)
    assert NINE not in after
    assert NINE + timedelta(hours=1) in after
    assert after == afresh(c)


def test_a_flexible_pools_slots_follow_each_reps_bookings(c: Container) -> None:
    before = open_slots(c, "flexible")
    assert before[NINE] == {"rep0@acme.test", "rep1@acme.test", "rep2@acme.test"}
    done = book(c.routing, c.calendar, "flexible", PAT, NINE, c.clock.now())
    sam = {"email": "sam@example.test"}  # (Pat is now remembered with one rep)
    after = open_slots(c, "flexible", sam)
    assert after[NINE] == before[NINE] - {done.rep}
    assert after == afresh(c, "flexible", sam)


class Calendar:
    """A connected calendar whose busy time the test changes."""

    def __init__(self) -> None:
        self.blocks: list[tuple[datetime, datetime]] = []

    def busy(self, rep: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        return [(a, b) for a, b in self.blocks if b > start and a < end]

    def external_busy(
        self, rep: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        return self.busy(rep, start, end)


def test_a_connected_calendars_busy_time_shows_at_once(c: Container) -> None:
    snap = snapshot_or_404(c.routing, "solo")
    now = c.clock.now()
    window = Interval(now, now + timedelta(days=7))
    calendar = Calendar()
    assert NINE in slots(calendar, snap, ["rep0@acme.test"], now, window)
    calendar.blocks.append((NINE - timedelta(minutes=10), NINE + timedelta(minutes=5)))
    assert NINE not in slots(calendar, snap, ["rep0@acme.test"], now, window)
    calendar.blocks.clear()
    assert NINE in slots(calendar, snap, ["rep0@acme.test"], now, window)


def test_later_in_the_day_notice_still_applies(c: Container) -> None:
    """The day's slots are kept; the minimum notice (60 min) is applied to each request."""
    assert NINE in open_slots(c)
    c.clock.current = NINE - timedelta(minutes=30)  # type: ignore[attr-defined]
    after = open_slots(c)
    assert NINE not in after
    assert NINE + timedelta(minutes=30) in after
    assert after == afresh(c)


def test_the_page_shows_a_booked_time_no_more(c: Container) -> None:
    """The page's list of times is kept too (the same times in one zone make the same HTML)."""
    client = TestClient(create_app(c.settings, container=c))
    value = 'value="2026-11-30T14:00:00Z"'
    assert value in client.get("/c/solo", params={"email": "sam@example.test"}).text
    assert value in client.get("/c/solo", params={"email": "kim@example.test"}).text
    book(c.routing, c.calendar, "solo", PAT, NINE, c.clock.now())
    page = client.get("/c/solo", params={"email": "sam@example.test"}).text
    assert value not in page
    assert 'value="2026-11-30T14:30:00Z"' in page
