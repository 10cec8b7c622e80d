"""What connecting a cloud calendar needs from the world: the provider's OAuth endpoints
(``OAuthProvider``), where grants and authorisations under way are kept
(``ConnectionRepo``), and a calendar check for the status page (``CalendarProbe``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from leadrail.app.meetings.invite import Invite
from leadrail.app.workspace import CalendarDoc

Provider = Literal["google", "microsoft"]
PROVIDERS: tuple[Provider, ...] = ("google", "microsoft")
CONNECTED, DISCONNECTED = "connected", "disconnected"


@dataclass(frozen=True)
class Grant:
    """What the token endpoint gave for an authorisation code."""

    refresh_token: str
    access_token: str
    expires_in: float
    scopes: str
    account: str | None = None  # the provider's address of the account, when known


@dataclass(frozen=True)
class Authorisation:
    """An authorisation under way (kept between the redirect and the callback)."""

    provider: Provider
    user: str  # whose calendar
    started_by: str  # who clicked Connect (the user, or an admin)
    verifier: str  # the PKCE code verifier
    return_to: str
    created_at: datetime


@dataclass(frozen=True)
class Connection:
    user: str
    provider: Provider
    refresh_sealed: str | None
    account: str | None
    scopes: str
    status: str  # connected | disconnected
    problem: str | None
    connected_by: str
    connected_at: datetime
    updated_at: datetime


class OAuthRefused(Exception):
    """The provider refused a code or a refresh token for good (``invalid_grant``: consent
    revoked, the token expired or was already used)."""


class OAuthUnavailable(Exception):
    """The provider could not be reached or answered 5xx/429: try again later."""


class OAuthProvider(Protocol):
    @property
    def name(self) -> Provider: ...

    @property
    def token_url(self) -> str:
        """Where tokens are exchanged (a sealed refresh token is bound to its server)."""
        ...

    @property
    def configured(self) -> bool:
        """The client id and secret are set."""
        ...

    def authorize_url(self, *, state: str, challenge: str, redirect_uri: str) -> str: ...

    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> Grant:
        """Trade the code for tokens; OAuthRefused / OAuthUnavailable."""
        ...


class ConnectionRepo(Protocol):
    def start(self, state_hash: str, auth: Authorisation) -> None: ...

    def take(self, state_hash: str, now: datetime, max_age_seconds: float) -> Authorisation | None:
        """The authorisation of that state, removed (once), or None (unknown, expired)."""
        ...

    def save(self, connection: Connection) -> None: ...

    def connection(self, user: str) -> Connection | None: ...

    def connections(self) -> Sequence[Connection]: ...

    def mark(self, user: str, status: str, problem: str | None, now: datetime) -> None: ...

    def remove(self, user: str) -> None: ...


class CalendarProbe(Protocol):
    def away(self, rep: str) -> Sequence[tuple[datetime, datetime]]:
        """The out-of-office time last read from the rep's cloud calendar (no I/O)."""
        ...


@dataclass
class CalendarServices:
    """What the entry points use to connect and check reps' calendars."""

    providers: Mapping[str, OAuthProvider]
    connections: ConnectionRepo
    probe: CalendarProbe


def provider_name(name: str) -> Provider:
    """``name`` as a Provider (ValueError for anything else)."""
    for p in PROVIDERS:
        if p == name:
            return p
    raise ValueError(f"unknown calendar provider {name!r}")


class CloudEvents(Protocol):
    """The booked meetings' events in reps' Google / Microsoft 365 calendars; each write
    raises ``app.outbox.SendFailed`` when the provider did not take it."""

    def put_event(
        self, rep: str, cal: CalendarDoc, meeting_id: str, invite: Invite, online: bool
    ) -> str: ...

    def delete_event(self, rep: str, meeting_id: str) -> str:
        """Remove the meeting's event, wherever it was written (nothing when none was)."""
        ...

    def join_url(self, meeting_id: str) -> str | None:
        """The Meet / Teams link of the meeting's event, once written."""
        ...
