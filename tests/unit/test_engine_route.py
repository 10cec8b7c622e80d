from __future__ import annotations

from datetime import datetime

import pytest

from leadrail.routing.conditions import Not
from leadrail.routing.engine import route
from leadrail.routing.model import Decision, Destination, OwnershipSpec, PoolState
from tests.unit.builders import (
    ALWAYS,
    NOW,
    away,
    ctx,
    leaf,
    pool,
    prospect,
    record,
    router,
    rule,
    to_pool,
    user,
    users,
)

ANA, BO, CY, DI = "ana@acme.test", "bo@acme.test", "cy@acme.test", "di@acme.test"
TODAY = NOW.date()
TEAM = users(user(ANA, crm_owner_id="OWN-1"), BO, CY, DI)
TARGETS = leaf("domain", "in_list", "target-accounts")
ENTERPRISE = rule("Target accounts", TARGETS, to_pool(pool(CY, DI, key="q2/Target accounts")))
BIGCO = prospect(email="cto@bigco.test", employee_count=12)
SMALL = prospect(email="founder@startup.test")
OWNED = (record("contact", "cto@bigco.test", "OWN-1"),)


def details(decision: Decision) -> list[str]:
    return [step.detail for step in decision.trace]


def test_first_matching_rule_wins_and_the_trace_reads_well() -> None:
    big = rule("Big", leaf("employee_count", "greater_than", 500), Destination("user", users=(BO,)))
    spec = router(big, ENTERPRISE, rule("Everyone", ALWAYS, Destination("user", users=(ANA,))))
    decision = route(spec, BIGCO, ctx(TEAM), NOW)
    assert decision.assignees == (CY,)
    assert (decision.rule, decision.via, decision.decided_at) == (
        "Target accounts",
        "rotation",
        NOW,
    )
    assert decision.pool_key == "q2/Target accounts"
    assert decision.pool_state == PoolState("all", {CY: -1, DI: 1})
    assert details(decision) == [
        "rule 'Big' did not match: employee_count '12' is not greater than 500",
        "rule 'Target accounts' matched: domain 'bigco.test' is in list 'target-accounts'",
        "pool SDR: 2 of 2 members eligible",
        "pool SDR: cy@acme.test is due next by its weighted share (deficit 0.5)",
    ]


def test_no_rule_matches_so_the_default_route_applies() -> None:
    decision = route(router(ENTERPRISE), SMALL, ctx(TEAM), NOW)
    assert (decision.assignee, decision.rule, decision.pool_key) == (ANA, "default", "q2/default")
    assert details(decision)[:2] == [
        "rule 'Target accounts' did not match: domain 'startup.test' is not in list "
        "'target-accounts'",
        "no rule matched: the default route applies",
    ]


def test_router_ownership_comes_before_the_rules() -> None:
    spec = router(ENTERPRISE, ownership=OwnershipSpec(enabled=True))
    decision = route(spec, BIGCO, ctx(TEAM, crm=OWNED), NOW)
    assert (decision.assignees, decision.rule, decision.via) == ((ANA,), None, "owner")
    assert decision.owner_record == OWNED[0]
    assert details(decision) == [
        "contact cto@bigco.test is owned by ana@acme.test (OWN-1): assigned"
    ]


def test_router_ownership_without_an_available_owner_lets_the_rules_decide() -> None:
    people = users(away(ANA, TODAY, TODAY, crm_owner_id="OWN-1"), BO, CY, DI)
    spec = router(ENTERPRISE, ownership=OwnershipSpec(enabled=True))
    decision = route(spec, BIGCO, ctx(people, crm=OWNED), NOW)
    assert (decision.assignee, decision.rule, decision.via) == (CY, "Target accounts", "rotation")
    assert details(decision)[:2] == [
        "owner ana@acme.test (OWN-1) of contact cto@bigco.test is on vacation",
        "no CRM record has an available owner",
    ]


def test_offline_owners_are_passed_over() -> None:
    people = users(user(ANA, crm_owner_id="OWN-1", online=False), BO, CY, DI)
    spec = router(ENTERPRISE, ownership=OwnershipSpec(enabled=True))
    decision = route(spec, BIGCO, ctx(people, crm=OWNED), NOW)
    assert decision.via == "rotation"
    assert (
        details(decision)[0] == "owner ana@acme.test (OWN-1) of contact cto@bigco.test is offline"
    )


def test_per_rule_ownership_is_checked_when_the_rule_matches() -> None:
    owned_rule = rule(
        "Target accounts", TARGETS, to_pool(pool(CY, DI)), OwnershipSpec(enabled=True)
    )
    decision = route(router(owned_rule), BIGCO, ctx(TEAM, crm=OWNED), NOW)
    assert (decision.assignee, decision.rule, decision.via) == (ANA, "Target accounts", "owner")
    no_owner = route(router(owned_rule), BIGCO, ctx(TEAM), NOW)
    assert (no_owner.assignee, no_owner.rule, no_owner.via) == (CY, "Target accounts", "rotation")
    other = route(router(owned_rule), SMALL, ctx(TEAM, crm=OWNED), NOW)
    assert (other.assignee, other.rule) == (ANA, "default")  # the default pool's first member
    assert other.via == "rotation"


