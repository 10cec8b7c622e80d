"""The decisions ledger, read: the API's and the dashboard's list and detail."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.app.ports import LedgerRow
from leadrail.routing.trace import Trace


class SqlLedgerRepo:
    """Implements the LedgerRepo port."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def decisions(
        self, router: str | None = None, email: str | None = None, limit: int = 100
    ) -> Iterator[LedgerRow]:
        q = select(t.Decision).order_by(t.Decision.seq.desc()).limit(limit)
        if router:
            q = q.where(t.Decision.router == router)
        if email:
            q = q.where(t.Decision.email == email.strip().lower())
        with self.db.sessions() as s:
            rows = s.scalars(q).all()
        return iter([ledger_row(r) for r in rows])

    def decision(self, decision_id: str) -> LedgerRow | None:
        with self.db.sessions() as s:
            row = s.scalar(select(t.Decision).where(t.Decision.id == decision_id))
            return ledger_row(row) if row else None


def ledger_row(r: t.Decision) -> LedgerRow:
    return LedgerRow(
        id=r.id,
        router=r.router,
        created_at=r.created_at,
        email=r.email,
        rule=r.rule,
        via=r.via,
        assignees=list(r.assignees),
        trace=Trace.from_json(r.trace),
        prospect=dict(r.prospect),
    )
