"""Lead deliveries as the worker sees them (``app.delivery.ports.DeliveryRepo``): read one
before an attempt, record its receipt and what came of it (the status, the hand-over to the
fallback destination, the admins' alert) in one transaction. What a failure makes of a
delivery is decided in ``app.delivery.outcomes``."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.adapters.db.leads_repo import add_delivery
from leadrail.app.delivery.ports import Attempt, DeliveryToSend, Failure
from leadrail.app.outbox import JobKind
from leadrail.leads.codec import lead_from_data

TEXT_MAX = 2000  # the width of a receipt's response and a delivery's last error
ALERT = JobKind.LEAD_ALERT.value  # the outbox job that e-mails the admins a list of leads


class SqlDeliveriesRepo:
    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.writer = db.writer
        self.write_lock = db.write_lock  # SQLite writers of a process take turns

    def delivery(self, delivery_id: str) -> DeliveryToSend | None:
        with Session(self.engine) as s:
            d = s.get(t.Delivery, delivery_id)
            row = s.get(t.LeadRecord, d.lead_id) if d else None
            if d is None or row is None:
                return None
            return DeliveryToSend(
                id=d.id, lead=lead_from_data(dict(row.lead)), address=d.address,
                format=d.format, secret_env=d.secret_env, attach_xml=d.attach_xml,
                role=d.role, status=d.status,
            )  # fmt: skip

    def delivered(self, delivery_id: str, attempt: Attempt) -> None:
        with self.write_lock(), Session(self.writer) as s, s.begin():
            d = s.get_one(t.Delivery, delivery_id)
            d.status, d.delivered_at, d.last_error = "delivered", attempt.at, None
            d.attempts += 1
            s.add(_receipt(delivery_id, attempt, ok=True))

    def failed(self, delivery_id: str, attempt: Attempt, failure: Failure) -> None:
        with self.write_lock(), Session(self.writer) as s, s.begin():
            d = s.get_one(t.Delivery, delivery_id)
            d.attempts += 1
            d.last_error = attempt.response[:TEXT_MAX]
            s.add(_receipt(delivery_id, attempt, ok=False))
            if d.status == "stopped":  # an admin ended it while this attempt ran
                return
            d.status = failure.status
            if failure.hand_over is not None and not _has_fallback(s, d.lead_id):
                add_delivery(s, d.lead_id, failure.hand_over, "fallback", attempt.at)
            d.last_error = failure.last_error[:TEXT_MAX]
            if failure.alert:
                _alert_admins(s, d.lead_id, attempt)


def _receipt(delivery_id: str, attempt: Attempt, *, ok: bool) -> t.DeliveryAttempt:
    return t.DeliveryAttempt(
        delivery_id=delivery_id, at=attempt.at, ok=ok, response=attempt.response[:TEXT_MAX],
        payload=attempt.payload,
    )  # fmt: skip


def _has_fallback(s: Session, lead_id: str) -> bool:
    found = s.scalar(
        select(func.count())
        .select_from(t.Delivery)
        .where(t.Delivery.lead_id == lead_id, t.Delivery.role == "fallback")
    )
    return bool(found)


def _alert_admins(s: Session, lead_id: str, attempt: Attempt) -> None:
    """Tell the admins about this lead, once: it joins the alert that has not gone out yet,
    or starts a new one."""
    now = attempt.at
    first = s.execute(
        update(t.LeadRecord)
        .where(t.LeadRecord.id == lead_id, t.LeadRecord.alerted_at.is_(None))
        .values(alerted_at=now)
    )
    if first.rowcount != 1:  # type: ignore[attr-defined]
        return
    j = t.OutboxJob
    unsent = s.scalar(
        select(j)
        .where(j.kind == ALERT, j.status.in_(("pending", "waiting")))
        .order_by(j.id)
        .limit(1)
        .with_for_update()
    )
    if unsent is not None:
        unsent.payload = {**unsent.payload, "leads": [*unsent.payload.get("leads", []), lead_id]}
        return
    s.add(
        j(kind=ALERT, ref="admins", payload={"leads": [lead_id]}, status="pending",
          attempts=0, next_attempt_at=now, created_at=now)
    )  # fmt: skip
