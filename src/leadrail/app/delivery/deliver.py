"""The ``lead`` job: deliver one lead to one destination in its format (an e-mail over
SMTP, or a signed JSON webhook) and keep a receipt of every attempt. A failed attempt is
retried, waits for the server, hands the lead to the fallback or gives up, as
``outcomes`` decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from leadrail.app.delivery.outcomes import failure
from leadrail.app.delivery.ports import (
    Attempt,
    DeliveryRepo,
    DeliveryToSend,
    Secrets,
    WebhookSender,
)
from leadrail.app.delivery.render import (
    lead_message,
    reply_summary,
    webhook_body,
    webhook_headers,
    webhook_retryable,
)
from leadrail.app.outbox import ClaimedJob, JobFailed, MailSender, SendFailed, verdict
from leadrail.app.ports import LeadConfig
from leadrail.leads.model import Provider


@dataclass(frozen=True)
class Sent:
    """One attempt's result: the reply (or the error) and what was sent."""

    response: str
    payload: str
    ok: bool = True
    retryable: bool = False


class DeliverLead:
    def __init__(
        self,
        repo: DeliveryRepo,
        lead_config: Callable[[], LeadConfig],
        mail: MailSender,
        webhooks: WebhookSender,
        secrets: Secrets,
        *,
        sender: str,
        base_url: str,
        wall_clock: Callable[[], datetime],
    ) -> None:
        self.repo = repo
        self.lead_config = lead_config  # the workspace's fallback destination
        self.mail = mail
        self.webhooks = webhooks
        self.secrets = secrets
        self.sender = sender
        self.provider = Provider(name="leadrail", url=base_url)
        # a webhook's timestamp is the real time of sending: receivers check it
        self.wall_clock = wall_clock

    def __call__(self, job: ClaimedJob, now: datetime) -> str:
        d = self.repo.delivery(job.ref)
        if d is None:
            raise JobFailed(f"delivery {job.ref} no longer exists", retryable=False)
        if d.status == "delivered":
            return "already delivered"
        if d.status == "stopped":
            return "stopped by an admin: not sent"
        sent = self.send(d)
        attempt = Attempt(now, sent.response, sent.payload)
        if sent.ok:
            self.repo.delivered(d.id, attempt)
            return sent.response
        then = verdict(job.attempts, sent.retryable)
        fallback = self.lead_config().fallback
        self.repo.failed(d.id, attempt, failure(then, d.role, d.address, sent.response, fallback))
        raise JobFailed(sent.response, retryable=sent.retryable)

    def send(self, d: DeliveryToSend) -> Sent:
        """One attempt, through the sender of the destination's transport."""
        if d.format == "json":
            return self._webhook(d)
        return self._mail(d)

    def _mail(self, d: DeliveryToSend) -> Sent:
        message = lead_message(
            d.lead, fmt=d.format, address=d.address, delivery_id=d.id, sender=self.sender,
            provider=self.provider, attach=d.attach_xml,
        )  # fmt: skip
        payload = message.as_string()
        try:
            return Sent(self.mail.send(message), payload)
        except SendFailed as e:
            return Sent(e.message, payload, ok=False, retryable=e.retryable)

    def _webhook(self, d: DeliveryToSend) -> Sent:
        body = webhook_body(d.lead)
        payload = body.decode()
        try:
            secret = self.secrets.secret(d.secret_env, "secret_env")
            stamp = int(self.wall_clock().timestamp())
            reply = self.webhooks.post(d.address, body, webhook_headers(body, d.id, secret, stamp))
        except SendFailed as e:
            return Sent(e.message, payload, ok=False, retryable=e.retryable)
        answer = reply_summary(reply.status, reply.reason, reply.head)
        if reply.status >= 300:
            return Sent(answer, payload, ok=False, retryable=webhook_retryable(reply.status))
        return Sent(answer, payload)
