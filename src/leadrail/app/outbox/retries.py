"""What follows a failed attempt (``verdict``), and when the job is tried again.

- a refusal for good (an SMTP 5xx for the address, an HTTP 4xx other than 408/409/425/429,
  a job that cannot be built) ends the job: ``fail``;
- a transient fault (the server is down, a timeout, a 4xx SMTP answer, an HTTP 5xx, 408,
  429...) is retried with exponential backoff up to ``MAX_ATTEMPTS``; after that budget the
  job is ``waiting``: tried again every ``wait_every`` (an hour by default) for as long as
  it takes, because a server that is down now may take it later. Only a refusal for good,
  an admin (stop) or the job's own end (a meeting that is over) ends a waiting job.

The jitter comes from an injected random source (``Jitter``): ``random.Random`` in the
worker, a seeded one in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, Protocol

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)  # a claimed job not finished by then (worker died) runs again
WAIT_EVERY = timedelta(hours=1)  # past the budget, a transient fault is retried this often

Verdict = Literal["retry", "wait", "fail"]


class Jitter(Protocol):
    """A random source (``random.Random`` has this method)."""

    def uniform(self, a: float, b: float) -> float: ...


def verdict(attempts: int, retryable: bool) -> Verdict:
    """What follows a failed attempt (the ``attempts``-th): see the module's docstring."""
    if not retryable:
        return "fail"
    return "retry" if attempts < MAX_ATTEMPTS else "wait"


def backoff(attempts: int, rng: Jitter) -> timedelta:
    """Exponential backoff with full jitter: up to 2, 4, 8 ... seconds, at most an hour."""
    ceiling = min(3600.0, 2.0**attempts)
    return timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


def waiting_backoff(every: timedelta, rng: Jitter) -> timedelta:
    """The capped interval, with a little jitter so that waiting jobs do not all come due in
    the same second when a server comes back."""
    return every * rng.uniform(0.9, 1.0)


@dataclass(frozen=True)
class RetryPolicy:
    rng: Jitter
    wait_every: timedelta = WAIT_EVERY

    def delay(self, then: Verdict, attempts: int) -> timedelta:
        """How long until a job that failed its ``attempts``-th time is tried again."""
        if then == "wait":
            return waiting_backoff(self.wait_every, self.rng)
        return backoff(attempts, self.rng)
