"""Benchmark of the pure routing core, and the workspace used by the HTTP benchmarks."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

import yaml

from leadrail.routing.conditions import load_condition
from leadrail.routing.engine import route
from leadrail.routing.model import (
    Destination,
    Member,
    PoolSpec,
    PoolState,
    RouterSpec,
    RoutingContext,
    Rule,
    UserInfo,
)
from leadrail.routing.normalise import normalise_prospect

RULES, MEMBERS = 100, 50


def _condition(i: int) -> dict[str, object]:
    kinds: list[dict[str, object]] = [
        {"field": "domain", "op": "equals", "value": f"customer{i}.test"},
        {"field": "country", "op": "in", "value": [f"c{i}", f"d{i}", f"e{i}"]},
        {
            "all": [
                {"field": "employee_count", "op": "greater_than", "value": 100000 + i},
                {"field": "industry", "op": "contains", "value": f"industry{i}"},
            ]
        },
        {"field": "domain", "op": "in_list", "value": f"list{i}"},
        {
            "any": [
                {"field": "utm_campaign", "op": "starts_with", "value": f"camp{i}-"},
                {"not": {"field": "company", "op": "exists"}},
            ]
        },
    ]
    return kinds[i % len(kinds)]


def core_router(first_matches: bool = False) -> tuple[RouterSpec, RoutingContext]:
    emails = [f"rep{i}@acme.test" for i in range(MEMBERS)]
    pool = PoolSpec(
        "bench/default", "Team", tuple(Member(e, 1 + i % 5) for i, e in enumerate(emails))
    )
    rules = tuple(
        Rule(
            f"rule {i}",
            load_condition(_condition(i)),
            Destination("pool", pool=PoolSpec(f"bench/rule {i}", "Team", pool.members)),
        )
        for i in range(RULES)
    )
    if first_matches:
        rules = (
            Rule(
                "all",
                load_condition({"field": "email", "op": "exists"}),
                Destination("pool", pool=pool),
            ),
            *rules,
        )
    spec = RouterSpec("bench", "America/New_York", rules, Destination("pool", pool=pool))
    lists = {f"list{i}": frozenset({f"listed{i}.test", f"other{i}.test"}) for i in range(RULES)}
    ctx = RoutingContext(users={e: UserInfo(e) for e in emails}, lists=lists)
    return spec, ctx


def _time(spec: RouterSpec, ctx: RoutingContext, n: int) -> list[float]:
    prospect = normalise_prospect(
        {
            "email": "pat@somewhere.test",
            "company": "Somewhere",
            "country": "us",
            "employee_count": 250,
            "industry": "retail",
        },
        strip_emails=True,
    )
    now = datetime(2026, 11, 23, 15, tzinfo=UTC)
    rotation: dict[str, PoolState] = {}
    samples = []
    for _ in range(n):
        c = RoutingContext(users=ctx.users, lists=ctx.lists, rotation=rotation)
        t0 = time.perf_counter_ns()
        d = route(spec, prospect, c, now)
        samples.append((time.perf_counter_ns() - t0) / 1000)
        if d.pool_key and d.pool_state:
            rotation[d.pool_key] = d.pool_state
    return samples


def measure_core(n: int = 5000) -> dict[str, float]:
    spec, ctx = core_router()
    _time(spec, ctx, 500)  # warm-up
    samples = sorted(_time(spec, ctx, n))
    first = _time(*core_router(first_matches=True), n)
    return {
        "rules": RULES,
        "members": MEMBERS,
        "samples": n,
        "median_us": statistics.median(samples),
        "p99_us": samples[int(0.99 * n)],
        "first_median_us": statistics.median(first),
    }


def bench_workspace_yaml() -> str:
    users = [{"email": f"rep{i}@acme.test", "name": f"Rep {i}"} for i in range(8)]
    doc = {
        "timezone": "America/New_York",
        "users": users,
        "teams": [
            {
                "name": "SDR",
                "members": [{"user": u["email"], "weight": 1 + i % 3} for i, u in enumerate(users)],
            }
        ],
        "lists": [{"name": "target-accounts", "values": ["bigco.test", "megacorp.test"]}],
        "routers": [
            {
                "slug": "bench",
                "title": "Bench",
                "rules": [
                    {
                        "name": "Target accounts",
                        "when": {"field": "domain", "op": "in_list", "value": "target-accounts"},
                        "route": {"team": "SDR", "members": [users[0]["email"], users[1]["email"]]},
                    },
                    {
                        "name": "EMEA",
                        "when": {"field": "country", "op": "in", "value": ["gb", "fr", "de"]},
                        "route": {"team": "SDR"},
                    },
                ],
                "default": {"team": "SDR", "weighted": True},
                "reset": "weekly",
            }
        ],
    }
    return yaml.safe_dump(doc)


if __name__ == "__main__":
    print(measure_core())
