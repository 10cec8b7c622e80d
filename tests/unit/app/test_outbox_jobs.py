"""The outbox's drain and job table, through fakes: each kind of job goes to its use case;
an unknown kind fails for good; a failing job is retried with backoff, then waits; an
outcome is recorded only under the claim that ran it."""

from __future__ import annotations

from datetime import datetime, timedelta

from leadrail.app.accounts import RESET_JOB
from leadrail.app.outbox import (
    MAX_ATTEMPTS,
    WAIT_EVERY,
    ClaimedJob,
    JobFailed,
    JobKind,
    JobTable,
    RetryPolicy,
    drain,
)
from tests.fakes import FakeJitter, FakeOutboxRepo

from .world import T0, World


class Handler:
    def __init__(self, name: str, fail: JobFailed | None = None) -> None:
        self.name = name
        self.fail = fail
        self.ran: list[tuple[ClaimedJob, datetime]] = []

    def __call__(self, job: ClaimedJob, now: datetime) -> str:
        self.ran.append((job, now))
        if self.fail is not None:
            raise self.fail
        return f"{self.name} done"


def test_each_job_kind_goes_to_its_handler() -> None:
    handlers = {kind: Handler(kind) for kind in JobKind}
    outbox = FakeOutboxRepo()
    for kind in JobKind:
        outbox.add(kind, f"ref-{kind}", T0)
    assert drain(outbox, JobTable(handlers, RetryPolicy(FakeJitter())), T0) == len(JobKind)
    for kind, handler in handlers.items():
        ((job, now),) = handler.ran
        assert (job.kind, job.ref, now) == (kind, f"ref-{kind}", T0)
    assert {j.payload["result"] for j in outbox.jobs.values()} == {f"{k} done" for k in JobKind}


def test_the_table_runs_each_kind_with_its_use_case() -> None:
    w = World()
    assert w.table.handlers == {
        JobKind.INVITE: w.meeting_jobs.invite,
        JobKind.CALENDAR_PUT: w.meeting_jobs.write_event,
        JobKind.CALENDAR_DELETE: w.meeting_jobs.remove_event,
        JobKind.REMINDER: w.meeting_jobs.remind,
        JobKind.CRM_SYNC: w.crm_sync.meeting,
        JobKind.CRM_LEAD: w.crm_sync.lead,
        JobKind.LEAD: w.deliver,
        JobKind.LEAD_ALERT: w.alerts,
        JobKind.PASSWORD_RESET: w.reset_mail,
    }


def test_the_password_reset_use_case_queues_the_kind_the_table_knows() -> None:
    assert JobKind(RESET_JOB) is JobKind.PASSWORD_RESET


def test_an_unknown_kind_fails_and_is_not_retried() -> None:
    w = World()
    w.outbox.add("fax", "ref", T0)
    w.drain(T0)
    job = w.outbox.jobs[1]
    assert (job.status, job.attempts, job.last_error) == ("failed", 1, "unknown job kind 'fax'")
    assert w.drain(T0 + timedelta(days=30)) == 0


def test_a_failing_job_backs_off_then_waits_hourly() -> None:
    jitter = FakeJitter(at=1.0)
    handler = Handler("invite", JobFailed("SMTP: 421 busy"))
    outbox = FakeOutboxRepo()
    outbox.add(JobKind.INVITE, "m1", T0)
    table = JobTable({JobKind.INVITE: handler}, RetryPolicy(jitter, wait_every=WAIT_EVERY))
    now, due = T0, []
    for _ in range(MAX_ATTEMPTS + 1):
        assert drain(outbox, table, now) == 1
        due.append(outbox.jobs[1].next_at - now)
        now = outbox.jobs[1].next_at
    backoff = [timedelta(seconds=min(3600, 2**n)) for n in range(1, MAX_ATTEMPTS)]
    assert due == [*backoff, WAIT_EVERY, WAIT_EVERY]
    assert outbox.jobs[1].status == "waiting"
    assert outbox.jobs[1].last_error == "SMTP: 421 busy"


def test_a_refusal_for_good_ends_the_job_at_once() -> None:
    outbox = FakeOutboxRepo()
    outbox.add(JobKind.INVITE, "m1", T0)
    handler = Handler("invite", JobFailed("SMTP: 550 no", retryable=False))
    drain(outbox, JobTable({JobKind.INVITE: handler}, RetryPolicy(FakeJitter())), T0)
    assert (outbox.jobs[1].status, outbox.jobs[1].done_at) == ("failed", T0)


def test_an_outcome_is_not_written_over_an_admins_stop() -> None:
    outbox = FakeOutboxRepo()
    outbox.add(JobKind.INVITE, "m1", T0)

    def stopped_meanwhile(job: ClaimedJob, now: datetime) -> str:
        outbox.stop(job.id, now)
        return "sent"

    drain(outbox, JobTable({JobKind.INVITE: stopped_meanwhile}, RetryPolicy(FakeJitter())), T0)
    assert outbox.jobs[1].status == "stopped"
    assert not outbox.held  # released all the same


def test_the_clock_is_read_before_each_claim() -> None:
    outbox = FakeOutboxRepo()
    for ref in ("a", "b"):
        outbox.add(JobKind.INVITE, ref, T0)
    ticks = iter(T0 + timedelta(minutes=m) for m in range(10))
    handler = Handler("invite")
    table = JobTable({JobKind.INVITE: handler}, RetryPolicy(FakeJitter()))
    drain(outbox, table, lambda: next(ticks))
    assert [now for _, now in handler.ran] == [T0, T0 + timedelta(minutes=2)]
