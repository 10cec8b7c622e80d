"""The OAuth 2.0 clients of Google and the Microsoft identity platform (v2.0 endpoints):
the authorisation URL (code flow, PKCE S256, ``state``, offline access) and the token
endpoint (``authorization_code`` and ``refresh_token`` grants, client secret in the form).

Shapes: Google "Using OAuth 2.0 for Web Server Applications"
(developers.google.com/identity/protocols/oauth2/web-server); Microsoft "OAuth 2.0
authorization code flow" (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow).
See docs/calendars.md. Tokens and secrets are never logged nor put in messages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx

from leadrail.adapters.outbound import OutboundRefused
from leadrail.app.calendars.ports import Grant, OAuthRefused, OAuthUnavailable, Provider

log = logging.getLogger(__name__)

GOOGLE_SCOPES = (
    "https://www.googleapis.com/auth/calendar.freebusy",  # freeBusy.query
    "https://www.googleapis.com/auth/calendar.events.owned",  # events of the rep's calendars
)
MICROSOFT_SCOPES = ("offline_access", "User.Read", "Calendars.ReadWrite")


class CloudSettings(Protocol):
    """The settings the cloud calendars read (``leadrail.settings.Settings`` has them)."""

    google_client_id: str | None
    google_client_secret: str | None
    google_auth_url: str
    google_token_url: str
    google_api_url: str
    microsoft_client_id: str | None
    microsoft_client_secret: str | None
    microsoft_tenant: str
    microsoft_login_url: str
    microsoft_api_url: str
    calendar_api_retries: int
    calendar_retry_after_cap_seconds: float


_REFUSED = frozenset({"invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope"})


@dataclass(frozen=True, repr=False)
class OAuthApp:
    """One provider's OAuth client (implements ``app.calendars.ports.OAuthProvider``)."""

    name: Provider
    client_id: str | None
    client_secret: str | None
    authorize_endpoint: str
    token_url: str
    scopes: tuple[str, ...]
    http: httpx.Client
    extra: Mapping[str, str] = field(default_factory=dict)  # more authorisation parameters
    whoami: Callable[[str], str | None] | None = None  # the account's address from a token
    timeout: float = 10.0

    def __repr__(self) -> str:
        return f"OAuthApp({self.name}, client_id={self.client_id!r}, secret=***)"

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def authorize_url(self, *, state: str, challenge: str, redirect_uri: str) -> str:
        query = {
            "client_id": self.client_id or "",
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": " ".join(self.scopes),
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **self.extra,
        }
        return f"{self.authorize_endpoint}?{urlencode(query)}"

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> Grant:
        answer = self._token({
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        })  # fmt: skip
        refresh = answer.get("refresh_token")
        if not isinstance(refresh, str) or not refresh:
            raise OAuthRefused("no refresh token was given (offline access not granted)")
        access = str(answer.get("access_token") or "")
        account = self.whoami(access) if self.whoami and access else None
        return Grant(refresh, access, _seconds(answer), str(answer.get("scope") or ""), account)

    def refresh(self, refresh_token: str) -> Grant:
        """A new access token (and, when the provider rotates it, a new refresh token)."""
        answer = self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})
        access = answer.get("access_token")
        if not isinstance(access, str) or not access:
            raise OAuthUnavailable("the token refresh gave no access token")
        rotated = answer.get("refresh_token")
        new = rotated if isinstance(rotated, str) and rotated else refresh_token
        return Grant(new, access, _seconds(answer), str(answer.get("scope") or ""))

    def _token(self, form: dict[str, str]) -> dict[str, Any]:
        form = {
            **form,
            "client_id": self.client_id or "",
            "client_secret": self.client_secret or "",
        }
        try:
            response = self.http.post(self.token_url, data=form, timeout=self.timeout)
        except httpx.TransportError as e:
            raise OAuthUnavailable(f"{type(e).__name__} reaching the token endpoint") from None
        except OutboundRefused as e:
            raise OAuthRefused(str(e)) from None
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        answer = answer if isinstance(answer, dict) else {}
        if response.status_code == 200:
            return answer
        error = str(answer.get("error") or response.status_code)
        said = str(answer.get("error_description") or "").partition("\n")[0][:200]
        reason = f"{error}: {said}" if said else error
        if error in _REFUSED:
            raise OAuthRefused(reason)
        raise OAuthUnavailable(reason)


def _seconds(answer: Mapping[str, Any]) -> float:
    value = answer.get("expires_in")
    try:
        return max(0.0, float(value)) if value is not None else 3600.0
    except (TypeError, ValueError):
        return 3600.0


def google_app(settings: CloudSettings, http: httpx.Client) -> OAuthApp:
    return OAuthApp(
        "google", settings.google_client_id, settings.google_client_secret,
        settings.google_auth_url, settings.google_token_url, GOOGLE_SCOPES, http,
        extra={"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"},
    )  # fmt: skip


def microsoft_app(settings: CloudSettings, http: httpx.Client) -> OAuthApp:
    base = f"{settings.microsoft_login_url.rstrip('/')}/{settings.microsoft_tenant}/oauth2/v2.0"
    api = settings.microsoft_api_url.rstrip("/")

    def whoami(token: str) -> str | None:
        """The signed-in user's address (``GET /me``): getSchedule asks by address."""
        try:
            r = http.get(f"{api}/me", params={"$select": "mail,userPrincipalName"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=10.0)  # fmt: skip
            me = r.json() if r.status_code == 200 else {}
        except (httpx.TransportError, ValueError):
            return None
        found = (me.get("mail") or me.get("userPrincipalName")) if isinstance(me, dict) else None
        return str(found).lower() if found else None

    return OAuthApp(
        "microsoft", settings.microsoft_client_id, settings.microsoft_client_secret,
        f"{base}/authorize", f"{base}/token", MICROSOFT_SCOPES, http,
        extra={"response_mode": "query", "prompt": "select_account"}, whoami=whoami,
    )  # fmt: skip
