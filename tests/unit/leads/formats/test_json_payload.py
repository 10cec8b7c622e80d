"""The JSON webhook payload and its Standard Webhooks signature."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import replace

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from leadrail.leads.formats.json_payload import (
    encode_payload,
    lead_json,
    new_webhook_secret,
    sign_webhook,
)
from tests.unit.leads.formats.samples import FULL, SERVICE, VENDOR

SECRET = new_webhook_secret(bytes(range(32)))


def test_payload_shape() -> None:
    data = lead_json(FULL, vendor=VENDOR)
    assert list(data) == ["type", "lead", "vendor"]
    assert data["type"] == "lead.created"
    assert data["vendor"] == {
        "name": "Rick's Autos",
        "contact_name": "Internet Sales",
        "email": "leads@ricks.test",
    }
    lead = data["lead"]
    assert isinstance(lead, dict)
    assert lead["id"] == "lead-0001"
    assert lead["created_at"] == "2024-05-01T10:30:15.123456-04:00"
    assert lead["customer"]["name"] == "José Q O'Brien"
    assert lead["customer"]["phones"][0] == {
        "number": "555-0100",
        "kind": "cellphone",
        "time": "evening",
    }
    assert lead["customer"]["address"]["street"] == ["1 Main St", "Building B"]
    assert lead["vehicle"]["vin"] == "4T1K61AK0RU000001"
    assert lead["comments"] == "Is it still available?\nCan I come Saturday?"
    assert lead["utm"] == {"utm_source": "google", "utm_medium": "cpc"}
    assert lead["consent"] is True
    assert set(lead) == {
        "id",
        "created_at",
        "category",
        "offer",
        "customer",
        "vehicle",
        "comments",
        "timeframe",
        "consent",
        "page_url",
        "utm",
        "store",
        "site",
    }


def test_no_vehicle_is_null_and_repeated_utm_keeps_the_first() -> None:
    lead = replace(SERVICE, utm=(("utm_source", "a"), ("utm_source", "b")), offer="x\x00\ud800y")
    data = lead_json(lead, vendor=VENDOR)
    body = data["lead"]
    assert isinstance(body, dict)
    assert body["vehicle"] is None
    assert body["utm"] == {"utm_source": "a"}
    assert body["offer"] == "xy"
    assert json.loads(encode_payload(data)) == data


def test_signature_verifies_with_the_reference_library() -> None:
    payload = encode_payload(lead_json(FULL, vendor=VENDOR))
    now = int(time.time())
    headers = sign_webhook(payload, secret=SECRET, msg_id="msg_lead-0001", timestamp=now)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-id"] == "msg_lead-0001"
    assert headers["webhook-timestamp"] == str(now)
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(SECRET).verify(payload, headers) == json.loads(payload)


def test_a_tampered_payload_or_header_fails() -> None:
    payload = encode_payload(lead_json(FULL, vendor=VENDOR))
    now = int(time.time())
    headers = sign_webhook(payload, secret=SECRET, msg_id="msg_1", timestamp=now)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(payload.replace(b"Camry", b"Corolla"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(payload, {**headers, "webhook-id": "msg_2"})
    with pytest.raises(WebhookVerificationError):
        Webhook(new_webhook_secret(bytes(32))).verify(payload, headers)


def test_known_answer() -> None:
    # HMAC-SHA256(key = 24 zero bytes, b"msg_1.1700000000.{}"), computed independently.
    import hashlib
    import hmac

    key = bytes(24)
    expected = base64.b64encode(
        hmac.new(key, b"msg_1.1700000000.{}", hashlib.sha256).digest()
    ).decode()
    headers = sign_webhook(
        b"{}", secret=new_webhook_secret(key), msg_id="msg_1", timestamp=1700000000
    )
    assert headers["webhook-signature"] == f"v1,{expected}"


def test_a_raw_secret_without_prefix_is_used_as_its_utf8_bytes() -> None:
    payload = b'{"type":"lead.created"}'
    raw = "correct horse battery staple, é"
    headers = sign_webhook(payload, secret=raw, msg_id="m1", timestamp=int(time.time()))
    Webhook(raw.encode("utf-8")).verify(payload, headers)


def test_new_secret_format_and_limits() -> None:
    secret = new_webhook_secret(b"\xff" * 24)
    assert secret.startswith("whsec_")
    assert base64.b64decode(secret[6:]) == b"\xff" * 24
    for size in (0, 23, 65):
        with pytest.raises(ValueError, match="24 to 64"):
            new_webhook_secret(bytes(size))


@pytest.mark.parametrize("msg_id", ["", "a.b", "a b", "a\r\nb", "é"])
def test_bad_message_ids_are_refused(msg_id: str) -> None:
    with pytest.raises(ValueError, match="webhook id"):
        sign_webhook(b"{}", secret=SECRET, msg_id=msg_id, timestamp=1)


def test_bad_timestamps_and_secrets_are_refused() -> None:
    for ts in (-1, True):
        with pytest.raises(ValueError, match="timestamp"):
            sign_webhook(b"{}", secret=SECRET, msg_id="m", timestamp=ts)
    for secret in ("", "whsec_", "whsec_not base64!"):
        with pytest.raises(ValueError, match="secret"):
            sign_webhook(b"{}", secret=secret, msg_id="m", timestamp=1)


def test_unpadded_whsec_secret_is_accepted() -> None:
    padded = new_webhook_secret(bytes(range(25)))
    assert padded.endswith("=")
    payload = b"{}"
    a = sign_webhook(payload, secret=padded, msg_id="m", timestamp=5)
    b = sign_webhook(payload, secret=padded.rstrip("="), msg_id="m", timestamp=5)
    assert a == b
