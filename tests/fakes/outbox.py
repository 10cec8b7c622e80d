"""The outbox: jobs, claims under a fencing token, a fixed random source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadrail.app.outbox import ClaimedJob


class FakeJitter:
    """A random source that always picks the same point of the range (0: its low end)."""

    def __init__(self, at: float = 0.5) -> None:
        self.at = at
        self.ranges: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.ranges.append((a, b))
        return a + (b - a) * self.at


@dataclass
class FakeJob:
    id: int
    kind: str
    ref: str
    payload: dict[str, Any]
    next_at: datetime
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None
    done_at: datetime | None = None
    claim: str | None = None


class FakeOutboxRepo:
    """The outbox table: a claimed job is held until released; an outcome is recorded only
    under the claim that ran it (an admin's stop ends the claim)."""

    def __init__(self) -> None:
        self.jobs: dict[int, FakeJob] = {}
        self.held: set[int] = set()
        self._claims = 0

    def add(
        self, kind: str, ref: str, now: datetime, payload: Mapping[str, Any] | None = None
    ) -> int:
        job_id = len(self.jobs) + 1
        self.jobs[job_id] = FakeJob(job_id, kind, ref, dict(payload or {}), now)
        return job_id

    def of_kind(self, kind: str) -> list[FakeJob]:
        return [j for j in self.jobs.values() if j.kind == kind]

    def claim(self, now: datetime, limit: int, lease_until: datetime) -> list[ClaimedJob]:
        due = [
            j
            for j in self.jobs.values()
            if j.status in ("pending", "running", "waiting")
            and j.next_at <= now
            and j.id not in self.held
        ][:limit]
        out = []
        for j in due:
            self._claims += 1
            j.status, j.attempts, j.next_at = "running", j.attempts + 1, lease_until
            j.claim = f"claim-{self._claims}"
            self.held.add(j.id)
            out.append(ClaimedJob(j.id, j.kind, j.ref, dict(j.payload), j.attempts, j.claim))
        return out

    def release(self, job: ClaimedJob) -> None:
        self.held.discard(job.id)

    def _record(self, job: ClaimedJob, **values: Any) -> bool:
        row = self.jobs[job.id]
        if row.claim != job.token:
            return False
        for name, value in {**values, "claim": None}.items():
            setattr(row, name, value)
        return True

    def finish(self, job: ClaimedJob, now: datetime, result: str) -> bool:
        payload = {**job.payload, "result": result}
        return self._record(job, status="done", done_at=now, last_error=None, payload=payload)

    def retry(self, job: ClaimedJob, next_at: datetime, error: str) -> bool:
        return self._record(job, status="pending", next_at=next_at, last_error=error)

    def wait(self, job: ClaimedJob, next_at: datetime, error: str) -> bool:
        return self._record(job, status="waiting", next_at=next_at, last_error=error)

    def fail(self, job: ClaimedJob, now: datetime, error: str) -> bool:
        return self._record(job, status="failed", done_at=now, last_error=error)

    def stop(self, job_id: int, now: datetime) -> None:
        """An admin stops the job (its claim, if any, is over)."""
        row = self.jobs[job_id]
        row.status, row.claim, row.done_at = "stopped", None, now
