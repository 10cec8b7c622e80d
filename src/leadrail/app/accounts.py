"""Dashboard accounts: log in, log out, reset a forgotten password, set a password.

Answers never tell whether an e-mail address has an account: a wrong password and an unknown
address fail the same way and take the same time (a dummy hash is checked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from leadrail.app.errors import InvalidInput
from leadrail.app.ports import Accounts, AccountUser, ApiTokenRow, Passwords

SESSION_HOURS = 12
RESET_MINUTES = 30
MIN_PASSWORD = 10
MAX_PASSWORD = 200


@dataclass(frozen=True)
class LoggedIn:
    user: AccountUser
    token: str  # goes in the cookie
    csrf: str
    expires: datetime


class LoginFailed(Exception):
    pass


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"use at least {MIN_PASSWORD} characters", field=field)
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"use at most {MAX_PASSWORD} characters", field=field)


class AccountService:
    def __init__(self, accounts: Accounts, passwords: Passwords) -> None:
        self.accounts = accounts
        self.passwords = passwords
        self._dummy_hash: str | None = None

    @property
    def _dummy(self) -> str:
        """A hash to verify when the address has no password, so both cases take as long.
        Made at the first login, not when the container is built (a hash costs ~50 ms)."""
        if self._dummy_hash is None:
            self._dummy_hash = self.passwords.hash("not a real password, only spends time")
        return self._dummy_hash

    def login(self, email: str, password: str, now: datetime) -> LoggedIn:
        user = self.accounts.user_by_email(email)
        stored = user.password_hash if user and user.password_hash else self._dummy
        ok = self.passwords.verify(stored, password[:MAX_PASSWORD])
        if not ok or user is None or not user.active or not user.password_hash:
            raise LoginFailed("the e-mail address or the password is wrong")
        if self.passwords.needs_rehash(user.password_hash):
            self.accounts.set_password(user.id, self.passwords.hash(password))
        expires = now + timedelta(hours=SESSION_HOURS)
        token, csrf = self.accounts.create_session(user.id, now, expires)
        return LoggedIn(user, token, csrf, expires)

    def logout(self, token: str) -> None:
        self.accounts.end_session(token)

    def session(self, token: str, now: datetime) -> tuple[AccountUser, str] | None:
        return self.accounts.session_user(token, now) if token else None

    def set_password(self, email: str, password: str) -> AccountUser:
        check_password_rules(password)
        user = self.accounts.user_by_email(email)
        if user is None:
            raise InvalidInput(f"no user {email!r}", field="email")
        self.accounts.set_password(user.id, self.passwords.hash(password))
        return user

    def change_password(self, user: AccountUser, current: str, new: str) -> None:
        fresh = self.accounts.user_by_email(user.email)
        if (
            fresh is None
            or not fresh.password_hash
            or not self.passwords.verify(fresh.password_hash, current[:MAX_PASSWORD])
        ):
            raise InvalidInput("the current password is wrong", field="current_password")
        check_password_rules(new, "new_password")
        self.accounts.set_password(user.id, self.passwords.hash(new))

    def start_reset(self, email: str, now: datetime) -> tuple[AccountUser, str] | None:
        """A reset token for an active user, or None (the caller says the same either way)."""
        user = self.accounts.user_by_email(email)
        if user is None or not user.active:
            return None
        token = self.accounts.create_reset(user.id, now, now + timedelta(minutes=RESET_MINUTES))
        return user, token

    def reset_user(self, token: str, now: datetime) -> AccountUser | None:
        return self.accounts.reset_user(token, now)

    def finish_reset(self, token: str, password: str, now: datetime) -> AccountUser:
        check_password_rules(password)
        user = self.accounts.use_reset(token, now, self.passwords.hash(password))
        if user is None:
            raise InvalidInput("this reset link has expired or was used already", field="token")
        return user

    def tokens(self, user: AccountUser) -> list[ApiTokenRow]:
        """An admin sees every API token; a rep only their own."""
        return self.accounts.tokens(None if user.is_admin else user.id)

    def revoke_token(self, user: AccountUser, token_id: int) -> bool:
        return self.accounts.revoke_token(token_id, None if user.is_admin else user.id)
