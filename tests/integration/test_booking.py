"""Click routers end to end through the use cases, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from leadrail.adapters.db import tables as t
from leadrail.app.apply import apply_workspace
from leadrail.app.booking import book
from leadrail.app.cancel import cancel_meeting
from leadrail.app.links import open_link
from leadrail.app.ports import SlotTaken
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace

NINE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday 09:00 New York


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    container = bootstrap(Settings(database_url=db_url, secret_key="k" * 32, worker=False))
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(container.workspace, booking_workspace())
    yield container
    container.close()


def meetings(c: Container) -> list[t.Meeting]:
    with c.wiring.db.sessions() as s:
        return list(s.scalars(select(t.Meeting).order_by(t.Meeting.created_at)))


def test_link_without_email_asks_for_it_and_counts_the_click(c: Container) -> None:
    view = open_link(
        c.routing, c.calendar, "strict", {"name": "Pat", "utm_source": "hubspot"}, c.clock.now()
    )
    assert view.email == ""
    assert view.prefill == {"name": "Pat", "utm_source": "hubspot"}
    assert view.slots == {}
    with c.wiring.db.sessions() as s:
        click = s.scalars(select(t.Click)).one()
    assert click.utm == {"utm_source": "hubspot"}


def test_strict_link_routes_once_and_shows_that_reps_slots(c: Container) -> None:
    now = c.clock.now()
    view = open_link(c.routing, c.calendar, "strict", {"email": "Pat+q2@Example.test"}, now)
    assert view.found is not None
    rep = view.found.reps[0]
    assert rep == "rep0@acme.test"
    assert min(view.slots) == NINE  # notice is 60 minutes: 09:00 is the first slot
    assert all(reps == frozenset({rep}) for reps in view.slots.values())
    again = open_link(c.routing, c.calendar, "strict", {"email": "pat+q2@example.test"}, now)
    assert again.found is not None
    assert again.found.reps == (rep,)  # a reopened link keeps its rep: no second turn
    assert len(list(c.ledger.decisions("strict"))) == 1


def test_booking_writes_the_meeting_and_the_jobs(c: Container) -> None:
    now = c.clock.now()
    open_link(c.routing, c.calendar, "strict", {"email": "pat@example.test"}, now)
    done = book(
        c.routing,
        c.calendar,
        "strict",
        {"email": "pat@example.test", "name": "Pat"},
        NINE,
        now,
        notes="<b>hi</b>",
    )
    assert done.rep == "rep0@acme.test"
    assert done.end - done.start == timedelta(minutes=30)
    assert done.redirect_url == "https://example.test/thanks?src=lr"
    (m,) = meetings(c)
    assert (m.rep, m.start, m.email, m.notes) == (
        "rep0@acme.test",
        NINE,
        "pat@example.test",
        "<b>hi</b>",
    )
    assert m.guests == ["guest@partner.test"]
    jobs = c.outbox.jobs()
    assert sorted(j["kind"] for j in jobs) == ["calendar_put", "invite"]


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        (NINE - timedelta(days=1), "that time is in the past"),
        (NINE + timedelta(minutes=7), "that time is not on the booking grid"),
        (NINE - timedelta(hours=3), "that time is in the past"),
        (NINE + timedelta(hours=9), "that time is outside working hours"),
        (datetime(2026, 11, 30, 13, 30, tzinfo=UTC), "that time needs at least 1 hour's notice"),
        (NINE + timedelta(days=20), "that time is beyond the booking horizon"),
    ],
)
def test_bad_slots_are_refused_and_nothing_is_booked(
    c: Container, start: datetime, reason: str
) -> None:
    with pytest.raises(SlotTaken) as err:
        book(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, start, c.clock.now())
    assert err.value.reason == reason
    assert meetings(c) == []
    assert c.outbox.jobs() == []


def test_a_booking_never_lands_in_busy_time(c: Container) -> None:
    with c.wiring.db.sessions() as s, s.begin():
        s.add(
            t.BusyBlock(
                user_email="rep0@acme.test",
                start=NINE,
                end=NINE + timedelta(hours=1),
                summary="dentist",
            )
        )
    view = open_link(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, c.clock.now())
    assert NINE not in view.slots
    assert NINE + timedelta(minutes=30) not in view.slots
    assert NINE + timedelta(hours=1) in view.slots
    with pytest.raises(SlotTaken, match="just taken"):
        book(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, NINE, c.clock.now())


def test_last_slot_race_has_exactly_one_winner(c: Container) -> None:
    now = c.clock.now()

    def attempt(i: int) -> str:
        try:
            book(c.routing, c.calendar, "solo", {"email": f"p{i}@example.test"}, NINE, now)
        except SlotTaken as taken:
            return taken.reason
        return "booked"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(8)))
    assert results.count("booked") == 1
    assert set(results) == {"booked", "that time was just taken"}
    assert len(meetings(c)) == 1


def test_flexible_pool_picks_among_free_members_at_booking(c: Container) -> None:
    now = c.clock.now()
    view = open_link(c.routing, c.calendar, "flexible", {"email": "a@example.test"}, now)
    assert view.slots[NINE] == frozenset({"rep0@acme.test", "rep1@acme.test", "rep2@acme.test"})
    assert list(c.ledger.decisions("flexible")) == []  # no turn taken by looking
    with c.wiring.db.sessions() as s, s.begin():  # rep0 is busy at nine
        s.add(
            t.BusyBlock(user_email="rep0@acme.test", start=NINE, end=NINE + timedelta(minutes=30))
        )
    first = book(c.routing, c.calendar, "flexible", {"email": "a@example.test"}, NINE, now)
    second = book(c.routing, c.calendar, "flexible", {"email": "b@example.test"}, NINE, now)
    assert {first.rep, second.rep} == {"rep1@acme.test", "rep2@acme.test"}
    with pytest.raises(SlotTaken):
        book(c.routing, c.calendar, "flexible", {"email": "c@example.test"}, NINE, now)
    decisions = list(c.ledger.decisions("flexible"))
    assert len(decisions) == 2  # the refused booking left no decision behind
    assert all(d.via == "rotation" for d in decisions)


def test_flexible_race_for_the_last_free_rep(c: Container) -> None:
    now = c.clock.now()
    with c.wiring.db.sessions() as s, s.begin():
        for rep in ("rep0@acme.test", "rep1@acme.test"):
            s.add(t.BusyBlock(user_email=rep, start=NINE, end=NINE + timedelta(minutes=30)))

    def attempt(i: int) -> str:
        try:
            return book(c.routing, c.calendar, "flexible", {"email": f"p{i}@x.test"}, NINE, now).rep
        except SlotTaken as taken:
            return taken.reason

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(attempt, range(6)))
    assert results.count("rep2@acme.test") == 1
    assert len(meetings(c)) == 1
    assert len(list(c.ledger.decisions("flexible"))) == 1


def test_cancel_frees_the_slot_and_tells_everyone(c: Container) -> None:
    now = c.clock.now()
    done = book(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, NINE, now)
    assert cancel_meeting(c.routing, done.meeting_id, now) is True
    assert cancel_meeting(c.routing, done.meeting_id, now) is False
    kinds = sorted(j["kind"] for j in c.outbox.jobs())
    assert kinds == ["calendar_delete", "calendar_put", "invite", "invite"]
    again = book(c.routing, c.calendar, "solo", {"email": "sam@example.test"}, NINE, now)
    assert again.rep == "rep0@acme.test"


def test_vacation_hides_the_days(c: Container) -> None:
    doc = booking_workspace()
    doc["users"][0]["vacations"] = [{"from": "2026-12-01", "to": "2026-12-02"}]
    apply_workspace(c.workspace, doc)
    view = open_link(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, c.clock.now())
    days = {s.astimezone(ZoneInfo("America/New_York")).day for s in view.slots}
    assert {30, 3} <= days
    assert not days & {1, 2}


def test_a_rep_on_vacation_today_is_skipped_by_strict_routing(c: Container) -> None:
    doc = booking_workspace()
    doc["users"][0]["vacations"] = [{"from": "2026-11-30", "to": "2026-12-01"}]
    apply_workspace(c.workspace, doc)
    view = open_link(c.routing, c.calendar, "strict", {"email": "pat@example.test"}, c.clock.now())
    assert view.found is not None
    assert view.found.reps == ("rep1@acme.test",)


def test_ownership_sends_the_prospect_to_the_owners_calendar(c: Container) -> None:
    doc = booking_workspace(ownership={"enabled": True}, strip_emails=True)
    doc["users"][2]["crm_owner_id"] = "OWN-2"
    doc["crm"] = {"contacts": [{"email": "cto@bigco.test", "owner": "OWN-2"}]}
    apply_workspace(c.workspace, doc)
    view = open_link(
        c.routing, c.calendar, "strict", {"email": "CTO+news@BigCo.test"}, c.clock.now()
    )
    assert view.email == "cto@bigco.test"  # strip_emails
    assert view.found is not None
    assert view.found.reps == ("rep2@acme.test",)
    assert view.found.decision.decision.via == "owner"
    done = book(c.routing, c.calendar, "strict", {"email": "cto@bigco.test"}, NINE, c.clock.now())
    assert done.rep == "rep2@acme.test"


def test_notes_are_kept_only_when_the_router_displays_them(c: Container) -> None:
    apply_workspace(c.workspace, booking_workspace(display_notes=False))
    book(
        c.routing,
        c.calendar,
        "solo",
        {"email": "pat@example.test"},
        NINE,
        c.clock.now(),
        notes="please call first",
    )
    (m,) = meetings(c)
    assert m.notes == ""


def test_the_meeting_points_at_the_decision_that_chose_the_rep(c: Container) -> None:
    now = c.clock.now()
    view = open_link(c.routing, c.calendar, "strict", {"email": "pat@example.test"}, now)
    assert view.found is not None
    (decision,) = c.ledger.decisions("strict")
    assert view.found.decision_id == decision.id
    done = book(c.routing, c.calendar, "strict", {"email": "pat@example.test"}, NINE, now)
    assert done.decision_id == decision.id  # the reopened link's decision, not a new one
    (m,) = meetings(c)
    assert m.decision_id == decision.id


def test_inactive_members_are_not_offered(c: Container) -> None:
    doc = booking_workspace()
    doc["users"][0]["active"] = False
    apply_workspace(c.workspace, doc)
    view = open_link(c.routing, c.calendar, "flexible", {"email": "a@example.test"}, c.clock.now())
    assert view.slots[NINE] == frozenset({"rep1@acme.test", "rep2@acme.test"})
