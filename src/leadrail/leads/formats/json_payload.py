"""The JSON webhook: a stable payload shape and Standard Webhooks signatures.

Payload (`lead_json`), version 1; new keys may be added, none removed or renamed:

    {"type": "lead.created",
     "lead": {"id", "created_at" (ISO 8601 with offset), "category", "offer",
              "customer": {"name", "first_name", "middle_name", "last_name", "full_name",
                           "email", "phones": [{"number", "kind", "time"}],
                           "address": {"street": [..], "apartment", "city", "region",
                                       "postal_code", "country"}},
              "vehicle": null | {"interest", "status", "year", "make", "model", "trim",
                                 "vin", "stock", "price", "price_currency"},
              "comments", "timeframe", "consent" (bool), "page_url",
              "utm": {"utm_source": "google", ...} (a repeated name keeps its first value),
              "store", "site"},
     "vendor": {"name", "contact_name", "email"}}

Strings are cleaned with `clean_text` (characters XML 1.0 forbids and lone surrogates removed,
line breaks as LF) and otherwise kept as sent. `encode_payload` gives the bytes to send AND
sign (compact, UTF-8): sign exactly the bytes you send.

Signatures (https://www.standardwebhooks.com/, spec/standard-webhooks.md): HMAC-SHA256 over
`{msg_id}.{timestamp}.{payload}`, sent as `webhook-signature: v1,<base64>` with `webhook-id`
and `webhook-timestamp` (unix seconds). The secret is "whsec_" + base64 of 24 to 64 random
bytes (`new_webhook_secret`). A secret WITHOUT the prefix is used as its UTF-8 bytes, for
receivers that configured a plain shared password (note: the reference libraries base64-
decode an unprefixed string; such a receiver verifies with the secret's bytes instead).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping

from leadrail.leads.formats.clean import clean_text
from leadrail.leads.model import Customer, Lead, Vehicle, Vendor

EVENT_TYPE = "lead.created"
SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES, MAX_SECRET_BYTES = 24, 64
_MSG_ID = re.compile(r"[\x21-\x2d\x2f-\x7e]+\Z")  # visible ASCII but "."


def _customer(c: Customer) -> dict[str, object]:
    a = c.address
    return {
        "name": clean_text(c.name),
        "first_name": clean_text(c.first_name),
        "middle_name": clean_text(c.middle_name),
        "last_name": clean_text(c.last_name),
        "full_name": clean_text(c.full_name),
        "email": clean_text(c.email),
        "phones": [
            {"number": clean_text(p.number), "kind": clean_text(p.kind), "time": clean_text(p.time)}
            for p in c.phones
        ],
        "address": {
            "street": [clean_text(s) for s in a.street],
            "apartment": clean_text(a.apartment),
            "city": clean_text(a.city),
            "region": clean_text(a.region),
            "postal_code": clean_text(a.postal_code),
            "country": clean_text(a.country),
        },
    }


def _vehicle(v: Vehicle | None) -> dict[str, object] | None:
    if v is None:
        return None
    names = ("interest", "status", "year", "make", "model", "trim", "vin", "stock", "price")
    return {n: clean_text(getattr(v, n)) for n in (*names, "price_currency")}


def lead_json(lead: Lead, *, vendor: Vendor) -> dict[str, object]:
    """The webhook payload for `lead` (shape in the module's docstring)."""
    utm: dict[str, str] = {}
    for name, value in lead.utm:
        utm.setdefault(clean_text(name), clean_text(value))
    body: dict[str, object] = {
        "id": clean_text(lead.id),
        "created_at": lead.created_at.isoformat(),
        "category": clean_text(lead.category),
        "offer": clean_text(lead.offer),
        "customer": _customer(lead.customer),
        "vehicle": _vehicle(lead.vehicle),
        "comments": clean_text(lead.comments),
        "timeframe": clean_text(lead.timeframe),
        "consent": lead.consent,
        "page_url": clean_text(lead.page_url),
        "utm": utm,
        "store": clean_text(lead.store),
        "site": clean_text(lead.site),
    }
    party = {
        k: clean_text(v)
        for k, v in (
            ("name", vendor.name),
            ("contact_name", vendor.contact_name),
            ("email", vendor.email),
        )
    }
    return {"type": EVENT_TYPE, "lead": body, "vendor": party}


def encode_payload(data: Mapping[str, object]) -> bytes:
    """`data` as compact UTF-8 JSON: the exact bytes to send and to sign."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _key(secret: str) -> bytes:
    if secret.startswith(SECRET_PREFIX):
        encoded = secret[len(SECRET_PREFIX) :]
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except binascii.Error as e:
            raise ValueError("a whsec_ secret must be base64") from e
    else:
        key = secret.encode("utf-8")
    if not key:
        raise ValueError("the webhook secret is empty")
    return key


def sign_webhook(payload: bytes, *, secret: str, msg_id: str, timestamp: int) -> dict[str, str]:
    """The Standard Webhooks headers for sending `payload` (`timestamp`: unix seconds, the
    time of this attempt; `msg_id`: the same for every retry of one event, visible ASCII
    without "." as the spec asks)."""
    if not _MSG_ID.match(msg_id):
        raise ValueError(f"a webhook id must be visible ASCII without '.': {msg_id!r}")
    if isinstance(timestamp, bool) or timestamp < 0:
        raise ValueError(f"a webhook timestamp must be unix seconds: {timestamp!r}")
    signed = f"{msg_id}.{timestamp}.".encode("ascii") + payload
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v1," + base64.b64encode(digest).decode("ascii"),
    }


def new_webhook_secret(random_bytes: bytes) -> str:
    """`random_bytes` (24 to 64 of them, from the caller's CSPRNG) as a "whsec_" secret."""
    if not MIN_SECRET_BYTES <= len(random_bytes) <= MAX_SECRET_BYTES:
        raise ValueError(
            f"a webhook secret needs {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} random bytes"
        )
    return SECRET_PREFIX + base64.b64encode(random_bytes).decode("ascii")
