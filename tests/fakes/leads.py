"""Stored form leads in memory: what ``SqlLeadsRepo`` promises of saving a lead with its
deliveries and finding it again by id or by its site's Idempotency-Key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from leadrail.app.ports import DuplicateLead, StoredLead
from leadrail.leads.codec import lead_to_data
from leadrail.leads.destinations import Target
from leadrail.leads.model import Lead


class FakeLeadRepo:
    """The LeadRepo port's stored leads (``save_lead``, ``lead``, ``lead_by_key``)."""

    def __init__(self) -> None:
        self.leads: dict[str, StoredLead] = {}
        self.keys: dict[tuple[str, str], str] = {}  # (site, key) -> lead id

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
        if key is not None and (lead.site, key) in self.keys:
            raise DuplicateLead(f"{lead.site!r} already has a lead with key {key!r}")
        deliveries: list[Mapping[str, Any]] = [
            {
                "lead_id": lead.id,
                "destination": t.address,
                "format": t.format,
                "role": "primary",
                "status": "pending",
                "attempt_count": 0,
            }  # fmt: skip
            for t in targets
        ]
        stored = StoredLead(lead.id, now, lead.site, lead_to_data(lead), list(trace), deliveries)
        self.leads[lead.id] = stored
        if key is not None:
            self.keys[(lead.site, key)] = lead.id
        return stored

    def lead_by_key(self, site: str, key: str) -> StoredLead | None:
        lead_id = self.keys.get((site, key))
        return self.leads[lead_id] if lead_id else None

    def lead(self, lead_id: str) -> StoredLead | None:
        return self.leads.get(lead_id)
