"""Calls to a rep's cloud calendar API (Google Calendar v3, Microsoft Graph) on the rep's
behalf: the access token from the sealed refresh token (refreshed shortly before it
expires, and once more after a 401), the retry policy (tenacity) and the errors.

- 429 and 5xx: waits ``Retry-After`` when given (up to the cap; a longer wait fails the call
  at once, retryable), else exponential backoff with jitter; timeouts and dropped
  connections the same. Retries used up: ``CalendarError(retryable=True)``.
- The refresh token refused (``invalid_grant``: consent revoked, token expired): the
  connection is marked *disconnected* with the reason; the rep shows no slots until they
  connect again. ``CalendarError(retryable=False)``.
- Other 4xx: ``CalendarError(retryable=False)``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_random_exponential

from leadrail.adapters.calendar.caldav_calendar import CalendarError
from leadrail.adapters.calendar.oauth_apps import OAuthApp
from leadrail.adapters.credentials import CredentialBox, CredentialUnreadable
from leadrail.adapters.crm.retry_after import retry_after_seconds
from leadrail.adapters.db.calendar_connections_repo import SqlCalendarConnections
from leadrail.adapters.outbound import OutboundRefused
from leadrail.app.calendars.ports import DISCONNECTED, OAuthRefused, OAuthUnavailable

log = logging.getLogger(__name__)
PURPOSE = "calendar API"
_MARGIN = 60.0  # refresh this long before the access token's announced expiry
DISCONNECTED_TEXT = "calendar disconnected"


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class CloudHttp:
    def __init__(
        self,
        apps: Mapping[str, OAuthApp],
        connections: SqlCalendarConnections,
        credentials: CredentialBox,
        http: httpx.Client,
        *,
        retries: int = 3,
        retry_after_cap: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.apps = apps
        self.connections = connections
        self.credentials = credentials
        self.http = http
        self.retries = retries
        self.cap = retry_after_cap
        self.sleep = sleep
        self.clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}  # rep -> (access token, valid until)
        self._lock = threading.Lock()
        self._backoff = wait_random_exponential(multiplier=0.5, max=8)

    def account(self, rep: str) -> str | None:
        found = self.connections.connection(rep)
        return found.account if found else None

    def call(
        self, rep: str, method: str, url: str, *, body: Any = None,
        params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
    ) -> Any:  # fmt: skip
        """One API call for ``rep`` with the retry policy: the decoded JSON (None when the
        answer is empty; a 404/410 on DELETE is None too)."""
        retrying = Retrying(
            sleep=self.sleep,
            stop=stop_after_attempt(self.retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            return retrying(self._attempt, rep, method, url, body, params, headers or {})
        except _Transient as e:
            raise CalendarError(f"{e} (gave up after {self.retries + 1} tries)",
                                retryable=True) from None  # fmt: skip

    def forget_token(self, rep: str) -> None:
        with self._lock:
            self._tokens.pop(rep, None)

    def _attempt(
        self, rep: str, method: str, url: str, body: Any, params: Mapping[str, str] | None,
        headers: Mapping[str, str],
    ) -> Any:  # fmt: skip
        response = self._send(rep, method, url, body, params, headers)
        if response.status_code == 401:  # the token may have been revoked just now
            self.forget_token(rep)
            response = self._send(rep, method, url, body, params, headers)
        return self._read(method, url, response)

    def _send(
        self, rep: str, method: str, url: str, body: Any, params: Mapping[str, str] | None,
        headers: Mapping[str, str],
    ) -> httpx.Response:  # fmt: skip
        token = self._token(rep)
        try:
            return self.http.request(
                method, url, json=body, params=params,
                headers={**headers, "Authorization": f"Bearer {token}",
                         "Accept": "application/json"},
            )  # fmt: skip
        except httpx.TransportError as e:
            raise _Transient(f"{type(e).__name__} calling the calendar API") from None
        except OutboundRefused as e:
            raise CalendarError(str(e), retryable=False) from None

    def _read(self, method: str, url: str, response: httpx.Response) -> Any:
        status = response.status_code
        path = httpx.URL(url).path
        if 200 <= status < 300:
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise CalendarError(f"{method} {path}: the answer is not JSON",
                                    retryable=True, status=status) from None  # fmt: skip
        if method == "DELETE" and status in (404, 410):
            return None  # gone is gone
        reason = f"{method} {path}: {status} {_said(response)}"
        if status == 429 or status >= 500:
            wait = retry_after_seconds(response, cap=3600.0)
            if wait is not None and wait > self.cap:
                raise CalendarError(f"{reason} (asked to wait {wait:.0f} s)", retryable=True,
                                    status=status)  # fmt: skip
            raise _Transient(reason, wait)
        raise CalendarError(reason, retryable=False, status=status)

    def _token(self, rep: str) -> str:
        now = time.monotonic()
        with self._lock:
            held = self._tokens.get(rep)
            if held and held[1] > now:
                return held[0]
            found = self.connections.connection(rep)
            if found is None or not found.refresh_sealed:
                raise CalendarError("calendar not connected: connect it in My settings",
                                    retryable=False)  # fmt: skip
            if found.status == DISCONNECTED:
                raise CalendarError(f"{DISCONNECTED_TEXT}: {found.problem or 'connect it again'}",
                                    retryable=False)  # fmt: skip
            app = self.apps[found.provider]
            try:
                refresh = self.credentials.open(found.refresh_sealed, rep, app.token_url)
                grant = app.refresh(refresh)
            except (OAuthRefused, CredentialUnreadable) as e:
                problem = f"access was revoked or expired ({e}): connect the calendar again"
                self.connections.mark(rep, DISCONNECTED, problem[:500], self.clock())
                log.warning("calendar of %s disconnected: %s", rep, problem)
                raise CalendarError(f"{DISCONNECTED_TEXT}: {problem}", retryable=False) from None
            except OAuthUnavailable as e:
                raise _Transient(f"token refresh: {e}") from None
            if grant.refresh_token != refresh:  # rotated: keep the new one
                sealed = self.credentials.seal(grant.refresh_token, rep, app.token_url)
                self.connections.reseal(rep, sealed, self.clock())
            self._tokens[rep] = (grant.access_token, now + max(0.0, grant.expires_in - _MARGIN))
            return grant.access_token

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Transient) and error.retry_after is not None:
            return error.retry_after
        return float(self._backoff(state))


def _said(response: httpx.Response) -> str:
    """The error message of a Google (``{"error": {"code", "message", "status"}}``) or Graph
    (``{"error": {"code", "message"}}``) answer, or the reason phrase."""
    try:
        data = response.json()
    except ValueError:
        data = None
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict):
        code = err.get("status") or err.get("code") or ""
        return f"{code}: {str(err.get('message') or '')[:200]}".strip(": ")
    return response.reason_phrase or "error"
