"""Recording a failed delivery attempt: the receipt, the delivery's status, the hand-over to
the fallback destination and the admins' alert, in one transaction (the policy is
``app.deliveries.after_failure``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.leads_repo import add_delivery
from leadrail.app.deliveries import after_failure
from leadrail.app.outbox import Verdict
from leadrail.app.ports import LeadConfig

ALERT = "lead_alert"  # the outbox job that e-mails the admins a list of leads


def record_failure(
    writer: Engine,
    config: Callable[[], LeadConfig],
    delivery_id: str,
    error: str,
    payload: str,
    *,
    then: Verdict,
    now: datetime,
) -> None:
    with Session(writer) as s, s.begin():
        d = s.get_one(t.Delivery, delivery_id)
        d.attempts += 1
        d.last_error = error[:2000]
        s.add(
            t.DeliveryAttempt(
                delivery_id=delivery_id, at=now, ok=False, response=error[:2000], payload=payload
            )
        )
        if d.status == "stopped":  # an admin ended it while this attempt ran
            return
        fallback = config().fallback
        elsewhere = fallback is not None and fallback.address.lower() != d.address.lower()
        outcome = after_failure(then, d.role, elsewhere)
        d.status = outcome.status
        if outcome.hand_over and fallback is not None:
            if not _has_fallback(s, d.lead_id):
                add_delivery(s, d.lead_id, fallback, "fallback", now)
            d.last_error = f"{error[:1900]} (sent to the fallback {fallback.address})"
        if outcome.alert:
            alert_admins(s, d.lead_id, now)


def _has_fallback(s: Session, lead_id: str) -> bool:
    found = s.scalar(
        select(func.count())
        .select_from(t.Delivery)
        .where(t.Delivery.lead_id == lead_id, t.Delivery.role == "fallback")
    )
    return bool(found)


def alert_admins(s: Session, lead_id: str, now: datetime) -> None:
    """Tell the admins about this lead, once: it joins the alert that has not gone out yet,
    or starts a new one."""
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
        j(kind=ALERT, ref="admins", payload={"leads": [lead_id]}, status="pending", attempts=0,
          next_attempt_at=now, created_at=now)
    )  # fmt: skip
