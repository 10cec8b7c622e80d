"""The outbox's storage ports, each on SQLite, on PostgreSQL and as the fake of
tests/fakes/: one contract, so the fakes the use-case tests run on stay honest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.deliveries_repo import SqlDeliveriesRepo
from leadrail.app.delivery.ports import DeliveryToSend
from leadrail.app.outbox import JobKind
from leadrail.bootstrap import Container, bootstrap
from leadrail.leads.destinations import Target
from leadrail.leads.model import Lead
from leadrail.settings import Settings
from tests.factories import MONDAY_8AM_NY
from tests.fakes import FakeDeliveryRepo, FakeOutboxRepo

T0 = MONDAY_8AM_NY
KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "fake"]


class SqlWorld:
    """The SQL repos, and what the contract reads back of them."""

    def __init__(self, c: Container) -> None:
        self.c = c
        self.outbox = c.outbox
        self.deliveries = SqlDeliveriesRepo(c.wiring.db)

    def take(self, lead: Lead, target: Target) -> str:
        self.c.leads.save_lead(lead, key=None, trace=[], targets=[target], now=T0)
        return str(self.c.leads.deliveries(lead=lead.id)[0]["id"])

    def add_job(self, kind: str, ref: str) -> None:
        with Session(self.c.wiring.db.engine) as s, s.begin():
            s.add(t.OutboxJob(kind=kind, ref=ref, payload={}, status="pending", attempts=0,
                              next_attempt_at=T0, created_at=T0))  # fmt: skip

    def state(self, delivery_id: str) -> tuple[str, int, str | None, list[bool]]:
        (d,) = [x for x in self.c.leads.deliveries() if x["id"] == delivery_id]
        return d["status"], d["attempt_count"], d["last_error"], [a["ok"] for a in d["attempts"]]

    def of_lead(self, lead_id: str) -> list[DeliveryToSend | None]:
        ids = [str(d["id"]) for d in self.c.leads.deliveries(lead=lead_id)]
        return [self.deliveries.delivery(i) for i in ids]

    def alerts(self) -> list[list[str]]:
        j = t.OutboxJob
        with Session(self.c.wiring.db.engine) as s:
            jobs = s.scalars(select(j).where(j.kind == JobKind.LEAD_ALERT.value).order_by(j.id))
            return [list(x.payload["leads"]) for x in jobs]

    def stop(self, delivery_id: str) -> None:
        self.c.leads.stop(delivery_id, T0, "admin@acme.test")


class FakeWorld:
    def __init__(self) -> None:
        self.outbox = FakeOutboxRepo()
        self.deliveries = FakeDeliveryRepo(self.outbox)

    def take(self, lead: Lead, target: Target) -> str:
        return self.deliveries.add(lead, target, T0)

    def add_job(self, kind: str, ref: str) -> None:
        self.outbox.add(kind, ref, T0)

    def state(self, delivery_id: str) -> tuple[str, int, str | None, list[bool]]:
        d = self.deliveries.deliveries[delivery_id]
        return d.status, d.attempts, d.last_error, [ok for ok, _ in d.receipts]

    def of_lead(self, lead_id: str) -> list[DeliveryToSend | None]:
        return [self.deliveries.delivery(d.id) for d in self.deliveries.of_lead(lead_id)]

    def alerts(self) -> list[list[str]]:
        return [list(j.payload["leads"]) for j in self.outbox.of_kind(JobKind.LEAD_ALERT)]

    def stop(self, delivery_id: str) -> None:
        self.deliveries.stop(delivery_id)
        for job in self.outbox.jobs.values():
            if job.kind == JobKind.LEAD and job.ref == delivery_id:
                self.outbox.stop(job.id, T0)


def roles(world: SqlWorld | FakeWorld, lead_id: str) -> list[str]:
    return sorted(d.role for d in world.of_lead(lead_id) if d is not None)


@pytest.fixture(params=KINDS)
def world(request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from each_store(request, FakeWorld, SqlWorld)


def each_store(
    request: pytest.FixtureRequest, fake: Callable[[], Any], sql: Callable[[Container], Any]
) -> Iterator[Any]:
    """A fixture's value for its parameter (see KINDS): ``fake()``, or ``sql(container)`` on
    a container over the parametrised database, closed afterwards."""
    if request.param == "fake":
        yield fake()
        return
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    c = bootstrap(Settings(database_url=url, worker=False))
    yield sql(c)
    c.close()
