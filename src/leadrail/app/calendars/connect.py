"""Connecting a rep's Google or Microsoft 365 calendar: the OAuth 2.0 authorisation code
flow with PKCE (S256) and a ``state`` that is single-use, ten minutes long, and only
accepted back from the account that started it.

A rep connects their own calendar; an admin may connect anyone's (the consent screen is
still the calendar owner's to pass). The refresh token is sealed with the server's secret,
bound to the rep and the provider's token endpoint; the rep's workspace calendar becomes
``{provider: google}`` (or ``microsoft``) so routing, slots and the meeting jobs use it."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadrail.app.calendars.ports import (
    CONNECTED,
    PROVIDERS,
    Authorisation,
    Connection,
    ConnectionRepo,
    OAuthProvider,
    OAuthRefused,
    OAuthUnavailable,
)
from leadrail.app.errors import InvalidInput, LeadrailError, NotFound, Unavailable
from leadrail.app.ports import CredentialSealer, WorkspaceRepo
from leadrail.app.workspace_edit import find_item, put_item

STATE_SECONDS = 600.0


class NotAllowed(LeadrailError):
    code = "forbidden"
    status = 403


@dataclass(frozen=True)
class Actor:
    email: str
    is_admin: bool


def callback_path(provider: str) -> str:
    return f"/dashboard/calendar/oauth/{provider}/callback"


def pkce_pair() -> tuple[str, str]:
    """A code verifier (RFC 7636: 43-128 characters) and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def provider_named(providers: Mapping[str, OAuthProvider], name: str) -> OAuthProvider:
    if name not in PROVIDERS:
        raise NotFound(f"no calendar provider {name!r} (google, microsoft)", field="provider")
    found = providers.get(name)
    if found is None or not found.configured:
        env = "LEADRAIL_GOOGLE_CLIENT_ID" if name == "google" else "LEADRAIL_MICROSOFT_CLIENT_ID"
        raise InvalidInput(
            f"{name} calendars are not set up on this server: an operator sets {env} and "
            f"its _SECRET (see docs/calendars.md)",
            field="provider",
        )
    return found


def allowed(by: Actor, user: str) -> str:
    user = user.strip().lower()
    if user != by.email.lower() and not by.is_admin:
        raise NotAllowed("only an admin connects another user's calendar", field="user")
    return user


def start_connect(
    providers: Mapping[str, OAuthProvider],
    repo: ConnectionRepo,
    provider: str,
    *,
    user: str,
    by: Actor,
    base_url: str,
    return_to: str,
    now: datetime,
) -> str:
    """The provider's authorisation URL to send the browser to."""
    app = provider_named(providers, provider)
    user = allowed(by, user)
    state = secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair()
    auth = Authorisation(app.name, user, by.email.lower(), verifier, return_to, now)
    repo.start(state_hash(state), auth)
    return app.authorize_url(
        state=state, challenge=challenge, redirect_uri=base_url + callback_path(app.name)
    )


def finish_connect(
    providers: Mapping[str, OAuthProvider],
    repo: ConnectionRepo,
    sealer: CredentialSealer,
    workspace: WorkspaceRepo,
    provider: str,
    *,
    params: Mapping[str, str],
    by: Actor,
    base_url: str,
    now: datetime,
) -> Authorisation:
    """The callback: checks ``state`` (known, fresh, this provider, started by ``by``),
    trades the code (with the PKCE verifier) for tokens, keeps the refresh token sealed and
    switches the user's calendar to the provider. Returns the authorisation it finished."""
    app = provider_named(providers, provider)
    state = params.get("state") or ""
    auth = repo.take(state_hash(state), now, STATE_SECONDS) if state else None
    if auth is None or auth.provider != app.name:
        raise InvalidInput(
            "this calendar authorisation is unknown or expired: start again from My settings",
            field="state",
        )
    if auth.started_by != by.email.lower():
        raise NotAllowed("this authorisation was started by another account", field="state")
    if params.get("error"):
        reason = params.get("error_description") or params["error"]
        raise InvalidInput(f"{app.name} did not grant access: {reason[:200]}", field="code")
    code = params.get("code") or ""
    if not code:
        raise InvalidInput("the provider sent no authorisation code", field="code")
    try:
        grant = app.exchange(
            code=code, verifier=auth.verifier, redirect_uri=base_url + callback_path(app.name)
        )
    except OAuthRefused as e:
        raise InvalidInput(f"{app.name} refused the authorisation: {e}", field="code") from None
    except OAuthUnavailable as e:
        raise Unavailable(f"{app.name} could not be reached: {e}", retry_after=30) from None
    sealed = sealer.seal(grant.refresh_token, auth.user, app.token_url)
    repo.save(Connection(
        auth.user, app.name, sealed, grant.account, grant.scopes, CONNECTED, None,
        auth.started_by, now, now,
    ))  # fmt: skip
    use_calendar(workspace, auth.user, {"provider": app.name})
    return auth


def disconnect(repo: ConnectionRepo, workspace: WorkspaceRepo, *, user: str, by: Actor) -> None:
    """Forget the grant; the user's calendar goes back to the built-in one."""
    user = allowed(by, user)
    repo.remove(user)
    _, item = find_item(workspace, "users", user)
    cal = item.get("calendar") or {}
    if cal.get("provider") in PROVIDERS:
        use_calendar(workspace, user, None)


def use_calendar(workspace: WorkspaceRepo, user: str, calendar: dict[str, Any] | None) -> None:
    try:
        _, item = find_item(workspace, "users", user)
    except NotFound:
        raise NotFound(f"{user} is not a user of the workspace", field="user") from None
    current = dict(item.get("calendar") or {})
    if calendar is not None and current.get("provider") == calendar.get("provider"):
        calendar = {**current, **calendar}  # keep the chosen calendars
    item = {k: v for k, v in item.items() if k != "calendar"}
    if calendar is not None:
        item["calendar"] = calendar
    put_item(workspace, "users", user, item)
