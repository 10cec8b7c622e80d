"""The decisions ledger in memory: decisions recorded (as a routing transaction's ``record``
does) and read back newest first, as ``SqlLedgerRepo`` reads them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from leadrail.app.ports import LedgerRow
from leadrail.routing.model import Decision, Prospect


class FakeLedgerRepo:
    """The LedgerRepo port, and ``record`` of the routing transaction that writes it."""

    def __init__(self) -> None:
        self.rows: list[LedgerRow] = []  # oldest first
        self.sources: dict[str, str] = {}

    def record(
        self,
        router: str,
        prospect: Prospect,
        decision: Decision,
        *,
        source: str,
        raw: Mapping[str, Any],
    ) -> str:
        decision_id = uuid.uuid4().hex
        row = LedgerRow(decision_id, router, decision.decided_at or datetime.now(UTC),
                        prospect.email, decision.rule, decision.via, list(decision.assignees),
                        decision.trace, dict(prospect.fields))  # fmt: skip
        self.rows.append(row)
        self.sources[decision_id] = source
        return decision_id

    def decisions(
        self, router: str | None = None, email: str | None = None, limit: int = 100
    ) -> Iterator[LedgerRow]:
        email = email.strip().lower() if email else None
        found = [
            r
            for r in reversed(self.rows)
            if (not router or r.router == router) and (not email or r.email == email)
        ]
        return iter(found[:limit])

    def decision(self, decision_id: str) -> LedgerRow | None:
        return next((r for r in self.rows if r.id == decision_id), None)
