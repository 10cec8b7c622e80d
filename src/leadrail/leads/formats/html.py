"""A small HTML e-mail body: a heading and a table of the lead's labelled fields.

Every piece of lead text goes through html.escape (quotes too); line breaks become `<br />`.
The page URL is a link only when it is an absolute http(s) URL without spaces or control
characters; anything else is shown as escaped text. Styles are inline (mail readers drop
<style> blocks). The markup is also well-formed XML, so the tests parse it strictly.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from html import escape
from urllib.parse import urlsplit

from leadrail.leads.formats.fields import Field, lead_fields, title
from leadrail.leads.formats.mail import finish_multipart, new_message
from leadrail.leads.model import Lead, Vendor

_BODY = "margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222"
_H = "margin:0 0 12px 0;font-size:18px"
_TABLE = "border-collapse:collapse"
_TH = "text-align:left;vertical-align:top;padding:4px 16px 4px 0;color:#555;font-weight:bold"
_TD = "vertical-align:top;padding:4px 0"
_A = "color:#1a5fb4"


def is_http_url(url: str) -> bool:
    """An absolute http(s) URL with a host and no whitespace or control characters."""
    if not url or any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _cell(field: Field) -> str:
    if field.kind == "url" and is_http_url(field.value):
        href = escape(field.value, quote=True)
        return f'<a href="{href}" style="{_A}">{href}</a>'
    return "<br />".join(escape(line, quote=True) for line in field.value.split("\n"))


def render_html(lead: Lead, *, vendor: Vendor) -> str:
    """The lead as a self-contained HTML document (str; UTF-8 when sent)."""
    heading = escape(title(lead), quote=True)
    rows = "".join(
        f'<tr><th style="{_TH}">{escape(f.label, quote=True)}</th>'
        f'<td style="{_TD}">{_cell(f)}</td></tr>\n'
        for f in lead_fields(lead, vendor=vendor)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
        f"<title>{heading}</title>\n</head>\n"
        f'<body style="{_BODY}">\n<h2 style="{_H}">{heading}</h2>\n'
        f'<table role="presentation" cellpadding="0" cellspacing="0" style="{_TABLE}">\n'
        f"{rows}</table>\n</body>\n</html>\n"
    )


def html_email(
    html: str,
    text: str,
    *,
    sender: str,
    to: Sequence[str],
    subject: str,
    message_id: str,
    reply_to: str | None = None,
) -> EmailMessage:
    """multipart/alternative: `text` (text/plain) first, then `html` (text/html), both
    charset=utf-8, quoted-printable. Headers refuse CR/LF (ValueError)."""
    msg = new_message(
        sender=sender, to=to, subject=subject, message_id=message_id, reply_to=reply_to
    )
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return finish_multipart(msg, message_id, [text, html])
