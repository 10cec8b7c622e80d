"""Writing a form lead, its deliveries and their outbox jobs on a DB-API cursor: the same
statements whether the lead comes alone (``SqlLeads.save_lead``) or in the transaction that
records its routing decision (``SqlRoutingTransaction.save_lead``), so a lead and the
decision that sent it commit together or not at all."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.delivery_json import delivery_json
from leadrail.app.ports import StoredLead
from leadrail.leads.codec import lead_to_data
from leadrail.leads.destinations import Target
from leadrail.leads.model import Lead

if TYPE_CHECKING:
    from leadrail.adapters.db.routing_tx import Statements

LEAD_COLUMNS = (
    "id", "created_at", "site", "idempotency_key", "category", "offer", "store", "email",
    "lead", "trace",
)  # fmt: skip
DELIVERY_COLUMNS = (
    "id", "lead_id", "address", "format", "secret_env", "attach_xml", "role", "status",
    "attempts", "created_at",
)  # fmt: skip


def _insert(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


class LeadStatements:
    """The statements of one dialect (see ``Statements``)."""

    def __init__(self, sql: Statements) -> None:
        self.sql = sql
        self.insert_lead = sql.q(_insert("leads", LEAD_COLUMNS))
        self.insert_delivery = sql.q(_insert("deliveries", DELIVERY_COLUMNS))

    def write(
        self,
        cur: Any,
        lead: Lead,
        *,
        key: str | None,
        trace: Sequence[str],
        targets: Sequence[Target],
        now: datetime,
        crm_sync: bool,
    ) -> StoredLead:
        """The lead, a delivery and its outbox job per target, and the CRM write when the
        site's router asks for one. A lead whose site already has ``key`` raises the
        driver's IntegrityError (``Statements.integrity_error``). Returns the lead as it
        will read back once committed (no second trip to the database)."""
        w = self.sql.when(now)
        data = json.dumps(lead_to_data(lead))
        cur.execute(
            self.insert_lead,
            (
                lead.id, w, lead.site, key, lead.category, lead.offer, lead.store,
                lead.customer.email, data, json.dumps(list(trace)),
            ),
        )  # fmt: skip
        deliveries: list[Mapping[str, Any]] = []
        for target in targets:
            delivery_id = uuid.uuid4().hex
            cur.execute(
                self.insert_delivery,
                (
                    delivery_id, lead.id, target.address, target.format, target.secret_env,
                    target.attach_xml, "primary", "pending", 0, w,
                ),
            )  # fmt: skip
            cur.execute(self.sql.enqueue, ("lead", delivery_id, "{}", w, w))
            row = t.Delivery(
                id=delivery_id, lead_id=lead.id, address=target.address, format=target.format,
                secret_env=target.secret_env, attach_xml=target.attach_xml, role="primary",
                status="pending", attempts=0, created_at=now,
            )  # fmt: skip
            deliveries.append(delivery_json(row, now))  # its job is due now
        if crm_sync:
            cur.execute(self.sql.enqueue, ("crm_lead", lead.id, "{}", w, w))
        return StoredLead(lead.id, now, lead.site, json.loads(data), list(trace), deliveries)
