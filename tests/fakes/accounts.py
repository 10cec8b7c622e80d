"""Accounts and API tokens in memory: what ``SqlAccountsRepo`` promises of users, login
sessions and tokens (a revoked token or an inactive user's token has no owner)."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime

from leadrail.app.errors import Conflict
from leadrail.app.ports import AccountUser, ApiTokenRow, TokenOwner


class FakeAccountsRepo:
    """The TokenRepo port and the AccountsRepo's users, sessions and tokens."""

    def __init__(self) -> None:
        self.users: dict[int, AccountUser] = {}
        self.sessions: dict[str, tuple[int, str, datetime]] = {}  # token -> user, csrf, expiry
        self.api_tokens: dict[str, tuple[ApiTokenRow, int]] = {}  # secret -> row, user id
        self.token_ids = 0

    def create_user(self, email: str, name: str, *, admin: bool) -> int:
        email = email.strip().lower()
        found = self.user_by_email(email)
        if found is None:
            user_id = len(self.users) + 1
            self.users[user_id] = AccountUser(user_id, email, name, admin, True, None)
            return user_id
        self.users[found.id] = replace(
            found, name=name or found.name, is_admin=found.is_admin or admin, active=True
        )
        return found.id

    def deactivate(self, email: str) -> None:
        """What saving a workspace without the user does."""
        user = self.user_by_email(email)
        assert user is not None
        self.users[user.id] = replace(user, active=False)

    def user_by_email(self, email: str) -> AccountUser | None:
        email = email.strip().lower()
        return next((u for u in self.users.values() if u.email == email), None)

    def set_password(self, user_id: int, password_hash: str) -> None:
        """Store a new hash and end every login session of that user."""
        self.users[user_id] = replace(self.users[user_id], password_hash=password_hash)
        self.sessions = {k: v for k, v in self.sessions.items() if v[0] != user_id}

    def create_session(self, user_id: int, now: datetime, expires: datetime) -> tuple[str, str]:
        token, csrf = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        self.sessions[token] = (user_id, csrf, expires)
        return token, csrf

    def session_user(self, token: str, now: datetime) -> tuple[AccountUser, str] | None:
        found = self.sessions.get(token)
        if found is None or found[2] <= now or not self.users[found[0]].active:
            return None
        return self.users[found[0]], found[1]

    def end_session(self, token: str) -> None:
        self.sessions.pop(token, None)

    def tokens(self, user_id: int | None) -> list[ApiTokenRow]:
        rows = sorted(self.api_tokens.values(), key=lambda x: x[0].id)
        return [row for row, uid in rows if user_id is None or uid == user_id]

    def revoke_token(self, token_id: int, user_id: int | None) -> bool:
        for secret, (row, uid) in list(self.api_tokens.items()):
            if row.id == token_id and (user_id is None or uid == user_id):
                del self.api_tokens[secret]
                return True
        return False

    def create_token(self, email: str, name: str) -> str:
        user = self.user_by_email(email)
        if user is None:
            raise Conflict(f"no user {email!r}", field="email")
        secret = "lr_" + secrets.token_urlsafe(16)
        self.token_ids += 1
        row = ApiTokenRow(self.token_ids, user.email, name, secret[:10],
                          datetime.now(UTC))  # fmt: skip
        self.api_tokens[secret] = (row, user.id)
        return secret

    def cached_token_owner(self, secret: str, epoch: int | None = None) -> TokenOwner | None:
        return None  # nothing cached: every look-up is fresh

    def token_owner(self, secret: str, epoch: int | None = None) -> TokenOwner | None:
        found = self.api_tokens.get(secret)
        user = self.users[found[1]] if found else None
        if user is None or not user.active:
            return None
        return TokenOwner(user.id, user.email, user.is_admin)
