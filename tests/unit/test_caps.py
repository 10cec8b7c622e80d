"""Caps in the routing core: a rep at a cap is passed over, with the cap in the trace; one
order of reasons; a router's caps override a user's field by field; no load, no check."""

from __future__ import annotations

from datetime import timedelta

from leadrail.routing.availability import CapCheck, why_unavailable
from leadrail.routing.engine import route
from leadrail.routing.model import Caps, Load
from leadrail.routing.periods import AwayCheck
from tests.unit.builders import NOW, TZ, away, ctx, prospect, router, user, users

ANA, BO = "ana@acme.test", "bo@acme.test"
TWO_A_DAY = Caps(meetings_per_day=2)


def test_a_rep_at_a_cap_is_passed_over_and_the_trace_says_so() -> None:
    people = users(user(ANA, caps=TWO_A_DAY), BO)
    load = {ANA: Load(meetings_day=2, meetings_week=2)}
    decision = route(router(), prospect(email="x@corp.test"), ctx(people, load=load), NOW)
    assert decision.assignees == (BO,)
    assert f"{ANA} (at cap: 2 of 2 meetings today)" in decision.trace[-1].detail


def test_under_the_cap_the_rotation_is_unchanged() -> None:
    people = users(user(ANA, caps=TWO_A_DAY), BO)
    decision = route(router(), prospect(email="x@corp.test"),
                     ctx(people, load={ANA: Load(meetings_day=1)}), NOW)  # fmt: skip
    assert decision.assignees == (ANA,)


def test_without_counts_caps_are_not_checked() -> None:
    people = users(user(ANA, caps=Caps(meetings_per_day=0)), BO)
    decision = route(router(), prospect(email="x@corp.test"), ctx(people), NOW)
    assert decision.assignees == (ANA,)


def test_the_router_overrides_a_users_caps_field_by_field() -> None:
    people = users(user(ANA, caps=Caps(meetings_per_day=2, leads_per_day=5)), BO)
    load = {ANA: Load(meetings_day=2, leads_day=3)}
    loose = router(caps=Caps(meetings_per_day=10))  # meetings: 10 here; leads: still 5
    decision = route(loose, prospect(email="x@corp.test"), ctx(people, load=load), NOW)
    assert decision.assignees == (ANA,)
    strict = router(caps=Caps(leads_per_day=3))
    decision = route(strict, prospect(email="x@corp.test"), ctx(people, load=load), NOW)
    assert decision.assignees == (BO,)
    assert "at cap: 2 of 2 meetings today" in decision.trace[-1].detail


def test_weekly_cap_and_reason_order() -> None:
    check = CapCheck({ANA: Load(meetings_day=0, meetings_week=5)})
    capped = user(ANA, caps=Caps(meetings_per_day=3, meetings_per_week=5))
    assert why_unavailable(capped, AwayCheck(NOW, TZ), capped=check) == (
        "at cap: 5 of 5 meetings this week")  # fmt: skip
    on_leave = away(ANA, NOW.date(), NOW.date() + timedelta(days=1),
                    caps=Caps(meetings_per_week=5))  # fmt: skip
    assert why_unavailable(on_leave, AwayCheck(NOW, TZ), capped=check) == "on vacation"
    inactive = user(ANA, active=False, caps=Caps(meetings_per_week=5))
    assert why_unavailable(inactive, AwayCheck(NOW, TZ), capped=check) == "inactive"
