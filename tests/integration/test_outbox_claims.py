"""Two workers never run one outbox job at the same time, whatever the lease says: a job is
held by the worker that claimed it until that worker is done (or dead), leases start when a
job is claimed, and an outcome is recorded only under the claim that ran it."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from leadrail.app.apply import apply_workspace
from leadrail.app.leads import take_lead
from leadrail.app.outbox import ClaimedJob, drain
from leadrail.bootstrap import Container, bootstrap
from leadrail.leads.model import Customer, Lead
from leadrail.leads.nearest import LocationHints
from leadrail.settings import Settings
from tests.factories import MONDAY_8AM_NY, SITE_KEY, leads_workspace

T0 = MONDAY_8AM_NY
LEASE = timedelta(seconds=30)


@pytest.fixture
def two(db_url: str) -> Iterator[tuple[Container, Container]]:
    """Two workers' containers (as two processes would have) on one database, with leads
    to deliver."""
    a = bootstrap(Settings(database_url=db_url, worker=False))
    b = bootstrap(Settings(database_url=db_url, worker=False))
    apply_workspace(a.workspace, leads_workspace(nearest_store_routing=False))
    for i in range(3):
        lead = Lead(
            id="", created_at=T0, category="Service", customer=Customer(email=f"p{i}@x.test")
        )
        take_lead(
            a.leads, a.routing, a.locator, site_key=SITE_KEY, lead=lead, hints=LocationHints(),
            idempotency_key=None, now=T0,
        )  # fmt: skip
    yield a, b
    a.close()
    b.close()


class Runner:
    """Counts the jobs it runs; ``block`` makes each run wait (a send that takes long)."""

    def __init__(self, block: threading.Event | None = None) -> None:
        self.block = block
        self.started = threading.Event()
        self.ran: Counter[int] = Counter()
        self.leases: list[tuple[datetime, str]] = []

    def run(self, job: ClaimedJob, now: datetime) -> str:
        self.ran[job.id] += 1
        self.started.set()
        if self.block is not None:
            assert self.block.wait(timeout=60)
        return "250 OK"


def test_a_job_whose_lease_ran_out_stays_with_its_live_worker(
    two: tuple[Container, Container],
) -> None:
    a, b = two
    release = threading.Event()
    slow, other = Runner(release), Runner()
    first = threading.Thread(target=drain, args=(a.outbox, slow, T0), kwargs={"lease": LEASE})
    first.start()
    try:
        assert slow.started.wait(timeout=30)  # worker A is sending its first job
        (held,) = slow.ran
        # long past A's lease, worker B drains: everything but A's job, never A's job
        drain(b.outbox, other, T0 + timedelta(hours=1), lease=LEASE)
        assert held not in other.ran
    finally:
        release.set()
        first.join(timeout=60)
    drain(b.outbox, other, T0 + timedelta(hours=2), lease=LEASE)
    assert slow.ran[held] == 1
    assert held not in other.ran  # A finished it: nobody runs it again
    assert all(n == 1 for n in (slow.ran + other.ran).values())
    assert {j["status"] for j in a.outbox.jobs()} == {"done"}


def test_each_lease_starts_when_its_job_is_claimed(two: tuple[Container, Container]) -> None:
    a, _ = two
    now = [T0]

    class Slow(Runner):
        def run(self, job: ClaimedJob, at: datetime) -> str:
            (row,) = a.outbox.jobs(ref=job.ref)
            self.leases.append((datetime.fromisoformat(row["next_attempt_at"]), str(at)))
            assert datetime.fromisoformat(row["next_attempt_at"]) == at + LEASE
            now[0] += timedelta(minutes=5)  # each send takes longer than a lease
            return "250 OK"

    runner = Slow()
    assert drain(a.outbox, runner, lambda: now[0], lease=LEASE) == 3
    assert len(runner.leases) == 3


def test_an_outcome_is_recorded_only_under_its_claim(two: tuple[Container, Container]) -> None:
    a, b = two
    (job,) = a.outbox.claim(T0, 1, T0 + LEASE)
    a.outbox.release(job)  # the worker dies without recording anything
    (again,) = b.outbox.claim(T0 + timedelta(minutes=1), 1, T0 + timedelta(minutes=2))
    assert again.id == job.id
    assert again.token != job.token
    assert a.outbox.finish(job, T0, "late") is False  # the first claim is no longer valid
    assert b.outbox.finish(again, T0, "250 OK") is True
    b.outbox.release(again)
    (row,) = [j for j in a.outbox.jobs() if j["id"] == job.id]
    assert (row["status"], row["result"], row["attempts"]) == ("done", "250 OK", 2)


def test_a_claim_holds_only_the_jobs_it_took(two: tuple[Container, Container]) -> None:
    a, b = two
    (first,) = a.outbox.claim(T0, 1, T0 + LEASE)
    others = b.outbox.claim(T0, 10, T0 + LEASE)
    if a.wiring.db.engine.dialect.name == "postgresql":  # workers share the queue, job by job
        assert len(others) == 2
        assert first.id not in {j.id for j in others}
    else:  # SQLite: workers on one file take turns
        assert others == []
    a.outbox.release(first)
    for job in others:
        b.outbox.release(job)
