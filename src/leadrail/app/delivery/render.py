"""A lead as it is sent: an e-mail in the destination's format (ADF, text, HTML), or the
JSON webhook's body and headers; and what a receipt keeps of a webhook's reply. Rendering
itself is the pure ``leads.formats``."""

from __future__ import annotations

import json
from dataclasses import replace
from email.message import EmailMessage

from leadrail.leads.formats.adf import adf_email, render_adf
from leadrail.leads.formats.html import html_email, render_html
from leadrail.leads.formats.json_payload import lead_json, sign_webhook
from leadrail.leads.formats.text import render_text, text_email
from leadrail.leads.model import Lead, Provider, Vendor


def vendor_of(lead: Lead) -> Vendor:
    return Vendor(name=lead.store or lead.site or "leadrail")


def lead_message(
    lead: Lead,
    *,
    fmt: str,
    address: str,
    delivery_id: str,
    sender: str,
    provider: Provider,
    attach: bool = False,
) -> EmailMessage:
    """The lead e-mailed to ``address``; its Message-ID is the delivery's (the same on every
    attempt, so a receiver recognises a redelivery)."""
    vendor = vendor_of(lead)
    subject = f"Lead: {lead.category}" + (f" - {lead.offer}" if lead.offer else "")
    subject = " ".join(subject.split())[:200]  # a visitor's offer name: no line breaks
    to, mid = [address], f"<{delivery_id}@leadrail>"
    if fmt == "adf":  # the vendor's contact: this lead inbox, unless it has its own
        vendor = replace(vendor, email=vendor.email or address)
        document = render_adf(lead, vendor=vendor, provider=provider)
        return adf_email(
            document, sender=sender, to=to, subject=subject, message_id=mid, attach=attach
        )
    text = render_text(lead, vendor=vendor)
    if fmt == "html":
        html = render_html(lead, vendor=vendor)
        return html_email(html, text, sender=sender, to=to, subject=subject, message_id=mid)
    return text_email(text, sender=sender, to=to, subject=subject, message_id=mid)


def webhook_body(lead: Lead) -> bytes:
    return json.dumps(lead_json(lead, vendor=vendor_of(lead)), ensure_ascii=False).encode()


def webhook_headers(
    body: bytes, delivery_id: str, secret: str | None, stamp: int
) -> dict[str, str]:
    """Standard Webhooks headers: signed with ``secret`` when there is one; ``stamp`` is
    the send time in unix seconds (receivers check it against their clock)."""
    headers = {"Content-Type": "application/json", "User-Agent": "leadrail"}
    if secret:
        headers.update(sign_webhook(body, secret=secret, msg_id=delivery_id, timestamp=stamp))
    else:
        headers.update({"webhook-id": delivery_id, "webhook-timestamp": str(stamp)})
    return headers


def webhook_retryable(status: int) -> bool:
    """Whether a webhook refused with ``status`` may take the lead later."""
    return status >= 500 or status in (408, 409, 425, 429)


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
