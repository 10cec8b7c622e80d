"""The accounts repository's promises (SQLite, PostgreSQL and tests/fakes/ alike): an API
token finds its owner until it is revoked or its user deactivated; a login session finds
its user until it expires, is ended, or the password changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.app.errors import Conflict
from tests.fakes import FakeAccountsRepo

from .conftest import KINDS, T0, each_store


class SqlAccounts:
    """The SQL repo, and deactivating a user as saving a workspace without them does."""

    def __init__(self, c: Any) -> None:
        self.c = c

    def deactivate(self, email: str) -> None:
        with Session(self.c.wiring.db.engine) as s, s.begin():
            s.execute(update(t.User).where(t.User.email == email).values(active=False))


@pytest.fixture(params=KINDS)
def accounts(request: pytest.FixtureRequest) -> Iterator[Any]:
    def fake() -> tuple[FakeAccountsRepo, FakeAccountsRepo]:
        repo = FakeAccountsRepo()
        return repo, repo

    yield from each_store(request, fake, lambda c: (c.tokens, SqlAccounts(c)))


def test_a_token_finds_its_owner_until_it_is_revoked(accounts: Any) -> None:
    repo, _ = accounts
    user_id = repo.create_user("Ana@Acme.test", "Ana", admin=True)
    secret = repo.create_token("ana@acme.test", "ci")
    other = repo.create_token("ana@acme.test", "zapier")
    owner = repo.token_owner(secret)
    assert (owner.user_id, owner.email, owner.is_admin) == (user_id, "ana@acme.test", True)
    assert repo.token_owner("lr_not-a-token") is None
    (row, _second) = repo.tokens(user_id)
    assert (row.name, row.email, secret.startswith(row.prefix)) == ("ci", "ana@acme.test", True)
    assert repo.revoke_token(row.id, user_id) is True
    assert repo.token_owner(secret) is None
    assert repo.token_owner(other) is not None  # the other token still works
    assert repo.revoke_token(row.id, user_id) is False  # already gone


def test_a_deactivated_users_token_has_no_owner(accounts: Any) -> None:
    repo, world = accounts
    repo.create_user("rep@acme.test", "Rep", admin=False)
    secret = repo.create_token("rep@acme.test", "ci")
    assert repo.token_owner(secret).is_admin is False
    world.deactivate("rep@acme.test")
    assert repo.token_owner(secret) is None
    assert repo.cached_token_owner(secret) is None  # no epoch: never from a cache


def test_a_token_needs_an_existing_user(accounts: Any) -> None:
    repo, _ = accounts
    with pytest.raises(Conflict):
        repo.create_token("nobody@acme.test", "ci")
    assert repo.tokens(None) == []


def test_a_session_finds_its_user_until_ended_expired_or_the_password_changes(
    accounts: Any,
) -> None:
    repo, world = accounts
    user_id = repo.create_user("ana@acme.test", "Ana", admin=False)
    later = T0 + timedelta(hours=8)
    token, csrf = repo.create_session(user_id, T0, later)
    user, got_csrf = repo.session_user(token, T0)
    assert (user.email, got_csrf) == ("ana@acme.test", csrf)
    assert repo.session_user(token, later) is None  # expired
    assert repo.session_user("not-a-session", T0) is None
    repo.end_session(token)
    assert repo.session_user(token, T0) is None
    kept, _ = repo.create_session(user_id, T0, later)
    repo.set_password(user_id, "new-hash")
    assert repo.session_user(kept, T0) is None  # a new password ends every session
    assert repo.user_by_email("ana@acme.test").password_hash == "new-hash"
    again, _ = repo.create_session(user_id, T0, later)
    world.deactivate("ana@acme.test")
    assert repo.session_user(again, T0) is None
