"""HubSpot's HTTP layer: bearer auth (a private app token, or OAuth with refresh) and the retry
policy (tenacity). ``HubSpotHttp.call`` answers the decoded JSON or raises ``CrmError``.

- 429: waits ``Retry-After`` (at most 60 s), else backs off; the daily quota (``policyName``
  ``DAILY``) is not waited for: ``CrmError(retryable=True)`` at once.
- 5xx, timeouts, connection errors: exponential backoff with full jitter.
- 401 with a refresh token and the app's client id and secret: one refresh (``POST
  /oauth/v1/token``), then the call once more. The token's ``expires_in`` is kept, so an expired
  token is refreshed before the call (HubSpot says a 401 is not the signal to rely on).
- Other 4xx: ``CrmError(retryable=False)``. Retries used up: ``CrmError(retryable=True)``.

Tokens and secrets are never logged nor put in messages.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from leadrail.adapters.crm.base import CrmError
from leadrail.adapters.crm.retry_after import retry_after_seconds
from leadrail.adapters.outbound import OutboundRefused

PURPOSE = "CRM URL"  # how the outbound guard names the HubSpot and Salesforce URLs

log = logging.getLogger(__name__)

RETRY_AFTER_CAP = 60.0  # seconds: never wait longer than this for a 429
_REFRESH_MARGIN = 60.0  # refresh this long before the token's announced expiry
_SECRET_FIELDS = frozenset({"access_token", "refresh_token", "client_secret"})


@dataclass(frozen=True, repr=False)
class HubSpotSettings:
    base_url: str = "https://api.hubapi.com"
    access_token: str | None = None  # a private app token, or the current OAuth access token
    refresh_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    timeout_seconds: float = 10.0
    max_retries: int = 4
    cache_seconds: float = 60.0

    def __repr__(self) -> str:
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            shown = "'***'" if f.name in _SECRET_FIELDS and value else repr(value)
            parts.append(f"{f.name}={shown}")
        return f"HubSpotSettings({', '.join(parts)})"

    @property
    def can_refresh(self) -> bool:
        return bool(self.refresh_token and self.client_id and self.client_secret)


class _Transient(Exception):
    """A failure worth another try (5xx, 429, network); ``retry_after``: the server's wait."""

    def __init__(self, reason: str, *, status: int | None, retry_after: float | None = None):
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


@dataclass
class _Call:
    refreshed: bool = False  # this call already refreshed the token once


