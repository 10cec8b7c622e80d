"""Properties of the rotation, checked by Hypothesis on random pools."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadrail.routing.distribution import PoolChoice, choose_from_pool
from leadrail.routing.model import PoolSpec, PoolState, RoutingContext, UserInfo
from tests.unit.builders import NOW, TZ, away, ctx, pool, user

FAST = settings(max_examples=120, deadline=None)


def emails(n: int) -> list[str]:
    return [f"rep{i}@acme.test" for i in range(n)]


def step(
    p: PoolSpec, context: RoutingContext, state: PoolState | None, compensation: bool = True
) -> tuple[PoolChoice, PoolState | None]:
    rotation = {p.key: state} if state is not None else {}
    choice = choose_from_pool(
        p,
        replace(context, rotation=rotation),
        period="all",
        now=NOW,
        tz=TZ,
        compensation=compensation,
    )
    return choice, choice.new_state or state


@FAST
@given(st.lists(st.integers(1, 10), min_size=1, max_size=12), st.integers(1, 300))
# pools where "largest current" (nginx's smooth weighted round robin) drifts a full share
@example([1, 8, 8, 1, 8], 13)
@example([8, 8, 1, 6, 8, 8, 6, 1], 23)
@example([6, 6, 10, 8, 1, 6, 6, 1, 2], 23)
def test_every_member_stays_within_one_of_its_share_at_every_prefix(
    weights: list[int], n: int
) -> None:
    people = emails(len(weights))
    p = pool(*zip(people, weights, strict=True))
    context = ctx({e: user(e) for e in people})
    total = sum(weights)
    counts = dict.fromkeys(people, 0)
    state: PoolState | None = None
    for done in range(1, n + 1):
        choice, state = step(p, context, state)
        assert choice.assignee is not None
        counts[choice.assignee] += 1
        for email, weight in zip(people, weights, strict=True):
            # |a - n*w/W| < 1, in integers
            assert abs(counts[email] * total - done * weight) < total, (done, counts)


@FAST
@given(st.integers(1, 12), st.integers(1, 10), st.integers(1, 300))
def test_equal_weights_never_differ_by_more_than_one(size: int, weight: int, n: int) -> None:
    people = emails(size)
    p = pool(*((e, weight) for e in people))
    context = ctx({e: user(e) for e in people})
    counts = dict.fromkeys(people, 0)
    state: PoolState | None = None
    for _ in range(n):
        choice, state = step(p, context, state)
        assert choice.assignee is not None
        counts[choice.assignee] += 1
        assert max(counts.values()) - min(counts.values()) <= 1


@FAST
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), min_size=1, max_size=6),
    st.integers(0, 30),
)
def test_credits_are_spent_exactly_and_never_overspent(
    members: list[tuple[int, int]], n: int
) -> None:
    people = emails(len(members))
    granted = {e: credits for e, (_, credits) in zip(people, members, strict=True)}
    p = pool(*((e, weight) for e, (weight, _) in zip(people, members, strict=True)))
    infos: dict[str, UserInfo] = {e: user(e, credits=granted[e]) for e in people}
    spent = dict.fromkeys(people, 0)
    state: PoolState | None = None
    for _ in range(n):
        choice, state = step(p, ctx(infos), state)
        if choice.credit_spent is not None:
            who = choice.credit_spent
            assert choice.assignee == who
            assert choice.via == "credit"
            spent[who] += 1
            infos[who] = replace(infos[who], credits=infos[who].credits - 1)
    usable = sum(granted[e] for e, (weight, _) in zip(people, members, strict=True) if weight > 0)
    assert sum(spent.values()) == min(usable, n)
    assert all(spent[e] <= granted[e] for e in people)


@FAST
@given(
    st.lists(st.tuples(st.integers(1, 5), st.booleans()), min_size=1, max_size=8),
    st.booleans(),
    st.booleans(),
    st.integers(1, 40),
)
def test_vacationers_are_never_assigned(
    members: list[tuple[int, bool]], compensation: bool, flexible: bool, n: int
) -> None:
    people = emails(len(members))
    today = NOW.date()
    infos = {
        e: away(e, today, today) if is_away else user(e)
        for e, (_, is_away) in zip(people, members, strict=True)
    }
    p = pool(
        *((e, weight) for e, (weight, _) in zip(people, members, strict=True)),
        round_robin="flexible" if flexible else "strict",
    )
    present = {e for e, (_, is_away) in zip(people, members, strict=True) if not is_away}
    state: PoolState | None = None
    for _ in range(n):
        choice, state = step(p, ctx(infos), state, compensation)
        if present:
            assert choice.assignee in present
        else:
            assert (choice.assignee, choice.via) == (None, "none")
