"""What a failed attempt to deliver a lead makes of its delivery (the receipt's status),
whether the lead also goes to the fallback destination, and whether admins are told.

A lead is never abandoned while a destination can still take it:

- within the retry budget, the delivery stays ``pending`` (retried with backoff);
- past the budget, a transient fault makes it ``waiting`` ("waiting for the server"): it is
  retried at a capped interval for as long as it takes; a primary destination also hands
  the lead to the fallback destination meanwhile (once per lead), and admins are told;
- a refusal for good ends it: a primary hands over to the fallback (``fell_back``); a
  delivery with nobody to hand over to is ``failed``, and admins are told.

Admins are told once per lead (the first delivery of the lead that needs them), through the
outbox, never once per retry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leadrail.app.outbox import Verdict
from leadrail.app.ports import StoredLead

STATUS_TEXT = {
    "pending": "sending",
    "delivered": "delivered",
    "waiting": "waiting for the server",
    "failed": "refused for good",
    "fell_back": "refused; sent to the fallback",
    "stopped": "stopped by an admin",
}
STATUSES = tuple(STATUS_TEXT)


@dataclass(frozen=True)
class AfterFailure:
    status: str
    hand_over: bool  # send the lead to the fallback destination too (once per lead)
    alert: bool  # tell the admins (once per lead)


def after_failure(then: Verdict, role: str, fallback_elsewhere: bool) -> AfterFailure:
    """``fallback_elsewhere``: a fallback destination exists at another address."""
    primary = role == "primary" and fallback_elsewhere
    if then == "retry":
        return AfterFailure("pending", hand_over=False, alert=False)
    if then == "wait":
        return AfterFailure("waiting", hand_over=primary, alert=True)
    if primary:
        return AfterFailure("fell_back", hand_over=True, alert=False)
    return AfterFailure("failed", hand_over=False, alert=True)


def _who(data: Mapping[str, Any]) -> str:
    c = data.get("customer") or {}
    name = " ".join(str(c.get(k) or "") for k in ("first_name", "last_name")).strip()
    name = name or str(c.get("name") or c.get("full_name") or "")
    email = str(c.get("email") or "")
    return " ".join(" ".join(x for x in (name, f"<{email}>" if email else "") if x).split())


def alert_text(leads: Sequence[StoredLead], base_url: str) -> tuple[str, str]:
    """The admins' alert: the subject and the plain-text body, each lead with where it
    stands now (the alert may go out after the server came back)."""
    n = len(leads)
    subject = f"leadrail: {n} lead{'s' if n != 1 else ''} could not be delivered on time"
    parts = [
        "These leads could not be delivered within the retry budget. A delivery waiting for "
        "the server is tried again every hour until it goes through; one refused for good "
        "is not. Where each one stands now:",
    ]
    for lead in leads:
        lines = [f"Lead {lead.id}: {lead.data.get('category', '')}, {_who(lead.data)}"]
        for d in lead.deliveries:
            status = STATUS_TEXT.get(str(d["status"]), str(d["status"]))
            error = f" ({d['last_error']})" if d.get("last_error") else ""
            lines.append(f"  {d['destination']} ({d['role']}): {status}{error}")
        lines.append(f"  Receipts: {base_url.rstrip('/')}/admin/receipts/{lead.id}")
        parts.append("\n".join(lines))
    return subject, "\n\n".join(parts) + "\n"
