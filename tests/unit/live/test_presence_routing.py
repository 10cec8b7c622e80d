"""Live routing in the core: users known to be offline are passed over everywhere."""

from __future__ import annotations

from leadrail.routing.engine import route
from leadrail.routing.model import Destination, OwnershipSpec
from tests.unit.builders import NOW, ctx, pick, pool, prospect, record, router, user, users

ANA, BO, CY = "ana@acme.test", "bo@acme.test", "cy@acme.test"


def test_pool_skips_offline_members_and_says_so() -> None:
    people = users(user(ANA, online=False), user(BO, online=True))
    choice = pick(pool(ANA, BO), ctx(people))
    assert choice.assignee == BO
    assert "ana@acme.test (offline)" in choice.trace[-1].detail


def test_unknown_presence_counts_as_online() -> None:
    choice = pick(pool(ANA), ctx(users(user(ANA))))
    assert choice.assignee == ANA


def test_broadcast_keeps_only_online_users() -> None:
    spec = router(default=Destination(kind="broadcast", users=(ANA, BO, CY)))
    people = users(user(ANA, online=True), user(BO, online=False), user(CY))
    decision = route(spec, prospect(email="x@y.test"), ctx(people), NOW)
    assert decision.assignees == (ANA, CY)
    assert "bo@acme.test (offline)" in decision.trace[-1].detail


def test_offline_owner_falls_back_to_the_online_group() -> None:
    spec = router(
        default=Destination(kind="broadcast", users=(BO,)),
        ownership=OwnershipSpec(enabled=True),
    )
    people = users(user(ANA, crm_owner_id="OWN-1", online=False), user(BO, online=True))
    records = (record("contact", "x@y.test", "OWN-1"),)
    decision = route(spec, prospect(email="x@y.test"), ctx(people, crm=records), NOW)
    assert decision.assignees == (BO,)
    assert decision.via == "broadcast"
    people = users(user(ANA, crm_owner_id="OWN-1", online=True), user(BO, online=True))
    decision = route(spec, prospect(email="x@y.test"), ctx(people, crm=records), NOW)
    assert decision.assignees == (ANA,)
    assert decision.via == "owner"


def test_a_single_user_route_offline_finds_nobody() -> None:
    spec = router(default=Destination(kind="user", users=(ANA,)))
    decision = route(spec, prospect(email="x@y.test"), ctx(users(user(ANA, online=False))), NOW)
    assert decision.assignees == ()
    assert decision.via == "none"
