"""Accounts: users, their passwords, login sessions, password-reset links and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Update, delete, select, update

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.app.accounts import RESET_JOB
from leadrail.app.errors import Conflict
from leadrail.app.ports import AccountUser, ApiTokenRow, TokenOwner

TOKEN_CACHE_SECONDS = 5.0


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _user(row: t.User) -> AccountUser:
    return AccountUser(
        id=row.id,
        email=row.email,
        name=row.name,
        is_admin=row.is_admin,
        active=row.active,
        password_hash=row.password_hash,
    )


def _end_links(user_id: int, now: datetime) -> Update:
    """Every unused reset link of the user stops working (marked used now)."""
    return (
        update(t.PasswordReset)
        .where(t.PasswordReset.user_id == user_id, t.PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )


class SqlAccountsRepo:
    """Implements the AccountsRepo and TokenRepo ports."""

    def __init__(self, db: Database, on_revoke: Callable[[], None] = lambda: None) -> None:
        self.db = db
        self.on_revoke = on_revoke  # every process stops trusting its cached tokens
        self._sessions = db.sessions
        self._writers = db.writer_sessions
        self._write_lock = db.write_lock
        # hash -> (owner, valid until, the revocation epoch it was looked up in)
        self._tokens: dict[str, tuple[TokenOwner, float, int]] = {}

    # --- users -----------------------------------------------------------------------
    def create_user(self, email: str, name: str, *, admin: bool) -> int:
        email = email.strip().lower()
        with self._write_lock(), self._writers() as s, s.begin():
            row = s.scalar(select(t.User).where(t.User.email == email))
            if row is None:
                row = t.User(
                    email=email,
                    name=name,
                    is_admin=admin,
                    created_at=datetime.now(UTC),
                    working_hours={},
                )
                s.add(row)
            else:
                row.is_admin = row.is_admin or admin
                row.active = True
                row.name = name or row.name
            meta = s.get_one(t.WorkspaceMeta, 1)
            meta.revision += 1  # users are part of the workspace
            s.flush()
            return row.id

    def admin_emails(self) -> list[str]:
        with self._sessions() as s:
            q = select(t.User.email).where(t.User.is_admin.is_(True), t.User.active.is_(True))
            return list(s.scalars(q.order_by(t.User.id)))

    def user_by_email(self, email: str) -> AccountUser | None:
        with self._sessions() as s:
            row = s.scalar(select(t.User).where(t.User.email == email.strip().lower()))
            return _user(row) if row else None

    def user_by_id(self, user_id: int) -> AccountUser | None:
        with self._sessions() as s:
            row = s.get(t.User, user_id)
            return _user(row) if row else None

    def set_password(self, user_id: int, password_hash: str) -> None:
        """Store a new hash and end every login session of that user."""
        with self._write_lock(), self._writers() as s, s.begin():
            s.execute(
                update(t.User).where(t.User.id == user_id).values(password_hash=password_hash)
            )
            s.execute(delete(t.LoginSession).where(t.LoginSession.user_id == user_id))

    # --- sessions ----------------------------------------------------------------------
    def create_session(self, user_id: int, now: datetime, expires: datetime) -> tuple[str, str]:
        """A new session: returns (cookie token, CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self._write_lock(), self._writers() as s, s.begin():
            s.execute(delete(t.LoginSession).where(t.LoginSession.expires_at < now))
            s.add(
                t.LoginSession(
                    id_hash=hash_token(token),
                    user_id=user_id,
                    csrf=csrf,
                    created_at=now,
                    expires_at=expires,
                )
            )
        return token, csrf

    def session_user(self, token: str, now: datetime) -> tuple[AccountUser, str] | None:
        """The active user behind a session token and the session's CSRF token."""
        with self._sessions() as s:
            row = s.execute(
                select(t.User, t.LoginSession.csrf)
                .join(t.LoginSession, t.LoginSession.user_id == t.User.id)
                .where(
                    t.LoginSession.id_hash == hash_token(token),
                    t.LoginSession.expires_at > now,
                    t.User.active.is_(True),
                )
            ).first()
            return (_user(row[0]), row[1]) if row else None

    def end_session(self, token: str) -> None:
        with self._write_lock(), self._writers() as s, s.begin():
            s.execute(delete(t.LoginSession).where(t.LoginSession.id_hash == hash_token(token)))

    # --- password resets ----------------------------------------------------------------
    def queue_reset(self, email: str, now: datetime) -> None:
        """The worker sends the link (``RESET_JOB``); the job holds the address, no token."""
        with self._write_lock(), self._writers() as s, s.begin():
            s.add(
                t.OutboxJob(
                    kind=RESET_JOB,
                    ref="",
                    payload={"email": email},
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )

    def create_reset(self, user_id: int, now: datetime, expires: datetime) -> str:
        """A new link; the user's older unused links end (only the newest one works)."""
        token = secrets.token_urlsafe(32)
        with self._write_lock(), self._writers() as s, s.begin():
            s.execute(_end_links(user_id, now))
            s.add(
                t.PasswordReset(
                    token_hash=hash_token(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=expires,
                )
            )
        return token

    def reset_user(self, token: str, now: datetime) -> AccountUser | None:
        """The user a live (unused, unexpired) reset link belongs to, without using it."""
        with self._sessions() as s:
            row = s.scalar(
                select(t.User)
                .join(t.PasswordReset, t.PasswordReset.user_id == t.User.id)
                .where(
                    t.PasswordReset.token_hash == hash_token(token),
                    t.PasswordReset.used_at.is_(None),
                    t.PasswordReset.expires_at > now,
                    t.User.active.is_(True),
                )
            )
            return _user(row) if row else None

    def use_reset(self, token: str, now: datetime, password_hash: str) -> AccountUser | None:
        """Spend a reset link and set the password, atomically: a link works once."""
        with self._write_lock(), self._writers() as s, s.begin():
            used = s.execute(
                update(t.PasswordReset)
                .where(
                    t.PasswordReset.token_hash == hash_token(token),
                    t.PasswordReset.used_at.is_(None),
                    t.PasswordReset.expires_at > now,
                )
                .values(used_at=now)
                .returning(t.PasswordReset.user_id)
            ).first()
            if used is None:
                return None
            user = s.get(t.User, used[0])
            if user is None or not user.active:
                return None
            user.password_hash = password_hash
            s.execute(delete(t.LoginSession).where(t.LoginSession.user_id == user.id))
            s.execute(_end_links(user.id, now))  # one link used: the others end
            return _user(user)

    # --- API tokens ----------------------------------------------------------------------
    def tokens(self, user_id: int | None) -> list[ApiTokenRow]:
        """Tokens of one user, or of everyone (``None``)."""
        with self._sessions() as s:
            q = select(t.ApiToken, t.User.email).join(t.User, t.User.id == t.ApiToken.user_id)
            if user_id is not None:
                q = q.where(t.ApiToken.user_id == user_id)
            return [
                ApiTokenRow(tok.id, email, tok.name, tok.prefix, tok.created_at)
                for tok, email in s.execute(q.order_by(t.ApiToken.id))
            ]

    def revoke_token(self, token_id: int, user_id: int | None) -> bool:
        with self._write_lock(), self._writers() as s, s.begin():
            q = delete(t.ApiToken).where(t.ApiToken.id == token_id)
            if user_id is not None:
                q = q.where(t.ApiToken.user_id == user_id)
            gone = bool(s.execute(q).rowcount)  # type: ignore[attr-defined]
        if gone:
            self.on_revoke()
        return gone

    def create_token(self, email: str, name: str) -> str:
        secret = "lr_" + secrets.token_urlsafe(32)
        with self._write_lock(), self._writers() as s, s.begin():
            user = s.scalar(select(t.User).where(t.User.email == email.strip().lower()))
            if user is None:
                raise Conflict(
                    f"no user {email!r}: create it first with `leadrail user create`", field="email"
                )
            s.add(
                t.ApiToken(
                    user_id=user.id,
                    name=name,
                    prefix=secret[:10],
                    token_hash=hash_token(secret),
                    created_at=datetime.now(UTC),
                )
            )
        return secret

    def cached_token_owner(self, secret: str, epoch: int | None = None) -> TokenOwner | None:
        """The token's owner if it was checked within TOKEN_CACHE_SECONDS and no revocation
        happened since (``epoch``: the current revocation epoch; None: not known, so no
        cache). No I/O."""
        if epoch is None:
            return None
        hit = self._tokens.get(hash_token(secret))
        if hit is None or hit[2] != epoch or hit[1] <= time.monotonic():
            return None
        return hit[0]

    def token_owner(self, secret: str, epoch: int | None = None) -> TokenOwner | None:
        """The active user a token belongs to. Valid tokens are remembered for
        TOKEN_CACHE_SECONDS under the revocation ``epoch`` read before this call (see
        ``adapters.shared_state``): a revoked token or deactivated user stops working at
        once; unknown tokens are always looked up. ``epoch`` None: nothing is cached."""
        hit = self.cached_token_owner(secret, epoch)
        if hit is not None:
            return hit
        key = hash_token(secret)
        with self.db.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.execute(self.db.sql.token_owner, (key,))
            row = cursor.fetchone()
            cursor.close()
        if row is None:
            self._tokens.pop(key, None)
            return None
        owner = TokenOwner(int(row[0]), str(row[1]), bool(row[2]))
        if epoch is not None:
            if len(self._tokens) > 10_000:
                self._tokens.clear()
            self._tokens[key] = (owner, time.monotonic() + TOKEN_CACHE_SECONDS, epoch)
        return owner
