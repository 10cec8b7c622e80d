"""Dashboard accounts, sessions, password resets and API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class AccountUser:
    id: int
    email: str
    name: str
    is_admin: bool
    active: bool
    password_hash: str | None


@dataclass(frozen=True)
class ApiTokenRow:
    id: int
    email: str
    name: str
    prefix: str
    created_at: datetime


class Passwords(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, stored: str, password: str) -> bool: ...

    def needs_rehash(self, stored: str) -> bool: ...


class AccountsRepo(Protocol):
    def user_by_email(self, email: str) -> AccountUser | None: ...

    def set_password(self, user_id: int, password_hash: str) -> None: ...

    def create_session(self, user_id: int, now: datetime, expires: datetime) -> tuple[str, str]: ...

    def session_user(self, token: str, now: datetime) -> tuple[AccountUser, str] | None: ...

    def end_session(self, token: str) -> None: ...

    def queue_reset(self, email: str, now: datetime) -> None: ...  # an outbox job

    def create_reset(self, user_id: int, now: datetime, expires: datetime) -> str:
        """A new link; the user's older unused links stop working."""
        ...

    def reset_user(self, token: str, now: datetime) -> AccountUser | None: ...

    def use_reset(self, token: str, now: datetime, password_hash: str) -> AccountUser | None:
        """Spend a live link and set the password; every other link of the user ends."""
        ...

    def tokens(self, user_id: int | None) -> list[ApiTokenRow]: ...

    def revoke_token(self, token_id: int, user_id: int | None) -> bool: ...

    def create_user(self, email: str, name: str, *, admin: bool) -> int:
        """A new user (or an existing one made active, and admin when ``admin``)."""
        ...

    def admin_emails(self) -> list[str]: ...


@dataclass(frozen=True)
class TokenOwner:
    user_id: int
    email: str
    is_admin: bool


class TokenRepo(Protocol):
    """API tokens (kept by the accounts repo): stored hashed, checked with a short cache."""

    def create_token(self, email: str, name: str) -> str: ...

    def cached_token_owner(self, secret: str) -> TokenOwner | None:
        """The owner if the token was checked a few seconds ago (no I/O), else None."""
        ...

    def token_owner(self, secret: str) -> TokenOwner | None: ...
