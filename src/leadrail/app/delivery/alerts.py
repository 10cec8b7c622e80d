"""The ``lead_alert`` job: e-mail the admins the leads that could not be delivered on time,
each with where it stands now (the alert may go out after the server came back)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from leadrail.app.delivery.outcomes import STATUS_TEXT
from leadrail.app.outbox import ClaimedJob, MailSender
from leadrail.app.ports import StoredLead
from leadrail.leads.formats.text import text_email


class Admins(Protocol):
    def admin_emails(self) -> list[str]: ...  # the active admins' addresses


class LeadLookup(Protocol):
    def lead(self, lead_id: str) -> StoredLead | None: ...


class AlertAdmins:
    def __init__(
        self, admins: Admins, leads: LeadLookup, mail: MailSender, *, sender: str, base_url: str
    ) -> None:
        self.admins = admins
        self.leads = leads
        self.mail = mail
        self.sender = sender
        self.base_url = base_url

    def __call__(self, job: ClaimedJob, now: datetime) -> str:
        admins = self.admins.admin_emails()
        found = [self.leads.lead(str(i)) for i in job.payload.get("leads", [])]
        leads = [x for x in found if x is not None]
        if not admins or not leads:
            return "nobody to tell" if not admins else "nothing to tell"
        subject, body = alert_text(leads, self.base_url)
        message = text_email(
            body, sender=self.sender, to=admins, subject=subject,
            message_id=f"<alert-{job.id}@leadrail>",
        )  # fmt: skip
        return self.mail.send(message)


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
