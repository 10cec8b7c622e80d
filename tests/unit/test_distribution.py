from __future__ import annotations

from datetime import date, timedelta

from leadrail.routing.model import PoolState
from tests.unit.builders import NOW, away, ctx, pick, pool, run, user, users

ANA, BO, CY = "ana@acme.test", "bo@acme.test", "cy@acme.test"
TEAM = users(ANA, BO, CY)
TODAY = NOW.date()


def test_strict_equal_weights_rotate_in_pool_order() -> None:
    chosen, state = run(pool(ANA, BO, CY), ctx(TEAM), 7)
    assert chosen == [ANA, BO, CY, ANA, BO, CY, ANA]
    assert state is not None
    assert state.period == "all"


def test_weights_give_weighted_shares() -> None:
    chosen, _ = run(pool((ANA, 3), (BO, 1)), ctx(TEAM), 8)
    assert chosen.count(ANA) == 6
    assert chosen.count(BO) == 2
    assert chosen[:4].count(BO) == 1


def test_paused_member_is_never_chosen_nor_counted() -> None:
    p = pool(ANA, (BO, 0), CY)
    chosen, state = run(p, ctx(TEAM), 6)
    assert chosen == [ANA, CY, ANA, CY, ANA, CY]
    assert state is not None
    assert BO not in state.current
    choice = pick(p, ctx(TEAM))
    assert f"skipped {BO} (paused)" in choice.trace[-1].detail


def test_a_pool_of_selected_members_only_uses_them() -> None:
    chosen, _ = run(pool(BO, CY), ctx(TEAM), 4)
    assert chosen == [BO, CY, BO, CY]


def test_strict_pools_ignore_calendar_availability() -> None:
    chosen, _ = run(pool(ANA, BO), ctx(TEAM, available=frozenset({BO})), 4)
    assert chosen == [ANA, BO, ANA, BO]


def test_flexible_pools_choose_among_available_members_who_then_catch_up() -> None:
    p = pool(ANA, BO, round_robin="flexible")
    busy, state = run(p, ctx(TEAM, available=frozenset({BO})), 2)
    assert busy == [BO, BO]
    after, _ = run(p, ctx(TEAM), 4, state=state)
    assert after == [ANA, ANA, ANA, BO]
    choice = pick(p, ctx(TEAM, available=frozenset({BO})))
    assert f"skipped {ANA} (not available at the slot)" in choice.trace[-1].detail


def test_nobody_available_in_a_flexible_pool() -> None:
    choice = pick(pool(ANA, BO, round_robin="flexible"), ctx(TEAM, available=frozenset()))
    assert (choice.assignee, choice.via, choice.new_state) == (None, "none", None)
    assert choice.trace[-1].detail == (
        f"pool SDR: nobody is eligible (skipped {ANA} (not available at the slot), "
        f"{BO} (not available at the slot))"
    )


def test_vacationers_are_skipped_and_catch_up_with_compensation() -> None:
    p = pool(ANA, BO)
    people = users(away(ANA, TODAY, TODAY), BO)
    during, state = run(p, ctx(people), 4, compensation=True)
    assert during == [BO, BO, BO, BO]
    back, _ = run(p, ctx(people), 6, state=state, now=NOW + timedelta(days=1))
    assert back == [ANA, ANA, ANA, ANA, ANA, BO]


def test_vacationers_rejoin_at_their_old_level_without_compensation() -> None:
    p = pool(ANA, BO)
    people = users(away(ANA, TODAY, TODAY), BO)
    during, state = run(p, ctx(people), 4, compensation=False)
    assert during == [BO, BO, BO, BO]
    back, _ = run(p, ctx(people), 4, state=state, now=NOW + timedelta(days=1))
    assert back == [ANA, BO, ANA, BO]


def test_vacation_dates_are_read_in_the_users_timezone() -> None:
    # 2026-11-23 15:00Z is already 2026-11-24 in Tokyo
    tomorrow = TODAY + timedelta(days=1)
    people = users(away(ANA, tomorrow, tomorrow, timezone="Asia/Tokyo"), BO)
    assert pick(pool(ANA, BO), ctx(people)).assignee == BO
    people = users(away(ANA, tomorrow, tomorrow), BO)
    assert pick(pool(ANA, BO), ctx(people)).assignee == ANA


