"""The hot path: one routing decision's transaction.

SQLAlchemy's per-statement overhead was most of a decision's cost, so inside the transaction
(begun, locked and committed through SQLAlchemy) the statements go straight to the DB-API
cursor, prepared once per dialect."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from leadrail.app.ports import StaleState
from leadrail.app.route import trace_json
from leadrail.routing.model import Decision, PoolState, Prospect

DECISION_COLUMNS = (
    "id", "router", "created_at", "email", "rule", "via", "assignee", "assignees", "pool_key",
    "period", "credit_spent", "category", "prospect", "trace", "source",
)  # fmt: skip


class Statements:
    """SQL for one dialect (``?`` placeholders become ``%s`` for psycopg)."""

    def __init__(self, dialect: str) -> None:
        self.postgres = dialect == "postgresql"

        def q(sql: str) -> str:
            return sql.replace("?", "%s") if self.postgres else sql

        self.revision = q("SELECT revision FROM workspace_meta WHERE id = 1")
        self.lock_router = q("SELECT id FROM routers WHERE slug = ? FOR UPDATE")
        self.rotation = q("SELECT pool_key, period, current FROM rotation_state WHERE pool_key = ?")
        self.credits = q("SELECT email, credits FROM users WHERE credits > 0")
        self.recent = q(
            "SELECT assignee FROM decisions WHERE router = ? AND email = ? AND created_at >= ? "
            "AND assignee IS NOT NULL ORDER BY seq DESC LIMIT 1"
        )
        self.spend_credit = q(
            "UPDATE users SET credits = credits - 1 WHERE email = ? AND credits > 0"
        )
        self.insert_decision = q(
            f"INSERT INTO decisions ({', '.join(DECISION_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in DECISION_COLUMNS)})"
        )
        self.save_state = q(
            "INSERT INTO rotation_state (pool_key, period, current) VALUES (?, ?, ?) "
            "ON CONFLICT (pool_key) DO UPDATE SET period = excluded.period, "
            "current = excluded.current"
        )
        self.token_owner = q(
            "SELECT u.id, u.email, u.is_admin FROM api_tokens k JOIN users u ON u.id = k.user_id "
            "WHERE k.token_hash = ? AND u.active"
        )

    def when(self, moment: datetime) -> object:
        """A timestamp as the column stores it: aware on PostgreSQL; on SQLite the UTC text
        form SQLAlchemy writes (so the ORM reads these rows back)."""
        utc = moment.astimezone(UTC)
        return utc if self.postgres else utc.strftime("%Y-%m-%d %H:%M:%S.%f")

    def load_json(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str | bytes) else value


class SqlRoutingTransaction:
    def __init__(self, cursor: Any, sql: Statements) -> None:
        self.cur = cursor
        self.sql = sql

    def revision(self) -> int:
        self.cur.execute(self.sql.revision)
        return int(self.cur.fetchone()[0])

    def rotation(self, pool_keys: Sequence[str]) -> Mapping[str, PoolState]:
        out = {}
        for key in dict.fromkeys(pool_keys):
            self.cur.execute(self.sql.rotation, (key,))
            row = self.cur.fetchone()
            if row is not None:
                out[row[0]] = PoolState(period=row[1], current=self.sql.load_json(row[2]))
        return out

    def credits(self) -> Mapping[str, int]:
        self.cur.execute(self.sql.credits)
        return {str(e): int(c) for e, c in self.cur.fetchall()}

    def recent_assignee(self, router: str, email: str, since: datetime) -> str | None:
        self.cur.execute(self.sql.recent, (router, email, self.sql.when(since)))
        row = self.cur.fetchone()
        return None if row is None else str(row[0])

    def record(
        self,
        router: str,
        prospect: Prospect,
        decision: Decision,
        *,
        source: str,
        raw: Mapping[str, Any],
    ) -> str:
        cur, sql = self.cur, self.sql
        if decision.credit_spent:
            cur.execute(sql.spend_credit, (decision.credit_spent,))
            if cur.rowcount != 1:
                raise StaleState("the credit was spent by another decision")
        state = decision.pool_state
        if decision.pool_key and state is not None:
            cur.execute(
                sql.save_state, (decision.pool_key, state.period, json.dumps(dict(state.current)))
            )
        decision_id = uuid.uuid4().hex
        cur.execute(
            sql.insert_decision,
            (
                decision_id, router, sql.when(decision.decided_at or datetime.now(UTC)),
                prospect.email, decision.rule, decision.via, decision.assignee,
                json.dumps(list(decision.assignees)), decision.pool_key,
                state.period if state else None, decision.credit_spent, decision.category,
                json.dumps(dict(prospect.fields)),
                json.dumps([trace_json(x) for x in decision.trace]), source,
            ),
        )  # fmt: skip
        return decision_id
