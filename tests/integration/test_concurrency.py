"""Many prospects routed at the same instant on one pool, against the real database."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from leadrail.adapters.db import tables as t
from leadrail.app.apply import apply_workspace
from leadrail.app.ports import WouldWait
from leadrail.app.route import route_prospect
from leadrail.bootstrap import bootstrap
from leadrail.settings import Settings
from tests.factories import workspace

WEIGHTS = [3, 1, 2, 2]
N = 32


@pytest.mark.parametrize(("credits", "prompt"), [(0, False), (3, False), (3, True)])
def test_concurrent_routes_keep_the_quota_invariant(
    db_url: str, credits: int, prompt: bool
) -> None:
    """``prompt``: half the callers first try without waiting (as the route API does on the
    event loop's thread) and only wait, in their thread, when told to."""
    c = bootstrap(Settings(database_url=db_url, db_pool_size=16))
    doc = workspace(weights=WEIGHTS, memory_hours=0)
    doc["users"][1]["credits"] = credits
    apply_workspace(c.workspace, doc)
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

    def one(i: int) -> str | None:
        prospect = {"email": f"p{i}@example.test"}
        if prompt and i % 2:
            try:
                return route_prospect(c.routing, "inbound", prospect, now, wait=False).id
            except WouldWait:
                pass  # nothing was done: decide again, waiting this time
        return route_prospect(c.routing, "inbound", prospect, now).id

    with ThreadPoolExecutor(max_workers=N) as pool:
        ids = list(pool.map(one, range(N)))

    assert len(set(ids)) == N
    assert None not in ids
    with c.wiring.db.sessions() as s:
        rows = s.execute(
            select(t.Decision.id, t.Decision.assignee, t.Decision.via, t.Decision.email).order_by(
                t.Decision.seq
            )
        ).all()
        left = s.scalar(select(t.User.credits).where(t.User.email == "rep1@acme.test"))
    assert sorted(r.id for r in rows) == sorted(ids)
    assert len({r.email for r in rows}) == N
    via = Counter(r.via for r in rows)
    assert via["credit"] == credits
    assert left == 0
    total_w = sum(WEIGHTS)
    counts: Counter[str] = Counter()
    n = 0
    for r in rows:  # ledger order: every prefix satisfies the quota invariant
        if r.via != "rotation":
            continue
        counts[r.assignee] += 1
        n += 1
        for i, w in enumerate(WEIGHTS):
            assert abs(counts[f"rep{i}@acme.test"] - n * w / total_w) < 1, (n, counts)
    c.close()
