"""Lead deliveries and the senders: mail, webhooks, secrets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from leadrail.app.delivery.ports import Attempt, DeliveryToSend, Failure, WebhookReply
from leadrail.app.outbox import JobKind, SendFailed
from leadrail.leads.destinations import Target
from leadrail.leads.model import Lead
from tests.fakes.outbox import FakeOutboxRepo


@dataclass
class FakeDelivery:
    id: str
    lead: Lead
    target: Target
    role: str
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None
    delivered_at: datetime | None = None
    receipts: list[tuple[bool, Attempt]] = field(default_factory=list)


class FakeDeliveryRepo:
    """Deliveries with their receipts; a new delivery (and an alert) is an outbox job."""

    def __init__(self, outbox: FakeOutboxRepo) -> None:
        self.outbox = outbox
        self.deliveries: dict[str, FakeDelivery] = {}
        self.alerted: list[str] = []  # lead ids, in the order admins were told

    def add(self, lead: Lead, target: Target, now: datetime, role: str = "primary") -> str:
        delivery_id = f"d{len(self.deliveries) + 1}"
        self.deliveries[delivery_id] = FakeDelivery(delivery_id, lead, target, role)
        self.outbox.add(JobKind.LEAD, delivery_id, now)
        return delivery_id

    def of_lead(self, lead_id: str, role: str | None = None) -> list[FakeDelivery]:
        found = [d for d in self.deliveries.values() if d.lead.id == lead_id]
        return [d for d in found if role is None or d.role == role]

    def delivery(self, delivery_id: str) -> DeliveryToSend | None:
        d = self.deliveries.get(delivery_id)
        if d is None:
            return None
        t = d.target
        return DeliveryToSend(
            d.id, d.lead, t.address, t.format, t.secret_env, t.attach_xml, d.role, d.status
        )

    def delivered(self, delivery_id: str, attempt: Attempt) -> None:
        d = self.deliveries[delivery_id]
        d.status, d.delivered_at, d.last_error = "delivered", attempt.at, None
        d.attempts += 1
        d.receipts.append((True, attempt))

    def failed(self, delivery_id: str, attempt: Attempt, failure: Failure) -> None:
        d = self.deliveries[delivery_id]
        d.attempts += 1
        d.last_error = attempt.response
        d.receipts.append((False, attempt))
        if d.status == "stopped":
            return
        d.status, d.last_error = failure.status, failure.last_error
        if failure.hand_over is not None and not self.of_lead(d.lead.id, "fallback"):
            self.add(d.lead, failure.hand_over, attempt.at, role="fallback")
        if failure.alert and d.lead.id not in self.alerted:
            self.alerted.append(d.lead.id)
            unsent = [
                j
                for j in self.outbox.of_kind(JobKind.LEAD_ALERT)
                if j.status in ("pending", "waiting")
            ]
            if unsent:
                unsent[0].payload["leads"].append(d.lead.id)
            else:
                self.outbox.add(JobKind.LEAD_ALERT, "admins", attempt.at, {"leads": [d.lead.id]})

    def stop(self, delivery_id: str) -> None:
        """An admin stops a delivery (``outbox.stop`` stops its job)."""
        self.deliveries[delivery_id].status = "stopped"


class FakeMailSender:
    """Takes every message, unless the server is ``down`` (every send fails with it) or
    refuses a recipient (``refusals``)."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.down: SendFailed | None = None
        self.refusals: dict[str, SendFailed] = {}

    def send(self, message: EmailMessage) -> str:
        if self.down is not None:
            raise self.down
        for to in str(message["To"]).split(", "):
            if to in self.refusals:
                raise self.refusals[to]
        self.sent.append(message)
        return f"250 OK queued as {len(self.sent)}"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.sent if address in str(m["To"]).split(", ")]


class FakeWebhookSender:
    """Answers each POST with the next of ``replies`` (a reply, or a SendFailed to raise);
    200 OK when there are none left."""

    def __init__(self, *replies: WebhookReply | SendFailed) -> None:
        self.replies = list(replies)
        self.posts: list[tuple[str, bytes, dict[str, str]]] = []

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> WebhookReply:
        self.posts.append((url, body, dict(headers)))
        reply = self.replies.pop(0) if self.replies else WebhookReply(200, "OK", "")
        if isinstance(reply, SendFailed):
            raise reply
        return reply


class FakeSecrets:
    def __init__(self, **values: str) -> None:
        self.values = values

    def secret(self, name: str | None, field: str) -> str | None:
        if name and not name.startswith("LEADRAIL_CRED_"):
            raise SendFailed(f"{field}: {name} is not used as a credential", retryable=False)
        return self.values.get(name or "")
