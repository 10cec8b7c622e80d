"""The outbox table: claim due jobs for one worker alone, record outcomes under the claim.

A claim is held, not just leased (docs/decisions/0005-outbox-claims.md):

- PostgreSQL: the claiming connection takes a session advisory lock per job and stays out
  of the pool until the job is released. Another worker's claim skips a job whose lock it
  cannot take, even when the job's lease has run out (a slow send, a stalled worker). The
  lock dies with the worker's connection, so a killed worker's jobs come back after the
  lease.
- SQLite: workers on one database file take turns: a claim holds an exclusive lock on a
  file beside it (``<db>.outbox-lock``) until its jobs are released.

Every claim writes a fresh token (``claim``); outcomes are recorded only where the token
still matches (a fencing token), so a worker that lost its claim cannot overwrite a newer one.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, text, update
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.app.outbox import ClaimedJob

log = logging.getLogger("leadrail.outbox")
LOCK_SPACE = 0x6C72  # the advisory locks' first key ("lr"); the job id is the second
CLAIMABLE = ("pending", "running", "waiting")


@dataclass
class _Hold:
    """What keeps other workers off this claim's jobs until the last one is released."""

    conn: Connection | None  # PostgreSQL: the connection holding the advisory locks
    close: Callable[[], None]
    jobs: set[int] = field(default_factory=set)


class SqlOutboxRepo:
    """Implements the OutboxRepo port."""

    def __init__(self, db: Database) -> None:
        engine = db.engine
        self.engine = engine
        self.writer = db.writer
        self.postgres = db.is_postgres
        database = engine.url.database
        on_disk = not self.postgres and database and database != ":memory:"
        self._lock_file = f"{database}.outbox-lock" if on_disk else None
        self._holds: dict[str, _Hold] = {}  # claim token -> hold
        self._mutex = threading.Lock()

    # --- claiming --------------------------------------------------------------------------
    def claim(self, now: datetime, limit: int, lease_until: datetime) -> list[ClaimedJob]:
        hold = self._pg_hold() if self.postgres else self._file_hold()
        if hold is None:
            return []  # another worker (process) is at work on this SQLite database
        try:
            jobs = self._claim(hold, now, limit, lease_until)
        except BaseException:
            hold.close()
            raise
        if not jobs:
            hold.close()
            return []
        hold.jobs = {j.id for j in jobs}
        with self._mutex:
            for j in jobs:
                self._holds[j.token] = hold
        return jobs

    def _pg_hold(self) -> _Hold:
        conn = self.engine.connect()

        def close() -> None:
            try:
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock_all()"))
                conn.commit()
            except Exception:  # a broken session: closing it ends its locks just the same
                conn.invalidate()
            finally:
                conn.close()

        return _Hold(conn, close)

    def _file_hold(self) -> _Hold | None:
        if self._lock_file is None:  # an in-memory database: one process, one worker
            return _Hold(None, lambda: None)
        fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None

        def close() -> None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

        return _Hold(None, close)

    def _claim(
        self, hold: _Hold, now: datetime, limit: int, lease_until: datetime
    ) -> list[ClaimedJob]:
        j = t.OutboxJob
        due = (
            select(j.id)
            .where(j.status.in_(CLAIMABLE), j.next_attempt_at <= now)
            .order_by(j.id)
            .limit(limit if hold.conn is None else limit * 4 + 8)
        )
        if hold.conn is not None:
            conn = hold.conn
            mine: list[int] = []
            for job_id in conn.scalars(due.with_for_update(skip_locked=True)).all():
                if len(mine) == limit:
                    break
                if self._try_lock(conn, job_id):  # else a live worker is at it, lease or not
                    mine.append(job_id)
            jobs = self._take(conn, mine, lease_until)
            conn.commit()
            return jobs
        with self.writer.begin() as conn:
            return self._take(conn, list(conn.scalars(due)), lease_until)

    def _try_lock(self, conn: Connection, job_id: int) -> bool:
        got = conn.scalar(
            text("SELECT pg_try_advisory_lock(:space, :key)"),
            {"space": LOCK_SPACE, "key": job_id % 2147483647},
        )
        return bool(got)

    def _take(self, conn: Connection, ids: list[int], lease_until: datetime) -> list[ClaimedJob]:
        j = t.OutboxJob
        out = []
        for job_id in ids:  # lease: if this worker dies, the job runs again after the lease
            token = uuid.uuid4().hex
            row = conn.execute(
                update(j)
                .where(j.id == job_id)
                .values(
                    status="running",
                    attempts=j.attempts + 1,
                    next_attempt_at=lease_until,
                    claim=token,
                )
                .returning(j.kind, j.ref, j.payload, j.attempts)
            ).one()
            payload = dict(row.payload)
            out.append(ClaimedJob(job_id, row.kind, row.ref, payload, row.attempts, token))
        return out

    def release(self, job: ClaimedJob) -> None:
        """This worker is done with ``job`` (recorded or not): others may claim it again."""
        with self._mutex:
            hold = self._holds.pop(job.token, None)
            if hold is None:
                return
            hold.jobs.discard(job.id)
            last = not hold.jobs
        if hold.conn is not None and not last:
            hold.conn.execute(
                text("SELECT pg_advisory_unlock(:space, :key)"),
                {"space": LOCK_SPACE, "key": job.id % 2147483647},
            )
            hold.conn.commit()
        if last:
            hold.close()

    # --- outcomes, under the claim -----------------------------------------------------------
    def _record(self, job: ClaimedJob, **values: Any) -> bool:
        """Write the outcome where this claim still holds; False (and nothing written) when
        it does not: an admin stopped the job, or the claim was lost and taken again."""
        j = t.OutboxJob
        q = update(j).where(j.id == job.id, j.claim == job.token).values(claim=None, **values)
        with self._mutex:
            hold = self._holds.get(job.token)
        if hold is not None and hold.conn is not None:
            changed = hold.conn.execute(q).rowcount
            hold.conn.commit()
        else:
            with self.writer.begin() as conn:
                changed = conn.execute(q).rowcount
        if changed != 1:
            log.warning("outbox job %s: the claim was no longer held; outcome not recorded", job.id)
        return changed == 1

    def finish(self, job: ClaimedJob, now: datetime, result: str) -> bool:
        payload = {**job.payload, "result": result[:500]}
        return self._record(job, status="done", done_at=now, last_error=None, payload=payload)

    def retry(self, job: ClaimedJob, next_at: datetime, error: str) -> bool:
        return self._record(job, status="pending", next_attempt_at=next_at, last_error=error[:2000])

    def wait(self, job: ClaimedJob, next_at: datetime, error: str) -> bool:
        return self._record(job, status="waiting", next_attempt_at=next_at, last_error=error[:2000])

    def fail(self, job: ClaimedJob, now: datetime, error: str) -> bool:
        return self._record(job, status="failed", done_at=now, last_error=error[:2000])

    # --- for admins ---------------------------------------------------------------------------
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
