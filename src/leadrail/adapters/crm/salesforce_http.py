"""Salesforce REST plumbing: settings, SOQL literals, the OAuth refresh and the retry policy.

The connector (``salesforce.py``) speaks in sObjects; this module turns HTTP answers into
results or ``CrmError``s. Tokens never reach a log line or an error message."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from leadrail.adapters.crm.base import CrmError
from leadrail.adapters.crm.hubspot_http import PURPOSE
from leadrail.adapters.crm.retry_after import retry_after_seconds
from leadrail.adapters.outbound import Outbound, OutboundRefused

log = logging.getLogger(__name__)

RETRY_AFTER_CAP = 60.0  # seconds: never wait longer than this on a server's say-so
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_BACKOFF = wait_exponential_jitter(multiplier=0.5, max=30.0, jitter=0.5)
_API_VERSION = re.compile(r"v\d+\.\d+")
# SOQL quoted-string escapes (SOQL reference, "Quoted String Escape Sequences")
_SOQL_ESCAPES = str.maketrans(
    {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
     "\b": "\\b", "\f": "\\f"}
)  # fmt: skip


def soql_string(value: str) -> str:
    """``value`` as a quoted SOQL string literal, for ``=`` comparisons."""
    return "'" + value.translate(_SOQL_ESCAPES) + "'"


def soql_like(before: str, value: str, after: str) -> str:
    """A quoted LIKE pattern: ``before`` and ``after`` are raw pattern text (``%``, ``www.``),
    ``value`` is matched literally (its ``%`` and ``_`` escaped too)."""
    literal = value.translate(_SOQL_ESCAPES).replace("%", "\\%").replace("_", "\\_")
    return f"'{before}{literal}{after}'"


@dataclass(frozen=True)
class SalesforceSettings:
    instance_url: str  # https://<my domain>.my.salesforce.com
    api_version: str = "v62.0"
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    client_id: str | None = None  # the connected app's consumer key
    client_secret: str | None = field(default=None, repr=False)
    token_url: str | None = None  # default {instance_url}/services/oauth2/token
    timeout_seconds: float = 10.0
    max_retries: int = 4  # retries after the first attempt
    cache_seconds: float = 60.0  # lookup cache TTL; 0 disables it

    def __post_init__(self) -> None:
        if urlsplit(self.instance_url).scheme not in ("https", "http"):
            raise ValueError("instance_url must be an http(s) URL")
        if not _API_VERSION.fullmatch(self.api_version):
            raise ValueError(f"api_version must look like 'v62.0', not {self.api_version!r}")
        if self.timeout_seconds <= 0 or self.max_retries < 0:
            raise ValueError("timeout_seconds must be > 0 and max_retries >= 0")

    @property
    def can_refresh(self) -> bool:
        return bool(self.refresh_token and self.client_id)


class _Retryable(Exception):
    """An answer worth another try (429, REQUEST_LIMIT_EXCEEDED, 5xx)."""

    def __init__(self, message: str, status: int, retry_after: float | None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class _Unauthorized(Exception):
    """401: the session expired or the token is invalid."""


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, _Retryable) and exc.retry_after is not None:
        return exc.retry_after
    return _BACKOFF(state)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    log.warning("salesforce call failed (%s); retry %d in %.1fs", exc, state.attempt_number, wait)


def describe_error(resp: httpx.Response) -> tuple[set[str], str]:
    """(error codes, a readable message) from an error answer: the REST API's
    ``[{"errorCode", "message"}]`` or the OAuth endpoint's ``{"error", "error_description"}``."""
    data = json_body(resp)
    codes: set[str] = set()
    parts: list[str] = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict):
            code, text = str(item.get("errorCode") or ""), str(item.get("message") or "")
            codes.add(code)
            parts.append(f"{code}: {text}" if code else text)
    if isinstance(data, dict) and data.get("error"):
        parts.append(f"{data['error']}: {data.get('error_description') or ''}".rstrip(": "))
    detail = "; ".join(parts) or resp.reason_phrase or "no details"
    return codes, f"Salesforce HTTP {resp.status_code}: {detail[:500]}"


def json_body(resp: httpx.Response) -> Any:
    """The decoded JSON body, or None when there is none or it is not JSON."""
    try:
        return resp.json() if resp.content else None
    except ValueError:
        return None


def _check(resp: httpx.Response) -> httpx.Response:
    if resp.status_code < 400:
        return resp
    codes, message = describe_error(resp)
    if resp.status_code == 401:
        raise _Unauthorized(message)
    if resp.status_code == 429 or "REQUEST_LIMIT_EXCEEDED" in codes or resp.status_code >= 500:
        raise _Retryable(message, resp.status_code, retry_after_seconds(resp, RETRY_AFTER_CAP))
    raise CrmError(message, retryable=False, status=resp.status_code)


