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

from leadrail.adapters.db.lead_writes import LeadStatements
from leadrail.app.ports import DuplicateLead, Job, NewMeeting, StaleState, StoredLead
from leadrail.leads.destinations import Target
from leadrail.leads.model import Lead
from leadrail.routing.model import Decision, PoolState, Prospect

DECISION_COLUMNS = (
    "id", "router", "created_at", "email", "rule", "via", "assignee", "assignees", "pool_key",
    "period", "credit_spent", "category", "prospect", "trace", "source",
)  # fmt: skip


MEETING_COLUMNS = (
    "id", "router", "decision_id", "meeting_type", "rep", "start", "\"end\"", "status", "email",
    "name", "notes", "guests", "location", "prospect", "sequence", "created_at", "timezone",
    "locale",
)  # fmt: skip


class Statements:
    """SQL for one dialect (``?`` placeholders become ``%s`` for psycopg)."""

    def __init__(self, dialect: str) -> None:
        self.postgres = dialect == "postgresql"
        q = self.q
        self.revision = q("SELECT revision FROM workspace_meta WHERE id = 1")
        self.lock_router = q("SELECT id FROM routers WHERE slug = ? FOR UPDATE")
        self.rotation = q(
            "SELECT pool_key, period, current, given_back FROM rotation_state WHERE pool_key = ?"
        )
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
            "INSERT INTO rotation_state (pool_key, period, current, given_back) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (pool_key) DO UPDATE SET period = excluded.period, "
            "current = excluded.current, given_back = excluded.given_back"
        )
        self.token_owner = q(
            "SELECT u.id, u.email, u.is_admin FROM api_tokens k JOIN users u ON u.id = k.user_id "
            "WHERE k.token_hash = ? AND u.active"
        )

        self.lock_rep = q("SELECT id FROM users WHERE email = ? FOR UPDATE")
        self.insert_meeting = q(
            f"INSERT INTO meetings ({', '.join(MEETING_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in MEETING_COLUMNS)})"
        )
        self.cancel_meeting = q(
            "UPDATE meetings SET status = 'cancelled', cancelled_at = ?, sequence = sequence + 1 "
            "WHERE id = ? AND status = 'booked'"
        )
        self.enqueue = q(
            "INSERT INTO outbox (kind, ref, payload, status, attempts, next_attempt_at, "
            "created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)"
        )

        self.insert_click = q(
            "INSERT INTO clicks (router, created_at, email, decision_id, utm) "
            "VALUES (?, ?, ?, ?, ?)"
        )
        self.busy = q(
            "SELECT start, \"end\" FROM meetings WHERE rep = ? AND status = 'booked' "
            'AND start < ? AND "end" > ? UNION ALL '
            'SELECT start, "end" FROM busy_blocks WHERE user_email = ? AND start < ? '
            'AND "end" > ?'
        )

        self.leads = LeadStatements(self)
        # what the driver raises for a broken unique constraint (a raw cursor's errors are
        # not SQLAlchemy's)
        self.integrity_error: type[Exception] = _integrity_error(self.postgres)

    def q(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def parse_when(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)

    def when(self, moment: datetime) -> object:
        """A timestamp as the column stores it: aware on PostgreSQL; on SQLite the UTC text
        form SQLAlchemy writes (so the ORM reads these rows back)."""
        utc = moment.astimezone(UTC)
        return utc if self.postgres else utc.strftime("%Y-%m-%d %H:%M:%S.%f")

    def load_json(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str | bytes) else value


def _integrity_error(postgres: bool) -> type[Exception]:
    if postgres:
        import psycopg

        return psycopg.IntegrityError
    import sqlite3

    return sqlite3.IntegrityError


class SqlRoutingTransaction:
    def __init__(self, cursor: Any, sql: Statements) -> None:
        self.cur = cursor
        self.sql = sql
        self.recorded: list[tuple[str, str]] = []  # (router, source) of each decision

    def revision(self) -> int:
        self.cur.execute(self.sql.revision)
        return int(self.cur.fetchone()[0])

    def rotation(self, pool_keys: Sequence[str]) -> Mapping[str, PoolState]:
        out = {}
        for key in dict.fromkeys(pool_keys):
            self.cur.execute(self.sql.rotation, (key,))
            row = self.cur.fetchone()
            if row is not None:
                back = self.sql.load_json(row[3]) if row[3] is not None else []
                given = tuple((str(u), str(w)) for u, w in back)
                out[row[0]] = PoolState(row[1], self.sql.load_json(row[2]), given)
        return out

    def credits(self) -> Mapping[str, int]:
        self.cur.execute(self.sql.credits)
        return {str(e): int(c) for e, c in self.cur.fetchall()}

    def assigned_between(
        self, kind: str, reps: Sequence[str], start: datetime, end: datetime
    ) -> list[tuple[str, datetime]]:
        """Caps' counts (only asked when a rep has a cap): meetings by start, form leads by
        their decision's time."""
        if not reps:
            return []
        marks = ", ".join("?" for _ in reps)
        sql = (
            f"SELECT rep, start FROM meetings WHERE status = 'booked' AND rep IN ({marks}) "
            "AND start >= ? AND start < ?"
            if kind == "meetings"
            else f"SELECT assignee, created_at FROM decisions WHERE source = 'lead' "
            f"AND assignee IN ({marks}) AND created_at >= ? AND created_at < ?"
        )
        self.cur.execute(self.sql.q(sql), (*reps, self.sql.when(start), self.sql.when(end)))
        return [(str(r), self.sql.parse_when(w)) for r, w in self.cur.fetchall()]

    def save_rotation(self, pool_key: str, state: PoolState) -> None:
        given = json.dumps([list(x) for x in state.given_back]) if state.given_back else None
        self.cur.execute(
            self.sql.save_state,
            (pool_key, state.period, json.dumps(dict(state.current)), given),
        )

    def decision_turn(self, decision_id: str) -> tuple[str, str, str] | None:
        """(pool key, period, assignee) of a decision that rotated a pool, or None."""
        self.cur.execute(
            self.sql.q(
                "SELECT pool_key, period, assignee FROM decisions WHERE id = ? "
                "AND pool_key IS NOT NULL AND period IS NOT NULL AND assignee IS NOT NULL"
            ),
            (decision_id,),
        )
        row = self.cur.fetchone()
        return None if row is None else (str(row[0]), str(row[1]), str(row[2]))

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
            self.save_rotation(decision.pool_key, state)
        decision_id = uuid.uuid4().hex
        cur.execute(
            sql.insert_decision,
            (
                decision_id, router, sql.when(decision.decided_at or datetime.now(UTC)),
                prospect.email, decision.rule, decision.via, decision.assignee,
                json.dumps(list(decision.assignees)), decision.pool_key,
                state.period if state else None, decision.credit_spent, decision.category,
                json.dumps(dict(prospect.fields)),
                json.dumps(decision.trace.to_json()), source,
            ),
        )  # fmt: skip
        self.recorded.append((router, source))
        return decision_id

    # --- bookings (the caller holds the rep's lock: see lock) ---------------------------
    def lock(self, rep: str) -> None:
        if self.sql.postgres:
            self.cur.execute(self.sql.lock_rep, (rep,))

    def busy_between(
        self, rep: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        self.lock(rep)
        a, b = self.sql.when(end), self.sql.when(start)
        self.cur.execute(self.sql.busy, (rep, a, b, rep, a, b))
        return [(self.sql.parse_when(x), self.sql.parse_when(y)) for x, y in self.cur.fetchall()]

    def insert_meeting(self, meeting: NewMeeting, now: datetime) -> None:
        w = self.sql.when
        self.cur.execute(
            self.sql.insert_meeting,
            (
                meeting.id, meeting.router, meeting.decision_id, meeting.meeting_type,
                meeting.rep, w(meeting.start), w(meeting.end), "booked", meeting.email,
                meeting.name, meeting.notes, json.dumps(meeting.guests), meeting.location,
                json.dumps(dict(meeting.prospect)), 0, w(now), meeting.timezone, meeting.locale,
            ),
        )  # fmt: skip

    def cancel_meeting(self, meeting_id: str, now: datetime) -> bool:
        self.cur.execute(self.sql.cancel_meeting, (self.sql.when(now), meeting_id))
        return bool(self.cur.rowcount == 1)

    def enqueue(self, job: Job, now: datetime) -> None:
        w = self.sql.when(now)
        due = self.sql.when(max(now, job.not_before)) if job.not_before else w
        payload = json.dumps(dict(job.payload))
        self.cur.execute(self.sql.enqueue, (job.kind.value, job.ref, payload, due, w))

    def save_lead(
        self,
        lead: Lead,
        *,
        key: str | None,
        trace: Sequence[str],
        targets: Sequence[Target],
        now: datetime,
        crm_sync: bool = False,
    ) -> StoredLead:
        """The lead with its deliveries, in this transaction (with the decision that routed
        it). A key its site already used raises DuplicateLead: the caller lets the whole
        transaction roll back."""
        try:
            return self.sql.leads.write(
                self.cur, lead, key=key, trace=trace, targets=targets, now=now, crm_sync=crm_sync
            )
        except self.sql.integrity_error as e:
            if key is None:
                raise
            raise DuplicateLead(str(e)) from None
