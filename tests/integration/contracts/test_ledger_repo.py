"""The decisions ledger's promises (SQLite, PostgreSQL and tests/fakes/ alike): a decision
recorded by a routing transaction reads back as it was decided, with its trace; the list is
newest first, filtered by router or prospect, and as long as asked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from leadrail.app.workspace.document import parse_workspace
from leadrail.routing.model import Decision, Prospect
from leadrail.routing.trace import Trace, TraceStep
from tests.factories import workspace
from tests.fakes import FakeLedgerRepo

from .conftest import KINDS, T0, each_store

TRACE = Trace([TraceStep("rule", "matched", "Rule 'enterprise' matched", {"size": "500"})])


class SqlLedger:
    """The SQL ledger, written through the router's routing transaction."""

    def __init__(self, c: Any) -> None:
        self.c, self.ledger = c, c.ledger
        c.workspace.save(parse_workspace(workspace(), url_problem=c.workspace.outbound_url_problem))

    def record(self, router: str, prospect: Prospect, decision: Decision) -> str:
        with self.c.routing.transaction(router, write=True) as tx:
            return str(tx.record(router, prospect, decision, source="api", raw={}))


class FakeLedger:
    def __init__(self) -> None:
        self.ledger = FakeLedgerRepo()

    def record(self, router: str, prospect: Prospect, decision: Decision) -> str:
        return self.ledger.record(router, prospect, decision, source="api", raw={})


@pytest.fixture(params=KINDS)
def world(request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from each_store(request, FakeLedger, SqlLedger)


def prospect(email: str) -> Prospect:
    return Prospect(email, email.split("@")[1], False, {"email": email, "size": "500"})


def decide(n: int, rule: str | None = "enterprise", *assignees: str) -> Decision:
    chosen = assignees or ("rep0@acme.test",)
    return Decision(chosen, rule, "rotation", TRACE, decided_at=T0 + timedelta(minutes=n))


def test_a_decision_reads_back_as_decided(world: Any) -> None:
    decision_id = world.record("inbound", prospect("cto@bigco.test"), decide(0))
    row = world.ledger.decision(decision_id)
    assert (row.id, row.router, row.email, row.rule, row.via) == (
        decision_id, "inbound", "cto@bigco.test", "enterprise", "rotation",
    )  # fmt: skip
    assert row.created_at == T0
    assert row.assignees == ["rep0@acme.test"]
    assert list(row.trace) == list(TRACE)
    assert row.prospect == {"email": "cto@bigco.test", "size": "500"}
    assert world.ledger.decision("no-such-decision") is None


def test_decisions_are_listed_newest_first_and_paged(world: Any) -> None:
    ids = [world.record("inbound", prospect(f"p{n}@bigco.test"), decide(n)) for n in range(4)]
    assert [r.id for r in world.ledger.decisions()] == ids[::-1]
    assert [r.id for r in world.ledger.decisions(limit=2)] == [ids[3], ids[2]]


def test_decisions_are_filtered_by_router_and_prospect(world: Any) -> None:
    first = world.record("inbound", prospect("cto@bigco.test"), decide(0))
    world.record("inbound", prospect("cfo@bigco.test"), decide(1))
    broadcast = decide(2, None, "rep1@acme.test", "rep2@acme.test")
    other = world.record("partners", prospect("cto@bigco.test"), broadcast)
    assert [r.id for r in world.ledger.decisions(email=" CTO@bigco.test ")] == [other, first]
    assert [r.id for r in world.ledger.decisions(router="partners")] == [other]
    (row,) = world.ledger.decisions(router="partners")
    assert (row.rule, row.assignees) == (None, ["rep1@acme.test", "rep2@acme.test"])
    assert list(world.ledger.decisions(router="nobody")) == []
