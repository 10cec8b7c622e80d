"""The figures ``/metrics`` reads from the database, and readiness (database reachable,
migrations at this code's head, Redis answering when configured)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.adapters.db.engine import alembic_config
from leadrail.app.ops import OpsCounts

OPEN_JOBS = ("pending", "running", "waiting", "failed", "stopped")


class SqlOpsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def counts(self) -> OpsCounts:
        job, delivery, chat = t.OutboxJob, t.Delivery, t.LiveConversation
        with self.db.sessions() as s:
            jobs = s.execute(
                select(job.kind, job.status, func.count())
                .where(job.status.in_(OPEN_JOBS))
                .group_by(job.kind, job.status)
            ).all()
            retrying = s.execute(
                select(job.kind, func.count())
                .where(job.status == "pending", job.attempts > 0)
                .group_by(job.kind)
            ).all()
            deliveries = s.execute(
                select(delivery.status, func.count()).group_by(delivery.status)
            ).all()
            chats = s.execute(
                select(chat.status, func.count())
                .where(chat.status.in_(("waiting", "active")))
                .group_by(chat.status)
            ).all()
        return OpsCounts(
            outbox={(str(k), str(st)): int(n) for k, st, n in jobs},
            outbox_retrying={str(k): int(n) for k, n in retrying},
            deliveries={str(st): int(n) for st, n in deliveries},
            chats={"waiting": 0, "active": 0} | {str(st): int(n) for st, n in chats},
        )


class DbReadiness:
    """Ready: the database answers, its migrations are this code's head, and Redis (when
    configured) answers."""

    def __init__(self, db: Database, url: str, redis_ping: Callable[[], str | None] | None):
        self.db = db
        self.url = url
        self.redis_ping = redis_ping

    @cached_property
    def heads(self) -> set[str]:
        """The migrations this code needs (read once, when first asked)."""
        return set(ScriptDirectory.from_config(alembic_config(self.url)).get_heads())

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        try:
            with self.db.engine.connect() as conn:
                at = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        except Exception as e:  # unreachable, or never migrated: both mean "not ready"
            found["database"] = f"the database does not answer or is not migrated: {_kind(e)}"
        else:
            if at != self.heads:
                have = ", ".join(sorted(at)) or "none"
                want = ", ".join(sorted(self.heads))
                found["migrations"] = (
                    f"the database is at {have}, this version needs {want}: run `leadrail migrate`"
                )
        if self.redis_ping is not None and (problem := self.redis_ping()):
            found["redis"] = problem
        return found


def _kind(e: Exception) -> str:
    """The error's class and its first line, without the connection URL's password."""
    first = str(e).splitlines()[0] if str(e) else ""
    return f"{type(e).__name__}: {first[:200]}" if "@" not in first else type(e).__name__
