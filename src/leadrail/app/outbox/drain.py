"""Draining the outbox: claim the jobs that are due one at a time, run each through the job
table, record what came of it under the claim."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from leadrail.app.outbox.jobs import ClaimedJob, JobFailed, JobTable
from leadrail.app.outbox.ports import OutboxRepo
from leadrail.app.outbox.retries import LEASE, verdict

Clock = Callable[[], datetime]


def drain(
    repo: OutboxRepo,
    jobs: JobTable,
    now: datetime | Clock,
    *,
    limit: int = 20,
    lease: timedelta = LEASE,
) -> int:
    """Run up to ``limit`` jobs that are due, claiming them one at a time. ``now`` is a
    moment (tests) or a clock (the worker), read again before each claim so that a lease
    starts when its job is claimed, not when the batch began. Returns how many were run."""
    clock: Clock = now if callable(now) else (lambda: now)
    done = 0
    while done < limit:
        at = clock()
        claimed = repo.claim(at, 1, at + lease)
        if not claimed:
            break
        try:
            _run(repo, jobs, claimed[0], at, clock)
        finally:
            repo.release(claimed[0])
        done += 1
    return done


def _run(repo: OutboxRepo, jobs: JobTable, job: ClaimedJob, at: datetime, clock: Clock) -> None:
    try:
        result = jobs.run(job, at)
    except JobFailed as e:
        after = clock()
        then = verdict(job.attempts, e.retryable)
        match then:
            case "retry":
                repo.retry(job, after + jobs.retries.delay(then, job.attempts), e.message)
            case "wait":
                repo.wait(job, after + jobs.retries.delay(then, job.attempts), e.message)
            case "fail":
                repo.fail(job, after, e.message)
    else:
        repo.finish(job, clock(), result)
