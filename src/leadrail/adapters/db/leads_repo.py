"""Leads, deliveries and their receipts in the database."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.adapters.db.routing_tx import Statements
from leadrail.app.delivery.outcomes import STATUS_TEXT
from leadrail.app.outbox.jobs import JobKind
from leadrail.app.ports import DuplicateLead, LeadConfig, SiteInfo, StoredLead, StoreInfo
from leadrail.leads.destinations import Target
from leadrail.leads.model import Lead

LEAD_JOB = JobKind.LEAD.value  # the outbox job that delivers a lead to one destination
RETRYING = ("pending", "running", "waiting")  # outbox jobs still being tried


def _target(d: t.LeadDestination) -> Target:
    return Target(d.address, d.format, d.secret_env, d.attach_xml)  # type: ignore[arg-type]


class SqlLeadsRepo:
    """Implements the LeadRepo port."""

    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.writer = db.writer
        self.write_lock = db.write_lock  # SQLite writers of a process take turns
        self.sql = Statements(db.engine.dialect.name)
        self._config: LeadConfig | None = None
        self._lock = threading.Lock()

    def lead_config(self) -> LeadConfig:
        with Session(self.engine) as s:
            revision = int(s.scalar(select(t.WorkspaceMeta.revision)) or 0)
            cached = self._config
            if cached is not None and cached.revision == revision:
                return cached
            config = self._load_config(s, revision)
        with self._lock:
            self._config = config
        return config

    def _load_config(self, s: Session, revision: int) -> LeadConfig:
        meta = s.get_one(t.WorkspaceMeta, 1)
        names = {c.id: c.name for c in s.scalars(select(t.Category))}
        dests = s.scalars(select(t.LeadDestination).order_by(t.LeadDestination.position)).all()
        categories: dict[str, list[Target]] = {n: [] for n in names.values()}
        per_store: dict[int, dict[str, list[Target]]] = {}
        fallback = None
        for d in dests:
            if d.store_id is not None and d.category_id is not None:
                per_store.setdefault(d.store_id, {}).setdefault(names[d.category_id], []).append(
                    _target(d)
                )
            elif d.category_id is not None:
                categories[names[d.category_id]].append(_target(d))
            else:
                fallback = _target(d)
        stores = {
            x.name: StoreInfo(
                x.name,
                x.latitude,
                x.longitude,
                {k: tuple(v) for k, v in per_store.get(x.id, {}).items()},
            )
            for x in s.scalars(select(t.Store))
        }
        sites = {
            x.key: SiteInfo(x.name, x.key, x.config.get("thank_you_url"), x.config.get("router"))
            for x in s.scalars(select(t.Site))
        }
        return LeadConfig(
            revision,
            {k: tuple(v) for k, v in categories.items()},
            fallback,
            stores,
            bool(meta.settings.get("nearest_store_routing")),
            meta.settings.get("nearest_store_max_km"),
            sites,
        )

    def save_lead(
        self,
        lead: Lead,
        *,
        key: str | None,
        trace: Sequence[str],
        targets: Sequence[Target],
        now: datetime,
        crm_sync: bool = False,
    ) -> None:
        """The lead, its deliveries and their outbox jobs (and the CRM write when the site's
        router asks for one), in one transaction (see ``lead_writes``)."""
        try:
            with self.write_lock(), self.writer.begin() as conn:
                cur = conn.connection.cursor()
                try:
                    self.sql.leads.write(
                        cur, lead, key=key, trace=trace, targets=targets, now=now,
                        crm_sync=crm_sync,
                    )  # fmt: skip
                finally:
                    cur.close()
        except self.sql.integrity_error as e:
            if key is not None:
                raise DuplicateLead(str(e)) from None
            raise

    def lead_by_key(self, site: str, key: str) -> StoredLead | None:
        with Session(self.engine) as s:
            row = s.scalar(
                select(t.LeadRecord).where(
                    t.LeadRecord.site == site, t.LeadRecord.idempotency_key == key
                )
            )
            return self._stored(s, row) if row else None

    def lead(self, lead_id: str) -> StoredLead | None:
        with Session(self.engine) as s:
            row = s.get(t.LeadRecord, lead_id)
            return self._stored(s, row) if row else None

    def _stored(self, s: Session, row: t.LeadRecord) -> StoredLead:
        deliveries = s.scalars(
            select(t.Delivery)
            .where(t.Delivery.lead_id == row.id)
            .order_by(t.Delivery.created_at, t.Delivery.id)
        ).all()
        nexts = _next_attempts(s, [d.id for d in deliveries])
        return StoredLead(
            row.id,
            row.created_at,
            row.site,
            dict(row.lead),
            list(row.trace),
            [delivery_json(d, nexts.get(d.id)) for d in deliveries],
        )

    def deliveries(
        self,
        *,
        lead: str | None = None,
        status: str | None = None,
        destination: str | None = None,
        limit: int = 100,
        with_attempts: bool = True,
    ) -> list[dict[str, Any]]:
        q = select(t.Delivery).order_by(t.Delivery.created_at.desc(), t.Delivery.id).limit(limit)
        if lead:
            q = q.where(t.Delivery.lead_id == lead)
        if status:
            q = q.where(t.Delivery.status == status)
        if destination:
            q = q.where(func.lower(t.Delivery.address) == destination.strip().lower())
        with Session(self.engine) as s:
            rows = s.scalars(q).all()
            nexts = _next_attempts(s, [r.id for r in rows])
            attempts: dict[str, list[dict[str, Any]]] = {}
            if with_attempts and rows:
                for a in s.scalars(
                    select(t.DeliveryAttempt)
                    .where(t.DeliveryAttempt.delivery_id.in_([r.id for r in rows]))
                    .order_by(t.DeliveryAttempt.id)
                ):
                    attempts.setdefault(a.delivery_id, []).append(attempt_json(a))
            if not with_attempts:
                return [delivery_json(r, nexts.get(r.id)) for r in rows]
            return [
                {**delivery_json(r, nexts.get(r.id)), "attempts": attempts.get(r.id, [])}
                for r in rows
            ]

    def stop(self, delivery_id: str, now: datetime, by: str) -> dict[str, Any] | None:
        """An admin ends the retries of a delivery not delivered yet (its job stops; a send
        already under way may still go through, and then its receipt says so)."""
        with self.write_lock(), Session(self.writer) as s, s.begin():
            d = s.get(t.Delivery, delivery_id)
            if d is None:
                return None
            if d.status in ("pending", "waiting"):
                d.status, d.last_error = "stopped", f"retries stopped by {by}"
                j = t.OutboxJob
                s.execute(
                    update(j)
                    .where(j.kind == LEAD_JOB, j.ref == delivery_id, j.status.in_(RETRYING))
                    .values(status="stopped", claim=None, done_at=now, last_error=d.last_error)
                )
            return delivery_json(d)

    def resend(self, delivery_id: str, now: datetime) -> str | None:
        with self.write_lock(), Session(self.writer) as s, s.begin():
            d = s.get(t.Delivery, delivery_id)
            if d is None:
                return None
            target = Target(d.address, d.format, d.secret_env, d.attach_xml)  # type: ignore[arg-type]
            return add_delivery(s, d.lead_id, target, "resend", now)


def add_delivery(s: Session, lead_id: str, target: Target, role: str, now: datetime) -> str:
    delivery_id = uuid.uuid4().hex
    s.add(
        t.Delivery(
            id=delivery_id,
            lead_id=lead_id,
            address=target.address,
            format=target.format,
            secret_env=target.secret_env,
            attach_xml=target.attach_xml,
            role=role,
            status="pending",
            attempts=0,
            created_at=now,
        )
    )
    s.add(
        t.OutboxJob(
            kind=LEAD_JOB,
            ref=delivery_id,
            payload={},
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return delivery_id


def _next_attempts(s: Session, delivery_ids: list[str]) -> dict[str, datetime]:
    """When each delivery still being tried is tried next."""
    if not delivery_ids:
        return {}
    j = t.OutboxJob
    q = select(j.ref, j.next_attempt_at).where(
        j.kind == LEAD_JOB, j.ref.in_(delivery_ids), j.status.in_(RETRYING)
    )
    return {str(ref): at for ref, at in s.execute(q).all()}  # noqa: C416


def delivery_json(d: t.Delivery, next_attempt_at: datetime | None = None) -> dict[str, Any]:
    retrying = d.status in ("pending", "waiting") and next_attempt_at is not None
    return {
        "id": d.id,
        "lead_id": d.lead_id,
        "destination": d.address,
        "format": d.format,
        "role": d.role,
        "status": d.status,
        "status_text": STATUS_TEXT.get(d.status, d.status),
        "next_attempt_at": next_attempt_at.isoformat() if retrying and next_attempt_at else None,
        "attempt_count": d.attempts,
        "last_error": d.last_error,
        "message_id": f"<{d.id}@leadrail>",
        "created_at": d.created_at.isoformat(),
        "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
    }


def attempt_json(a: t.DeliveryAttempt) -> dict[str, Any]:
    return {"at": a.at.isoformat(), "ok": a.ok, "response": a.response, "payload": a.payload}
