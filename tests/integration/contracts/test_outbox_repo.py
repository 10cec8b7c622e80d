"""The outbox repository's promises, as drain relies on them: only due jobs are claimed, a
claimed job is not claimed again until released, and an outcome is recorded only under the
claim that ran it (an admin's stop ends the claim)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leadrail.app.outbox import JobKind
from leadrail.leads.destinations import Target
from leadrail.leads.model import Customer, Lead

from .conftest import T0

LEASE = T0 + timedelta(minutes=5)


def test_a_claimed_job_is_held_until_released(world: Any) -> None:
    world.add_job(JobKind.INVITE, "m1")
    (job,) = world.outbox.claim(T0, 10, LEASE)
    assert (job.kind, job.ref, job.attempts) == ("invite", "m1", 1)
    assert world.outbox.claim(LEASE + timedelta(hours=1), 10, LEASE) == []  # held
    world.outbox.release(job)
    (again,) = world.outbox.claim(LEASE, 10, LEASE + timedelta(minutes=5))
    assert (again.id, again.attempts) == (job.id, 2)  # its worker died: it runs again
    assert again.token != job.token
    assert not world.outbox.finish(job, LEASE, "late")  # the old claim records nothing
    assert world.outbox.finish(again, LEASE, "sent")
    world.outbox.release(again)


def test_an_outcome_sets_when_the_job_comes_due_again(world: Any) -> None:
    world.add_job(JobKind.INVITE, "m1")
    (job,) = world.outbox.claim(T0, 10, LEASE)
    assert world.outbox.retry(job, T0 + timedelta(hours=2), "SMTP: 421")
    world.outbox.release(job)
    assert world.outbox.claim(T0 + timedelta(hours=1), 10, LEASE) == []
    (again,) = world.outbox.claim(T0 + timedelta(hours=2), 10, LEASE)
    assert world.outbox.fail(again, T0, "SMTP: 550")
    world.outbox.release(again)
    assert world.outbox.claim(T0 + timedelta(days=9), 10, LEASE) == []


def test_a_stopped_job_keeps_its_stop(world: Any) -> None:
    lead = Lead(id="lead-1", created_at=T0, category="Service", customer=Customer(email="z@x.t"))
    lead_delivery = world.take(lead, Target("service@dealer.test", "text"))
    (job,) = world.outbox.claim(T0, 10, LEASE)
    assert job.ref == lead_delivery
    world.stop(lead_delivery)
    assert not world.outbox.retry(job, T0, "SMTP: 421")
    world.outbox.release(job)
    assert world.outbox.claim(T0 + timedelta(days=9), 10, LEASE) == []
