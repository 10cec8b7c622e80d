"""Small builders of routing-core values for the unit tests (plain functions, no fixtures)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from leadrail.routing.conditions import Always, Condition, Leaf
from leadrail.routing.distribution import PoolChoice, choose_from_pool
from leadrail.routing.model import (
    CrmRecord,
    Destination,
    Member,
    OwnershipSpec,
    PoolSpec,
    PoolState,
    Prospect,
    RecordKind,
    RoundRobin,
    RouterSpec,
    RoutingContext,
    Rule,
    UserInfo,
    Vacation,
)
from leadrail.routing.normalise import normalise_prospect

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday
TZ = "America/New_York"
LISTS: Mapping[str, frozenset[str]] = {
    "target-accounts": frozenset({"bigco.test", "megacorp.test"}),
    "vip": frozenset({"cto@startup.test", "vipco.test"}),
}


def prospect(**fields: object) -> Prospect:
    return normalise_prospect(fields, strip_emails=False)


def user(email: str, **kwargs: Any) -> UserInfo:
    return replace(UserInfo(email=email), **kwargs)


def away(email: str, start: date, end: date, **kwargs: Any) -> UserInfo:
    return user(email, vacations=(Vacation(start, end),), **kwargs)


def users(*people: str | UserInfo) -> dict[str, UserInfo]:
    infos = [p if isinstance(p, UserInfo) else user(p) for p in people]
    return {info.email: info for info in infos}


def pool(
    *members: str | tuple[str, int],
    key: str = "q2/default",
    team: str | None = "SDR",
    round_robin: RoundRobin = "strict",
) -> PoolSpec:
    made = tuple(Member(m) if isinstance(m, str) else Member(m[0], m[1]) for m in members)
    return PoolSpec(key=key, team=team, members=made, round_robin=round_robin)


def ctx(people: Mapping[str, UserInfo], **kwargs: Any) -> RoutingContext:
    return replace(RoutingContext(users=people, lists=LISTS), **kwargs)


def record(
    kind: RecordKind, matched_on: str, owner: str | None, *, exact: bool = True
) -> CrmRecord:
    return CrmRecord(kind, f"{kind}-{matched_on}", matched_on, owner, exact)


def to_pool(p: PoolSpec) -> Destination:
    return Destination(kind="pool", pool=p)


def rule(
    name: str,
    when: Condition,
    route: Destination,
    ownership: OwnershipSpec | None = None,
) -> Rule:
    return Rule(name=name, when=when, route=route, ownership=ownership)


def router(*rules: Rule, default: Destination | None = None, **kwargs: Any) -> RouterSpec:
    fallback = default or to_pool(pool("ana@acme.test", "bo@acme.test"))
    spec = RouterSpec(slug="q2", timezone=TZ, rules=rules, default=fallback)
    return replace(spec, **kwargs)


def leaf(field: str, op: str, value: object = True) -> Leaf:
    return Leaf(field, op, value)


ALWAYS = Always()


def pick(
    p: PoolSpec,
    context: RoutingContext,
    *,
    period: str = "all",
    now: datetime = NOW,
    compensation: bool = True,
) -> PoolChoice:
    return choose_from_pool(p, context, period=period, now=now, tz=TZ, compensation=compensation)


def run(
    p: PoolSpec,
    context: RoutingContext,
    n: int,
    *,
    state: PoolState | None = None,
    period: str = "all",
    now: datetime = NOW,
    compensation: bool = True,
) -> tuple[list[str | None], PoolState | None]:
    """Route ``n`` prospects in a row through the pool, carrying the rotation state."""
    chosen: list[str | None] = []
    for _ in range(n):
        rotation = {p.key: state} if state is not None else {}
        here = RoutingContext(
            users=context.users,
            lists=context.lists,
            rotation=rotation,
            available=context.available,
        )
        choice = pick(p, here, period=period, now=now, compensation=compensation)
        chosen.append(choice.assignee)
        state = choice.new_state or state
    return chosen, state