class SalesforceHttp:
    """Authenticated calls to one org, with retries and one token refresh per call."""

    def __init__(
        self,
        settings: SalesforceSettings,
        client: httpx.Client | None,
        sleep: Callable[[float], None],
        outbound: Outbound | None = None,
    ) -> None:
        self._settings = settings
        self._client = client or (outbound or Outbound()).http_client(
            PURPOSE, timeout=settings.timeout_seconds
        )
        self._owns_client = client is None
        self._sleep = sleep
        self._lock = threading.Lock()
        self._token = settings.access_token
        self._instance = settings.instance_url.rstrip("/")
        self._token_url = settings.token_url or f"{self._instance}/services/oauth2/token"

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def data_path(self, rest: str) -> str:
        return f"/services/data/{self._settings.api_version}/{rest.lstrip('/')}"

    def local_path(self, url: str) -> str:
        """A path on this org from a URL Salesforce gave (``nextRecordsUrl``): relative, or
        absolute on the same origin; anything else is refused (the token must not leave)."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            here = urlsplit(self._instance)
            if (parts.scheme, parts.netloc) != (here.scheme, here.netloc):
                raise CrmError("Salesforce sent a link to another host", retryable=False)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith("/services/data/"):
            raise CrmError("Salesforce sent an unexpected link", retryable=False)
        return path

    def request(
        self, method: str, path: str, *, params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> httpx.Response:  # fmt: skip
        """Call ``path`` (on the instance); a 401 refreshes the token once (when possible)."""
        token = self._token or self._refresh(None)
        try:
            return self._retrying(lambda: self._send(method, path, params, body, token))
        except _Unauthorized as e:
            if not self._settings.can_refresh:
                raise CrmError(str(e), retryable=False, status=401) from None
        token = self._refresh(token)
        try:
            return self._retrying(lambda: self._send(method, path, params, body, token))
        except _Unauthorized as e:
            raise CrmError(f"{e} (after a token refresh)", retryable=False, status=401) from None

    def _send(
        self, method: str, path: str, params: dict[str, str] | None, body: dict[str, Any] | None,
        token: str,
    ) -> httpx.Response:  # fmt: skip
        headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
        try:
            resp = self._client.request(
                method, self._instance + path, params=params, json=body, headers=headers,
                timeout=self._settings.timeout_seconds,
            )  # fmt: skip
        except OutboundRefused as e:
            raise CrmError(f"Salesforce: {e}", retryable=False) from None
        log.debug("salesforce %s %s -> %d", method, path.split("?")[0], resp.status_code)
        return _check(resp)

    def _retrying(self, attempt: Callable[[], httpx.Response]) -> httpx.Response:
        """``attempt`` under the retry policy; gives up with CrmError(retryable=True)."""
        retrying = Retrying(
            stop=stop_after_attempt(self._settings.max_retries + 1),
            wait=_wait,
            retry=retry_if_exception_type((_Retryable, *_TRANSIENT)),
            sleep=self._sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        tries = self._settings.max_retries + 1
        try:
            return retrying(attempt)
        except _Retryable as e:
            raise CrmError(
                f"{e} (gave up after {tries} tries)", retryable=True, status=e.status
            ) from e
        except _TRANSIENT as e:
            message = f"Salesforce unreachable: {type(e).__name__} (gave up after {tries} tries)"
            raise CrmError(message, retryable=True) from e

    def _refresh(self, stale: str | None) -> str:
        """A new access token from the refresh token (once per expiry across threads)."""
        with self._lock:
            if self._token and self._token != stale:
                return self._token  # another call refreshed it meanwhile
            if not self._settings.can_refresh:
                raise CrmError("no usable Salesforce access token", retryable=False, status=401)
            try:
                resp = self._retrying(self._post_token)
            except _Unauthorized as e:
                raise CrmError(f"token refresh refused: {e}", retryable=False, status=401) from None
            except CrmError as e:
                message = f"token refresh failed: {e}"
                raise CrmError(message, retryable=e.retryable, status=e.status) from e
            data = json_body(resp)
            token = data.get("access_token") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token:
                raise CrmError("token refresh answered without an access_token", retryable=False)
            instance = data.get("instance_url")
            if isinstance(instance, str) and urlsplit(instance).scheme in ("https", "http"):
                self._instance = instance.rstrip("/")
            self._token = token
            log.info("salesforce access token refreshed")
            return token

    def _post_token(self) -> httpx.Response:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._settings.refresh_token or "",
            "client_id": self._settings.client_id or "",
        }
        if self._settings.client_secret:
            form["client_secret"] = self._settings.client_secret
        try:
            resp = self._client.post(
                self._token_url, data=form, headers={"Accept": "application/json"},
                timeout=self._settings.timeout_seconds,
            )  # fmt: skip
        except OutboundRefused as e:
            raise CrmError(f"Salesforce: {e}", retryable=False) from None
        return _check(resp)
