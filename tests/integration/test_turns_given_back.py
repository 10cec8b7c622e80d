"""Turns given back: with ``give_back_turn_on: [cancel]`` a cancelled meeting returns its
rep's rotation turn (the next decision goes to them and its trace says why); without it the
rotation moves on; a no-show does the same with ``no_show``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leadrail.app.apply import apply_workspace
from leadrail.app.booking import book
from leadrail.app.cancel import cancel_meeting
from leadrail.app.links import open_link
from leadrail.app.turns import give_back
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace

NINE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday 09:00 New York
REP0, REP1, REP2 = (f"rep{i}@acme.test" for i in range(3))


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    container = bootstrap(Settings(database_url=db_url, secret_key="k" * 32, worker=False))
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    yield container
    container.close()


def _rep(c: Container, email: str) -> str:
    view = open_link(c.routing, c.calendar, "strict", {"email": email}, c.clock.now())
    assert view.found is not None
    return view.found.reps[0]


def _setup(c: Container, **router: Any) -> str:
    apply_workspace(c.workspace, booking_workspace(**router))
    assert _rep(c, "a@x.test") == REP0
    done = book(c.routing, c.calendar, "strict", {"email": "a@x.test"}, NINE, c.clock.now())
    assert _rep(c, "b@x.test") == REP1
    return done.meeting_id


def test_a_cancelled_meeting_gives_the_turn_back(c: Container) -> None:
    meeting = _setup(c, give_back_turn_on=["cancel"])
    cancel_meeting(c.routing, meeting, c.clock.now())
    assert _rep(c, "c@x.test") == REP0  # rep0's turn came back
    latest = next(iter(c.ledger.decisions("strict")))
    details = [s.detail for s in latest.trace]
    assert any(f"{REP0} got a turn back (meeting cancelled)" in d for d in details), details
    assert _rep(c, "d@x.test") == REP2  # then the rotation goes on


def test_without_the_setting_the_rotation_moves_on(c: Container) -> None:
    meeting = _setup(c)
    cancel_meeting(c.routing, meeting, c.clock.now())
    assert _rep(c, "c@x.test") == REP2


def test_a_no_show_gives_the_turn_back_only_when_asked(c: Container) -> None:
    meeting = _setup(c, give_back_turn_on=["no_show"])
    later = c.clock.now() + timedelta(days=1)
    row = c.routing.meeting(meeting)
    assert row is not None
    assert c.audit.set_no_show(meeting, True, later)
    assert give_back(c.routing, row, "cancel", later) is None  # not asked for cancels
    assert give_back(c.routing, row, "no_show", later) == REP0
    assert _rep(c, "c@x.test") == REP0
