"""POSTing a lead's webhook (``app.delivery.ports.WebhookSender``) through the outbound
guard: the URL was typed by an admin. Only the start of the reply is read. The signing
secrets come from LEADRAIL_CRED_ variables (``EnvSecrets``)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from leadrail.adapters.credentials import CredentialRefused, env_credential
from leadrail.adapters.outbound import OutboundRefused
from leadrail.app.delivery.ports import WebhookReply
from leadrail.app.outbox import SendFailed

REPLY_BYTES = 2048  # a receipt needs no more of the reply


class HttpWebhooks:
    def __init__(self, http: httpx.Client) -> None:
        self.http = http  # from Outbound.http_client: refuses addresses an admin may not use

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> WebhookReply:
        try:
            with self.http.stream("POST", url, content=body, headers=dict(headers)) as r:
                head = _first_bytes(r, REPLY_BYTES)
        except OutboundRefused as e:
            raise SendFailed(str(e), retryable=False) from None
        except httpx.HTTPError as e:
            raise SendFailed(f"HTTP: {type(e).__name__}: {e}", retryable=True) from None
        return WebhookReply(r.status_code, r.reason_phrase, head.decode("utf-8", "replace"))


def _first_bytes(r: httpx.Response, limit: int) -> bytes:
    out = b""
    for chunk in r.iter_bytes():
        out += chunk
        if len(out) >= limit:
            break
    return out[:limit]


class EnvSecrets:
    """Implements ``app.delivery.ports.Secrets``: secrets named by LEADRAIL_CRED_ variables."""

    def secret(self, name: str | None, field: str) -> str | None:
        try:
            return env_credential(name, field)
        except CredentialRefused as e:
            raise SendFailed(str(e), retryable=False) from None
