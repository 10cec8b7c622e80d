"""The hot path: one routing decision's transaction, in SQLAlchemy Core with statements
built once per store (the ORM's per-call overhead was most of a decision's cost)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Executable, bindparam, insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from leadrail.adapters.db import tables as t
from leadrail.app.ports import StaleState
from leadrail.app.route import trace_json
from leadrail.routing.model import Decision, PoolState, Prospect


class Statements:
    """Prepared once per dialect; SQLAlchemy caches their compiled form."""

    def __init__(self, dialect: str) -> None:
        self.revision = text("SELECT revision FROM workspace_meta WHERE id = 1")
        self.lock_router = text("SELECT id FROM routers WHERE slug = :slug FOR UPDATE")
        self.rotation = (
            text("SELECT pool_key, period, current FROM rotation_state WHERE pool_key IN :keys")
            .bindparams(bindparam("keys", expanding=True))
            .columns(t.RotationState.pool_key, t.RotationState.period, t.RotationState.current)
        )
        self.credits = text("SELECT email, credits FROM users WHERE credits > 0")
        self.recent = text(
            "SELECT assignee FROM decisions WHERE router = :router AND email = :email "
            "AND created_at >= :since AND assignee IS NOT NULL ORDER BY seq DESC LIMIT 1"
        ).bindparams(bindparam("since", type_=t.Decision.__table__.c.created_at.type))
        self.spend_credit = text(
            "UPDATE users SET credits = credits - 1 WHERE email = :email AND credits > 0"
        )
        self.insert_decision = insert(t.Decision)
        ins = pg_insert if dialect == "postgresql" else sqlite_insert
        upsert = ins(t.RotationState)
        self.save_state: Executable = upsert.on_conflict_do_update(
            index_elements=["pool_key"],
            set_={"period": upsert.excluded.period, "current": upsert.excluded.current},
        )


class SqlRoutingTransaction:
    def __init__(self, conn: Connection, sql: Statements) -> None:
        self.conn = conn
        self.sql = sql

    def revision(self) -> int:
        return int(self.conn.execute(self.sql.revision).scalar_one())

    def rotation(self, pool_keys: Sequence[str]) -> Mapping[str, PoolState]:
        if not pool_keys:
            return {}
        rows = self.conn.execute(self.sql.rotation, {"keys": list(pool_keys)})
        return {k: PoolState(period=p, current=dict(c)) for k, p, c in rows}

    def credits(self) -> Mapping[str, int]:
        return {str(e): int(c) for e, c in self.conn.execute(self.sql.credits)}

    def recent_assignee(self, router: str, email: str, since: datetime) -> str | None:
        params = {"router": router, "email": email, "since": since}
        value = self.conn.execute(self.sql.recent, params).scalar()
        return None if value is None else str(value)

    def record(
        self,
        router: str,
        prospect: Prospect,
        decision: Decision,
        *,
        source: str,
        raw: Mapping[str, Any],
    ) -> str:
        conn, sql = self.conn, self.sql
        if decision.credit_spent:
            spent = conn.execute(sql.spend_credit, {"email": decision.credit_spent})
            if spent.rowcount != 1:
                raise StaleState("the credit was spent by another decision")
        state = decision.pool_state
        if decision.pool_key and state is not None:
            conn.execute(
                sql.save_state,
                {
                    "pool_key": decision.pool_key,
                    "period": state.period,
                    "current": dict(state.current),
                },
            )
        decision_id = uuid.uuid4().hex
        conn.execute(
            sql.insert_decision,
            {
                "id": decision_id,
                "router": router,
                "created_at": decision.decided_at or datetime.now(UTC),
                "email": prospect.email,
                "rule": decision.rule,
                "via": decision.via,
                "assignee": decision.assignee,
                "assignees": list(decision.assignees),
                "pool_key": decision.pool_key,
                "period": state.period if state else None,
                "credit_spent": decision.credit_spent,
                "category": decision.category,
                "prospect": dict(prospect.fields),
                "trace": [trace_json(x) for x in decision.trace],
                "source": source,
            },
        )
        return decision_id