def test_a_new_period_restarts_the_counts() -> None:
    p = pool(ANA, BO)
    old = PoolState("2026-W47", {ANA: -1, BO: 1})
    choice = pick(p, ctx(TEAM, rotation={p.key: old}), period="2026-W48")
    assert choice.assignee == ANA
    assert choice.new_state == PoolState("2026-W48", {ANA: -1, BO: 1})
    assert choice.trace[0].detail == "pool SDR: new period 2026-W48 (was 2026-W47): counts restart"
    same = pick(p, ctx(TEAM, rotation={p.key: old}), period="2026-W47")
    assert same.assignee == BO
    assert same.new_state == PoolState("2026-W47", {})


def test_rotation_trace_names_the_member_its_deficit_and_who_was_skipped() -> None:
    p = pool(ANA, BO, CY, "zed@acme.test")
    people = users(away(ANA, TODAY, TODAY), BO, user(CY, active=False))
    choice = pick(p, ctx(people, rotation={p.key: PoolState("all", {BO: 3})}))
    step = choice.trace[-1]
    assert (step.step, step.outcome) == ("rotation", "chosen")
    assert step.detail == (
        f"pool SDR: {BO} is due next by its weighted share (deficit 2.0); "
        f"skipped {ANA} (on vacation), {CY} (inactive), zed@acme.test (not a leadrail user)"
    )
    assert step.data["deficit"] == 2.0
    assert choice.via == "rotation"


def test_unknown_and_inactive_users_are_never_chosen() -> None:
    people = users(ANA, user(BO, active=False))
    chosen, state = run(pool("ghost@acme.test", BO, ANA), ctx(people), 3)
    assert chosen == [ANA, ANA, ANA]
    assert state == PoolState("all", {})


def test_recent_assignee_gets_the_same_prospect_again() -> None:
    p = pool(ANA, BO)
    choice = pick(p, ctx(TEAM, recent_assignee=BO))
    assert (choice.assignee, choice.via, choice.new_state) == (BO, "memory", None)
    assert choice.trace[-1].detail == f"pool SDR: {BO} had this prospect recently: same rep again"


def test_recent_assignee_on_vacation_falls_back_to_the_rotation() -> None:
    people = users(ANA, away(BO, TODAY, TODAY))
    choice = pick(pool(BO, ANA), ctx(people, recent_assignee=BO))
    assert (choice.assignee, choice.via) == (ANA, "rotation")
    assert choice.trace[0].detail == (
        f"pool SDR: recent assignee {BO} is on vacation: using the rotation"
    )


def test_recent_assignee_outside_the_pool_is_ignored() -> None:
    choice = pick(pool(ANA, BO), ctx(TEAM, recent_assignee=CY))
    assert (choice.assignee, choice.via) == (ANA, "rotation")
    assert choice.trace[0].detail == f"recent assignee {CY} is not a member of pool SDR"


def test_credits_go_first_without_moving_the_rotation() -> None:
    p = pool(ANA, BO, CY)
    people = users(ANA, user(BO, credits=2), user(CY, credits=1))
    state = PoolState("all", {CY: 2, ANA: -2})
    choice = pick(p, ctx(people, rotation={p.key: state}))
    assert (choice.assignee, choice.via, choice.credit_spent) == (CY, "credit", CY)
    assert choice.new_state is None
    assert choice.trace[-1].detail == (
        f"pool SDR: {CY} has 1 meeting credit: assigned ahead of the rotation, one credit spent"
    )


def test_credits_ties_go_in_pool_order_and_vacationers_do_not_use_credits() -> None:
    people = users(user(ANA, credits=1), user(BO, credits=5))
    assert pick(pool(BO, ANA), ctx(people)).assignee == BO
    people = users(ANA, away(BO, TODAY, TODAY, credits=5))
    choice = pick(pool(ANA, BO), ctx(people))
    assert (choice.assignee, choice.via, choice.credit_spent) == (ANA, "rotation", None)


def test_paused_members_do_not_use_credits() -> None:
    people = users(ANA, user(BO, credits=3))
    choice = pick(pool(ANA, (BO, 0)), ctx(people))
    assert (choice.assignee, choice.via) == (ANA, "rotation")


def test_vacation_end_is_inclusive() -> None:
    people = users(away(ANA, date(2026, 11, 20), TODAY), BO)
    assert pick(pool(ANA, BO), ctx(people)).assignee == BO
    later = pick(pool(ANA, BO), ctx(people), now=NOW + timedelta(days=1))
    assert later.assignee == ANA