class HubSpotHttp:
    def __init__(
        self, settings: HubSpotSettings, client: httpx.Client, sleep: Callable[[float], None]
    ) -> None:
        self._settings = settings
        self._client = client
        self._sleep = sleep
        self._base = settings.base_url.rstrip("/")
        self._token = settings.access_token
        self._refresh_token = settings.refresh_token
        self._expires_at: float | None = None  # time.monotonic() deadline, once known
        self._lock = threading.Lock()
        self._backoff = wait_random_exponential(multiplier=0.5, max=30)

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Any:
        """One API call with the retry policy; the decoded JSON answer (``{}`` when empty)."""
        retrying = Retrying(
            sleep=self._sleep,
            stop=stop_after_attempt(self._settings.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            before_sleep=lambda state: self._log_retry(method, path, state),
            reraise=True,
        )
        state = _Call()
        try:
            return retrying(self._attempt, method, path, body, params, state)
        except _Transient as e:
            tries = self._settings.max_retries + 1
            raise CrmError(
                f"HubSpot {method} {path}: {e} (gave up after {tries} tries)",
                retryable=True,
                status=e.status,
            ) from None

    def _attempt(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str | int] | None,
        state: _Call,
    ) -> Any:
        token = self._fresh_token()
        response = self._send(method, path, body, params, token)
        if response.status_code == 401 and not state.refreshed and self._settings.can_refresh:
            self._refresh(stale=token)
            state.refreshed = True
            response = self._send(method, path, body, params, self._token)
        return _read(method, path, response)

    def _send(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str | int] | None,
        token: str | None,
    ) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            return self._client.request(
                method,
                self._base + path,
                json=body,
                params=params,
                headers=headers,
                timeout=self._settings.timeout_seconds,
            )
        except httpx.TransportError as e:  # timeouts, refused connections, dropped sockets
            raise _Transient(f"{type(e).__name__} talking to HubSpot", status=None) from None
        except OutboundRefused as e:
            raise CrmError(f"HubSpot: {e}", retryable=False) from None

    def _fresh_token(self) -> str | None:
        """The token to send: refreshed first when it is missing or about to expire."""
        expired = self._expires_at is not None and time.monotonic() >= self._expires_at
        if (self._token is None or expired) and self._settings.can_refresh:
            self._refresh(stale=self._token)
        if self._token is None:
            raise CrmError("HubSpot: no access token configured", retryable=False)
        return self._token

    def _refresh(self, stale: str | None) -> None:
        """Trade the refresh token for a new access token, unless another thread already did
        (the token is no longer ``stale``)."""
        with self._lock:
            if self._token != stale:
                return
            form = {
                "grant_type": "refresh_token",
                "client_id": self._settings.client_id or "",
                "client_secret": self._settings.client_secret or "",
                "refresh_token": self._refresh_token or "",
            }
            try:
                response = self._client.post(
                    f"{self._base}/oauth/v1/token",
                    data=form,
                    timeout=self._settings.timeout_seconds,
                )
            except httpx.TransportError as e:
                raise _Transient(f"{type(e).__name__} refreshing the token", status=None) from None
            except OutboundRefused as e:
                raise CrmError(f"HubSpot: {e}", retryable=False) from None
            answer = _read("POST", "/oauth/v1/token", response)
            token = answer.get("access_token") if isinstance(answer, dict) else None
            if not isinstance(token, str) or not token:
                raise CrmError("HubSpot: the token refresh gave no access token", retryable=True)
            self._token = token
            self._refresh_token = answer.get("refresh_token") or self._refresh_token
            expires_in = answer.get("expires_in")
            if isinstance(expires_in, int | float) and expires_in > 0:
                self._expires_at = time.monotonic() + max(0.0, expires_in - _REFRESH_MARGIN)
            log.info("HubSpot: access token refreshed")

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Transient) and error.retry_after is not None:
            return error.retry_after
        return float(self._backoff(state))

    def _log_retry(self, method: str, path: str, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "HubSpot %s %s: %s; try %d failed, next in %.1f s",
            method,
            path,
            error,
            state.attempt_number,
            delay,
        )


def _read(method: str, path: str, response: httpx.Response) -> Any:
    """The decoded answer of a 2xx; raises ``_Transient`` or ``CrmError`` otherwise."""
    status = response.status_code
    if 200 <= status < 300:
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise CrmError(
                f"HubSpot {method} {path}: the answer is not JSON", retryable=True, status=status
            ) from None
    reason = f"{status} {_describe(response)}"
    if status == 429:
        if _error_body(response).get("policyName") == "DAILY":  # back tomorrow, not in seconds
            raise CrmError(f"HubSpot {method} {path}: {reason}", retryable=True, status=status)
        wait = retry_after_seconds(response, RETRY_AFTER_CAP)
        raise _Transient(reason, status=status, retry_after=wait)
    if status >= 500:
        raise _Transient(reason, status=status)
    raise CrmError(f"HubSpot {method} {path}: {reason}", retryable=False, status=status)


def _error_body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _describe(response: httpx.Response) -> str:
    """HubSpot's error category and message (``{"status": "error", "message", "category",
    "correlationId"}``), or the reason phrase."""
    data = _error_body(response)
    message = str(data.get("message") or response.reason_phrase or "error")[:300]
    category = data.get("category") or data.get("errorType")
    correlation = data.get("correlationId")
    text = f"{category}: {message}" if category else message
    return f"{text} (correlation id {correlation})" if correlation else text
