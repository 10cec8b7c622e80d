"""A delivery and its attempts as the API shows them (read back, or as just written)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadrail.adapters.db import tables as t
from leadrail.app.delivery.outcomes import STATUS_TEXT


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
