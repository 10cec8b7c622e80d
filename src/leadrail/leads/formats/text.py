"""A plain-text e-mail body a person reads: every field labelled, empty ones left out.

    New lead: Service

    Category: Service
    Name: Jane Public
    Address:
      1 Main St
      Springfield, IL 62701
    ...

Single-line values have line breaks turned into spaces (no value can forge a label line);
multi-line values (address, comments) are indented under their label. See `fields`.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage

from leadrail.leads.formats.fields import lead_fields, title
from leadrail.leads.formats.mail import new_message
from leadrail.leads.model import Lead, Vendor


def render_text(lead: Lead, *, vendor: Vendor) -> str:
    """The lead as a plain-text body (str; UTF-8 when sent)."""
    out = [title(lead), ""]
    for field in lead_fields(lead, vendor=vendor):
        if field.kind == "lines":
            out.append(f"{field.label}:")
            out.extend(f"  {line}" if line else "" for line in field.value.split("\n"))
        else:
            out.append(f"{field.label}: {field.value}")
    return "\n".join(out) + "\n"


def text_email(
    body: str,
    *,
    sender: str,
    to: Sequence[str],
    subject: str,
    message_id: str,
    reply_to: str | None = None,
) -> EmailMessage:
    """An e-mail with `body` as text/plain; charset=utf-8, quoted-printable.
    Headers refuse CR/LF (ValueError)."""
    msg = new_message(
        sender=sender, to=to, subject=subject, message_id=message_id, reply_to=reply_to
    )
    msg.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    return msg