def test_user_destination() -> None:
    spec = router(rule("To Bo", ALWAYS, Destination("user", users=(BO,))))
    decision = route(spec, SMALL, ctx(TEAM), NOW)
    assert (decision.assignees, decision.via, decision.rule) == ((BO,), "user", "To Bo")
    assert details(decision)[-1] == "user bo@acme.test: assigned"


def test_unavailable_user_falls_back_to_the_default_destination() -> None:
    people = users(ANA, away(BO, TODAY, TODAY))
    spec = router(rule("To Bo", ALWAYS, Destination("user", users=(BO,))))
    decision = route(spec, SMALL, ctx(people), NOW)
    assert (decision.assignee, decision.rule, decision.via) == (ANA, "To Bo", "rotation")
    assert details(decision) == [
        "rule 'To Bo' matched: every prospect matches",
        "user bo@acme.test: is on vacation",
        "rule 'To Bo' found nobody available: using the default route",
        "pool SDR: 1 of 2 members eligible",
        "pool SDR: ana@acme.test is due next by its weighted share (deficit 0.5); "
        "skipped bo@acme.test (on vacation)",
    ]


def test_broadcast_goes_to_every_available_user() -> None:
    people = users(ANA, away(BO, TODAY, TODAY), user(CY, active=False), DI)
    spec = router(rule("Live", ALWAYS, Destination("broadcast", users=(ANA, BO, CY, DI))))
    decision = route(spec, SMALL, ctx(people), NOW)
    assert (decision.assignees, decision.via) == ((ANA, DI), "broadcast")
    assert details(decision)[-1] == (
        "broadcast to ana@acme.test, di@acme.test; "
        "skipped bo@acme.test (on vacation), cy@acme.test (inactive)"
    )


def test_category_destination() -> None:
    spec = router(rule("Service", ALWAYS, Destination("category", category="Service")))
    decision = route(spec, SMALL, ctx(TEAM), NOW)
    assert (decision.assignees, decision.via, decision.category) == ((), "category", "Service")
    assert details(decision)[-1] == "category 'Service': sent to the category's lead addresses"


def test_empty_rule_pool_falls_back_to_the_default_pool() -> None:
    people = users(ANA, BO, away(CY, TODAY, TODAY), user(DI, active=False))
    decision = route(router(ENTERPRISE), BIGCO, ctx(people), NOW)
    assert (decision.assignee, decision.rule, decision.pool_key) == (
        ANA,
        "Target accounts",
        "q2/default",
    )
    assert details(decision)[1:4] == [
        "pool SDR: 0 of 2 members eligible",
        "pool SDR: nobody is eligible (skipped cy@acme.test (on vacation), "
        "di@acme.test (inactive))",
        "rule 'Target accounts' found nobody available: using the default route",
    ]


def test_nobody_at_all() -> None:
    people = users(away(ANA, TODAY, TODAY), away(BO, TODAY, TODAY))
    decision = route(router(), SMALL, ctx(people), NOW)
    assert (decision.assignees, decision.via, decision.rule) == ((), "none", "default")
    assert details(decision) == [
        "the router has no rules: the default route applies",
        "pool SDR: 0 of 2 members eligible",
        "pool SDR: nobody is eligible (skipped ana@acme.test (on vacation), "
        "bo@acme.test (on vacation))",
        "nobody is available: the prospect is not assigned",
    ]


def test_credits_memory_and_reset_come_through_the_decision() -> None:
    people = users(ANA, user(BO, credits=1))
    credit = route(router(), SMALL, ctx(people), NOW)
    assert (credit.assignee, credit.via, credit.credit_spent) == (BO, "credit", BO)
    assert credit.pool_state is None
    memory = route(router(), SMALL, ctx(TEAM, recent_assignee=BO), NOW)
    assert (memory.assignee, memory.via, memory.pool_key) == (BO, "memory", "q2/default")
    old = {"q2/default": PoolState("2026-W47", {BO: 5})}
    weekly = route(router(reset="weekly"), SMALL, ctx(TEAM, rotation=old), NOW)
    assert (weekly.assignee, weekly.pool_state) == (ANA, PoolState("2026-W48", {ANA: -1, BO: 1}))


def test_rule_with_negated_condition() -> None:
    spec = router(rule("Not targets", Not(TARGETS), Destination("user", users=(DI,))))
    assert route(spec, SMALL, ctx(TEAM), NOW).assignee == DI
    assert route(spec, BIGCO, ctx(TEAM), NOW).rule == "default"


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        route(router(), SMALL, ctx(TEAM), datetime(2026, 11, 23, 12, 0))


def test_every_candidate_of_the_pool_gets_a_line_with_its_standing() -> None:
    people = users(ANA, away(BO, TODAY, TODAY), user(CY, credits=0), user(DI, active=False))
    spec = router(default=to_pool(pool(ANA, BO, CY, (DI, 2))))
    decision = route(spec, SMALL, ctx(people), NOW)
    step = next(s for s in decision.trace if s.step == "candidates")
    rows = {r["user"]: r for r in step.data["candidates"]}  # type: ignore[attr-defined]
    assert rows[ANA]["eligible"] is True
    assert rows[ANA]["why"] is None
    assert rows[BO] == {"user": BO, "eligible": False, "why": "on vacation", "weight": 1,
                        "current": 0, "credits": 0}  # fmt: skip
    assert rows[DI]["why"] == "inactive"
    assert rows[DI]["weight"] == 2
    assert step.detail == "pool SDR: 2 of 4 members eligible"
