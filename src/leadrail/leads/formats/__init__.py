"""Lead formats: ADF/XML, plain text and HTML e-mail bodies and messages, the JSON webhook.

Pure: standard library only, no I/O, no clock, no randomness (times, ids and random bytes are
arguments). Every lead field is untrusted visitor text; every format cleans and escapes it.
"""

from __future__ import annotations

from leadrail.leads.formats.adf import adf_email, render_adf
from leadrail.leads.formats.html import html_email, render_html
from leadrail.leads.formats.json_payload import (
    encode_payload,
    lead_json,
    new_webhook_secret,
    sign_webhook,
)
from leadrail.leads.formats.text import render_text, text_email

__all__ = [
    "adf_email",
    "encode_payload",
    "html_email",
    "lead_json",
    "new_webhook_secret",
    "render_adf",
    "render_html",
    "render_text",
    "sign_webhook",
    "text_email",
]
