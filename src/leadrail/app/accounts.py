"""Dashboard accounts: log in, log out, reset a forgotten password, set a password.

Answers never tell whether an e-mail address has an account: a wrong password and an unknown
address fail the same way and take the same time (a dummy hash is checked). A reset request
does the same work for any address: it only queues a job (``RESET_JOB``); the worker looks the
address up, makes the link and sends it, so the raw token exists only in the worker's memory
and in the e-mail, never in the outbox, the API or a log. Only the newest link of a user
works: a new link ends the older ones, and setting a password with one ends all the others."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from leadrail.app.errors import InvalidInput
from leadrail.app.outbox.jobs import JobKind
from leadrail.app.ports import AccountsRepo, AccountUser, ApiTokenRow, Passwords

SESSION_HOURS = 12
RESET_MINUTES = 30
MIN_PASSWORD = 10
MAX_PASSWORD = 200
RESET_JOB = JobKind.PASSWORD_RESET.value
ADDRESS = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]{1,253}$")


@dataclass(frozen=True)
class ResetMail:
    """The password-reset e-mail. ``link`` holds the token: it is kept out of ``repr``."""

    to: str
    name: str
    link: str = field(repr=False)

    subject = "Reset your leadrail password"

    @property
    def text(self) -> str:
        return (
            f"Hello {self.name or self.to},\n\nSomeone (we hope you) asked to reset the password "
            f"of your leadrail account. Choose a new one here; the link works once, for "
            f"{RESET_MINUTES} minutes, and only until a newer link is sent:\n\n{self.link}\n\n"
            f"If it was not you, ignore this e-mail.\n"
        )


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
    def __init__(self, accounts: AccountsRepo, passwords: Passwords) -> None:
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

    def create_user(self, email: str, name: str, *, admin: bool) -> int:
        """A new user, or an existing one made active again (and an admin with ``admin``)."""
        return self.accounts.create_user(email, name, admin=admin)

    def admin_emails(self) -> list[str]:
        return self.accounts.admin_emails()

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

    def request_reset(self, email: str, now: datetime) -> None:
        """Someone asked for a reset link: queue the job, whatever the address (the same work
        whether or not it has an account; no mail server is spoken to here)."""
        address = email.strip().lower()
        if not ADDRESS.match(address):
            raise InvalidInput("enter the e-mail address of your account", field="email")
        self.accounts.queue_reset(address, now)

    def reset_mail(self, email: str, now: datetime, base_url: str) -> ResetMail | None:
        """The worker's half: a new link for an active user (ending their older links), or
        None when the address has no active account (nothing is sent)."""
        started = self.start_reset(email, now)
        if started is None:
            return None
        user, token = started
        return ResetMail(user.email, user.name, f"{base_url.rstrip('/')}/password/reset/{token}")

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
            raise InvalidInput(
                "this reset link has expired, was used, or a newer one was sent", field="token"
            )
        return user

    def tokens(self, user: AccountUser) -> list[ApiTokenRow]:
        """An admin sees every API token; a rep only their own."""
        return self.accounts.tokens(None if user.is_admin else user.id)

    def revoke_token(self, user: AccountUser, token_id: int) -> bool:
        return self.accounts.revoke_token(token_id, None if user.is_admin else user.id)
