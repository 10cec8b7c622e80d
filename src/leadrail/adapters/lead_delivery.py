"""Delivers one lead to one destination in its format (ADF/text/HTML e-mail over SMTP, or a
signed JSON webhook) and records a receipt for every attempt (what follows a failure:
``delivery_outcomes``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from leadrail.adapters.credentials import CredentialRefused, env_credential
from leadrail.adapters.db import tables as t
from leadrail.adapters.db.delivery_outcomes import record_failure
from leadrail.adapters.mail.smtp import MailError, SmtpMailer
from leadrail.adapters.outbound import Outbound, OutboundRefused
from leadrail.app.outbox import ClaimedJob, JobFailed, verdict
from leadrail.app.ports import LeadConfig
from leadrail.leads.codec import lead_from_data
from leadrail.leads.formats.adf import adf_email, render_adf
from leadrail.leads.formats.html import html_email, render_html
from leadrail.leads.formats.json_payload import lead_json, sign_webhook
from leadrail.leads.formats.text import render_text, text_email
from leadrail.leads.model import Lead, Provider, Vendor


class SendFailed(Exception):
    def __init__(self, message: str, *, retryable: bool, payload: str = "") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.payload = payload


class LeadDeliverer:
    def __init__(
        self,
        engine: Engine,
        mailer: SmtpMailer,
        sender: str,
        base_url: str,
        config: Callable[[], LeadConfig],
        http: httpx.Client | None = None,
    ) -> None:
        self.engine = engine
        self.writer = engine.execution_options(sqlite_immediate=True)
        self.mailer = mailer
        self.sender = sender
        self.provider = Provider(name="leadrail", url=base_url)
        self.config = config
        # webhook URLs are typed by admins: through the outbound guard
        self.http = http or Outbound().http_client("webhook URL", timeout=10.0)

    def run(self, job: ClaimedJob, now: datetime) -> str:
        with Session(self.engine) as s:
            d = s.get(t.Delivery, job.ref)
            row = s.get(t.LeadRecord, d.lead_id) if d else None
            if d is None or row is None:
                raise JobFailed(f"delivery {job.ref} no longer exists", retryable=False)
            if d.status == "delivered":
                return "already delivered"
            if d.status == "stopped":
                return "stopped by an admin: not sent"
            lead = lead_from_data(dict(row.lead))
            address, fmt, secret_env = d.address, d.format, d.secret_env
            attach = d.attach_xml
        try:
            response, payload = self._send(lead, job.ref, address, fmt, secret_env, attach)
        except SendFailed as e:
            then = verdict(job.attempts, e.retryable)
            record_failure(self.writer, self.config, job.ref, str(e), e.payload, then=then, now=now)
            raise JobFailed(str(e), retryable=e.retryable) from None
        self._delivered(job.ref, response, payload, now)
        return response

    def _vendor(self, lead: Lead) -> Vendor:
        return Vendor(name=lead.store or lead.site or "leadrail")

    def _send(
        self,
        lead: Lead,
        delivery_id: str,
        address: str,
        fmt: str,
        secret_env: str | None,
        attach: bool = False,
    ) -> tuple[str, str]:
        vendor = self._vendor(lead)
        if fmt == "json":
            return self._webhook(lead, vendor, delivery_id, address, secret_env)
        message = self._message(lead, vendor, delivery_id, address, fmt, attach)
        payload = message.as_string()
        try:
            return self.mailer.send_sync(message), payload
        except MailError as e:
            raise SendFailed(f"SMTP: {e}", retryable=e.retryable, payload=payload) from None

    def _message(
        self,
        lead: Lead,
        vendor: Vendor,
        delivery_id: str,
        address: str,
        fmt: str,
        attach: bool = False,
    ) -> EmailMessage:
        subject = f"Lead: {lead.category}" + (f" - {lead.offer}" if lead.offer else "")
        subject = " ".join(subject.split())[:200]  # a visitor's offer name: no line breaks
        to, mid = [address], f"<{delivery_id}@leadrail>"
        if fmt == "adf":  # the vendor's contact: this lead inbox, unless it has its own
            vendor = replace(vendor, email=vendor.email or address)
            document = render_adf(lead, vendor=vendor, provider=self.provider)
            return adf_email(
                document, sender=self.sender, to=to, subject=subject, message_id=mid, attach=attach
            )
        text = render_text(lead, vendor=vendor)
        if fmt == "html":
            return html_email(
                render_html(lead, vendor=vendor),
                text,
                sender=self.sender,
                to=to,
                subject=subject,
                message_id=mid,
            )
        return text_email(text, sender=self.sender, to=to, subject=subject, message_id=mid)

    def _webhook(
        self, lead: Lead, vendor: Vendor, delivery_id: str, url: str, secret_env: str | None
    ) -> tuple[str, str]:
        body = json.dumps(lead_json(lead, vendor=vendor), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "leadrail"}
        payload = body.decode()
        try:
            secret = env_credential(secret_env, "secret_env")
        except CredentialRefused as e:
            raise SendFailed(str(e), retryable=False, payload=payload) from None
        stamp = int(time.time())
        if secret:
            headers.update(sign_webhook(body, secret=secret, msg_id=delivery_id, timestamp=stamp))
        else:
            headers.update({"webhook-id": delivery_id, "webhook-timestamp": str(stamp)})
        try:
            with self.http.stream("POST", url, content=body, headers=headers) as r:
                head = _first_bytes(r, 2048)  # a receipt needs no more of the reply
        except OutboundRefused as e:
            raise SendFailed(str(e), retryable=False, payload=payload) from None
        except httpx.HTTPError as e:
            raise SendFailed(
                f"HTTP: {type(e).__name__}: {e}", retryable=True, payload=payload
            ) from None
        answer = reply_summary(r.status_code, r.reason_phrase, head.decode("utf-8", "replace"))
        if r.status_code >= 300:
            retryable = r.status_code >= 500 or r.status_code in (408, 409, 425, 429)
            raise SendFailed(answer, retryable=retryable, payload=payload)
        return answer, payload

    def _delivered(self, delivery_id: str, response: str, payload: str, now: datetime) -> None:
        with Session(self.writer) as s, s.begin():
            d = s.get_one(t.Delivery, delivery_id)
            d.status, d.delivered_at, d.last_error = "delivered", now, None
            d.attempts += 1
            s.add(
                t.DeliveryAttempt(
                    delivery_id=delivery_id, at=now, ok=True, response=response[:2000],
                    payload=payload,
                )
)  # fmt: skip


def _first_bytes(r: httpx.Response, limit: int) -> bytes:
    out = b""
    for chunk in r.iter_bytes():
        out += chunk
        if len(out) >= limit:
            break
    return out[:limit]


def reply_summary(status: int, reason: str, text: str, excerpt: int = 120) -> str:
    """What a receipt keeps of a webhook's reply: the status, and for a failure a short
    excerpt of the body on one line (to see "invalid signature"); a successful reply's body
    is never kept."""
    head = f"HTTP {status} {reason}".strip()
    if status < 300:
        return head
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if not text:
        return head
    return f"{head}: {text[:excerpt]}" + ("…" if len(text) > excerpt else "")
