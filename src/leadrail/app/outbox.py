"""The outbox: work that follows a commit (invites, calendar events, lead deliveries, CRM
writes, admin alerts), done by a worker with retries and backoff, never blocking the
prospect, with failures visible to admins.

What follows a failed attempt (``verdict``):

- a refusal for good (an SMTP 5xx for the address, an HTTP 4xx other than 408/409/425/429,
  a job that cannot be built) ends the job: ``failed``;
- a transient fault (the server is down, a timeout, a 4xx SMTP answer, an HTTP 5xx, 408,
  429...) is retried with exponential backoff up to ``MAX_ATTEMPTS``; after that budget the
  job is ``waiting``: tried again every ``wait_every`` (an hour by default) for as long as
  it takes, because a server that is down now may take it later. Only a refusal for good,
  an admin (stop) or the job's own end (a meeting that is over) ends a waiting job.

Two workers never run one job at the same time: see ``OutboxRepo.claim`` and
docs/decisions/0005-outbox-claims.md.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)  # a claimed job not finished by then (worker died) runs again
WAIT_EVERY = timedelta(hours=1)  # past the budget, a transient fault is retried this often

Verdict = Literal["retry", "wait", "fail"]


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    ref: str
    payload: Mapping[str, Any]
    attempts: int  # including this one
    token: str = ""  # this claim's fencing token: outcomes are recorded only under it


class JobFailed(Exception):
    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class JobRunner(Protocol):
    def run(self, job: ClaimedJob, now: datetime) -> str: ...  # a short result; raises JobFailed


class OutboxRepo(Protocol):
    def claim(self, now: datetime, limit: int, lease_until: datetime) -> list[ClaimedJob]:
        """Due jobs, each claimed for this worker alone until ``release``: no other worker
        claims a job while the worker that claimed it is alive, even past the lease (the
        lease only brings back the jobs of a worker that died)."""
        ...

    def finish(self, job: ClaimedJob, now: datetime, result: str) -> bool: ...

    def retry(self, job: ClaimedJob, next_at: datetime, error: str) -> bool: ...

    def wait(self, job: ClaimedJob, next_at: datetime, error: str) -> bool: ...

    def fail(self, job: ClaimedJob, now: datetime, error: str) -> bool: ...

    def release(self, job: ClaimedJob) -> None: ...

    def jobs(
        self, status: str | None = None, ref: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The newest jobs, for admins."""
        ...


def verdict(attempts: int, retryable: bool) -> Verdict:
    """What follows a failed attempt (the ``attempts``-th): see the module's docstring."""
    if not retryable:
        return "fail"
    return "retry" if attempts < MAX_ATTEMPTS else "wait"


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter: up to 2, 4, 8 ... seconds, at most an hour."""
    ceiling = min(3600.0, 2.0**attempts)
    return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


def waiting_backoff(every: timedelta, rng: random.Random | None = None) -> timedelta:
    """The capped interval, with a little jitter so that waiting jobs do not all come due in
    the same second when a server comes back."""
    return every * (rng or random).uniform(0.9, 1.0)


Clock = Callable[[], datetime]


def drain(
    store: OutboxRepo,
    runner: JobRunner,
    now: datetime | Clock,
    *,
    limit: int = 20,
    lease: timedelta = LEASE,
    wait_every: timedelta = WAIT_EVERY,
) -> int:
    """Run up to ``limit`` jobs that are due, claiming them one at a time. ``now`` is a
    moment (tests) or a clock (the worker), read again before each claim so that a lease
    starts when its job is claimed, not when the batch began. Returns how many were run."""
    clock: Clock = now if callable(now) else (lambda: now)
    done = 0
    while done < limit:
        at = clock()
        claimed = store.claim(at, 1, at + lease)
        if not claimed:
            break
        try:
            _run(store, runner, claimed[0], at, clock, wait_every)
        finally:
            store.release(claimed[0])
        done += 1
    return done


def _run(
    store: OutboxRepo,
    runner: JobRunner,
    job: ClaimedJob,
    at: datetime,
    clock: Clock,
    wait_every: timedelta,
) -> None:
    try:
        result = runner.run(job, at)
    except JobFailed as e:
        after = clock()
        match verdict(job.attempts, e.retryable):
            case "retry":
                store.retry(job, after + backoff(job.attempts), e.message)
            case "wait":
                store.wait(job, after + waiting_backoff(wait_every), e.message)
            case "fail":
                store.fail(job, after, e.message)
    else:
        store.finish(job, clock(), result)
