"""The outbox: work that follows a commit (invites, calendar events), done by a worker with
retries and backoff, never blocking the prospect, with failures visible to admins."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)  # a claimed job not finished by then (worker died) runs again


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    ref: str
    payload: Mapping[str, Any]
    attempts: int  # including this one


class JobFailed(Exception):
    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class JobRunner(Protocol):
    def run(self, job: ClaimedJob) -> str: ...  # a short result; raises JobFailed


class OutboxStore(Protocol):
    def claim(self, now: datetime, limit: int, lease_until: datetime) -> list[ClaimedJob]: ...

    def finish(self, job_id: int, now: datetime, result: str) -> None: ...

    def retry(self, job_id: int, next_at: datetime, error: str) -> None: ...

    def fail(self, job_id: int, now: datetime, error: str) -> None: ...


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter: up to 2, 4, 8 ... seconds, at most an hour."""
    ceiling = min(3600.0, 2.0**attempts)
    return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


def drain(
    store: OutboxStore,
    runner: JobRunner,
    now: datetime,
    *,
    limit: int = 20,
    lease: timedelta = LEASE,
) -> int:
    """Run up to ``limit`` jobs that are due, claiming them one at a time so that each lease
    only has to cover one send (several workers share the queue without doing a job twice
    while its worker is alive). Returns how many were run."""
    done = 0
    while done < limit:
        claimed = store.claim(now, 1, now + lease)
        if not claimed:
            break
        _run(store, runner, claimed[0], now)
        done += 1
    return done


def _run(store: OutboxStore, runner: JobRunner, job: ClaimedJob, now: datetime) -> None:
    try:
        result = runner.run(job)
    except JobFailed as e:
        if e.retryable and job.attempts < MAX_ATTEMPTS:
            store.retry(job.id, now + backoff(job.attempts), e.message)
        else:
            store.fail(job.id, now, e.message)
    else:
        store.finish(job.id, now, result)
