"""Delivers one lead to one destination in its format (ADF/text/HTML e-mail over SMTP, or a
signed JSON webhook), records a receipt for every attempt, and after the last attempt hands
the lead to the fallback destination."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from leadrail.adapters.credentials import CredentialRefused, env_credential
from leadrail.adapters.db import tables as t
from leadrail.adapters.db.leads_repo import add_delivery
from leadrail.adapters.mail.smtp import MailError, SmtpMailer
from leadrail.adapters.outbound import Outbound, OutboundRefused
from leadrail.app.outbox import MAX_ATTEMPTS, ClaimedJob, JobFailed
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

    def run(self, job: ClaimedJob) -> str:
        with Session(self.engine) as s:
            d = s.get(t.Delivery, job.ref)
            row = s.get(t.LeadRecord, d.lead_id) if d else None
            if d is None or row is None:
                raise JobFailed(f"delivery {job.ref} no longer exists", retryable=False)
            if d.status == "delivered":
                return "already delivered"
            lead = lead_from_data(dict(row.lead))
            address, fmt, secret_env, role = d.address, d.format, d.secret_env, d.role
            attach = d.attach_xml
        try:
            response, payload = self._send(lead, job.ref, address, fmt, secret_env, attach)
        except SendFailed as e:
            final = not e.retryable or job.attempts >= MAX_ATTEMPTS
            self._failed(job.ref, str(e), e.payload, final=final, role=role, lead_id=lead.id)
            raise JobFailed(str(e), retryable=not final) from None
        self._delivered(job.ref, response, payload)
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

    def _delivered(self, delivery_id: str, response: str, payload: str) -> None:
        now = datetime.now(UTC)
        with Session(self.writer) as s, s.begin():
            d = s.get_one(t.Delivery, delivery_id)
            d.status, d.delivered_at, d.attempts, d.last_error = (
                "delivered",
                now,
                d.attempts + 1,
                None,
            )
            s.add(
                t.DeliveryAttempt(
                    delivery_id=delivery_id,
                    at=now,
                    ok=True,
                    response=response[:2000],
                    payload=payload,
                )
            )

    def _failed(
        self, delivery_id: str, error: str, payload: str, *, final: bool, role: str, lead_id: str
    ) -> None:
        now = datetime.now(UTC)
        with Session(self.writer) as s, s.begin():
            d = s.get_one(t.Delivery, delivery_id)
            d.attempts += 1
            d.last_error = error[:2000]
            s.add(
                t.DeliveryAttempt(
                    delivery_id=delivery_id,
                    at=now,
                    ok=False,
                    response=error[:2000],
                    payload=payload,
                )
            )
            if not final:
                return
            d.status = "failed"
            fallback = self.config().fallback
            if role == "primary" and fallback is not None and fallback.address != d.address:
                d.status = "fell_back"
                d.last_error = f"{error[:1900]} (sent to the fallback {fallback.address})"
                add_delivery(s, lead_id, fallback, "fallback", now)


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
