"""The outbox table: claim due jobs (SKIP LOCKED on PostgreSQL), record outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.app.outbox import ClaimedJob


class SqlOutbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.writer = engine.execution_options(sqlite_immediate=True)

    def claim(self, now: datetime, limit: int, lease_until: datetime) -> list[ClaimedJob]:
        with Session(self.writer) as s, s.begin():
            q = (
                select(t.OutboxJob)
                .where(
                    t.OutboxJob.status.in_(("pending", "running")),
                    t.OutboxJob.next_attempt_at <= now,
                )
                .order_by(t.OutboxJob.id)
                .limit(limit)
            )
            if self.engine.dialect.name == "postgresql":
                q = q.with_for_update(skip_locked=True)
            jobs = s.scalars(q).all()
            out = []
            for j in jobs:  # lease: if this worker dies, the job runs again after the lease
                j.status, j.attempts, j.next_attempt_at = "running", j.attempts + 1, lease_until
                out.append(ClaimedJob(j.id, j.kind, j.ref, dict(j.payload), j.attempts))
            return out

    def _set(self, job_id: int, **values: Any) -> None:
        with Session(self.writer) as s, s.begin():
            s.execute(update(t.OutboxJob).where(t.OutboxJob.id == job_id).values(**values))

    def finish(self, job_id: int, now: datetime, result: str) -> None:
        with Session(self.writer) as s, s.begin():
            job = s.get_one(t.OutboxJob, job_id)
            job.status, job.done_at, job.last_error = "done", now, None
            job.payload = {**job.payload, "result": result[:500]}

    def retry(self, job_id: int, next_at: datetime, error: str) -> None:
        self._set(job_id, status="pending", next_attempt_at=next_at, last_error=error[:2000])

    def fail(self, job_id: int, now: datetime, error: str) -> None:
        self._set(job_id, status="failed", done_at=now, last_error=error[:2000])

    def jobs(
        self, status: str | None = None, ref: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        q = select(t.OutboxJob).order_by(t.OutboxJob.id.desc()).limit(limit)
        if status:
            q = q.where(t.OutboxJob.status == status)
        if ref:
            q = q.where(t.OutboxJob.ref == ref)
        with Session(self.engine) as s:
            return [
                {"id": j.id, "kind": j.kind, "ref": j.ref, "status": j.status,
                 "attempts": j.attempts, "next_attempt_at": j.next_attempt_at.isoformat(),
                 "last_error": j.last_error, "result": j.payload.get("result"),
                 "created_at": j.created_at.isoformat(),
                 "done_at": j.done_at.isoformat() if j.done_at else None}
                for j in s.scalars(q)
            ]  # fmt: skip
