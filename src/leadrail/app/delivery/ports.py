"""What delivering a lead needs from the world: the deliveries and their receipts, a sender
per transport (mail: ``app.outbox.MailSender``; webhooks) and the named secrets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from leadrail.leads.destinations import Target
from leadrail.leads.model import Lead


@dataclass(frozen=True)
class DeliveryToSend:
    """One delivery as the worker reads it before an attempt."""

    id: str  # also the message id receivers see on every attempt
    lead: Lead
    address: str  # an e-mail address or a webhook URL
    format: str  # adf | text | html | json
    secret_env: str | None  # json: the variable holding the signing secret
    attach_xml: bool
    role: str  # primary | fallback | resend
    status: str


@dataclass(frozen=True)
class Attempt:
    """One attempt's receipt: what was sent (``payload``), when, and what came back."""

    at: datetime
    response: str  # the server's reply, or why it failed
    payload: str


@dataclass(frozen=True)
class Failure:
    """What a failed attempt makes of its delivery (decided by ``outcomes.after_failure``)."""

    status: str
    last_error: str
    hand_over: Target | None  # give the lead to this destination too (once per lead)
    alert: bool  # tell the admins (once per lead)


class DeliveryRepo(Protocol):
    def delivery(self, delivery_id: str) -> DeliveryToSend | None:
        """None when the delivery or its lead no longer exists."""
        ...

    def delivered(self, delivery_id: str, attempt: Attempt) -> None: ...

    def failed(self, delivery_id: str, attempt: Attempt, failure: Failure) -> None:
        """In one transaction: the receipt, and (unless an admin stopped the delivery while
        the attempt ran) ``failure``: the status, the hand-over to ``failure.hand_over``
        unless the lead already has a fallback delivery, and the admins' alert unless they
        were told about this lead already."""
        ...


@dataclass(frozen=True)
class WebhookReply:
    status: int
    reason: str
    head: str  # the start of the body (a receipt needs no more)


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> WebhookReply:
        """POST to a URL an admin typed; raises SendFailed when no reply came (retryable)
        or the URL is refused (not retryable)."""
        ...


class Secrets(Protocol):
    def secret(self, name: str | None, field: str) -> str | None:
        """The value of the secret named ``name`` (None: none named, or not set); raises
        SendFailed (not retryable) when ``name`` may not hold a secret."""
        ...
