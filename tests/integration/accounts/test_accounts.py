"""Dashboard accounts: log in and out, cookies, CSRF, roles, password reset over real SMTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from leadrail.app.outbox import drain
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from leadrail.worker import runner_for
from tests.support.dashboard import PASSWORD, csrf_of, login, make_account
from tests.support.db import SQLITE_ONLY
from tests.support.mail import Inbox
from tests.support.net import free_port

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    container = bootstrap(
        Settings(
            database_url=db_url,
            worker=False,
            smtp_port=free_port(),
            public_base_url="https://leads.acme.test",
            public_rate_limit="1000/minute",
        )
    )
    make_account(container, "admin@acme.test", admin=True, name="Ada Admin")
    make_account(container, "rep@acme.test", admin=False, name="Rae Rep")
    yield container
    container.close()


@pytest.fixture
def client(c: Container) -> TestClient:
    app = create_app(c.settings, container=c)
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


@pytest.fixture
def inbox(c: Container) -> Iterator[Inbox]:
    box = Inbox()
    server = Controller(box, hostname="127.0.0.1", port=c.settings.smtp_port)
    server.start()
    yield box
    server.stop()


def test_the_product_hashes_with_argon2_cffi_recommended_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tests hash cheaply (tests/conftest.py); the product does not, and a cheap hash
    would be upgraded at the next login."""
    import argon2

    from leadrail.adapters import passwords

    monkeypatch.setattr(passwords, "PasswordHasher", argon2.PasswordHasher)
    product = passwords.Argon2Passwords()
    stored = product.hash("correct horse")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert product.verify(stored, "correct horse")
    cheap = argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST).hash("x")
    assert product.needs_rehash(cheap)


def test_passwords_are_stored_as_argon2id_hashes(c: Container) -> None:
    user = c.accounts.accounts.user_by_email("admin@acme.test")
    assert user is not None
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_a_wrong_password_and_an_unknown_address_fail_alike(client: TestClient) -> None:
    wrong = client.post("/login", data={"email": "admin@acme.test", "password": "nope"})
    unknown = client.post("/login", data={"email": "who@acme.test", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert "the e-mail address or the password is wrong" in wrong.text
    assert 'value="admin@acme.test"' in wrong.text  # the address typed is kept
    assert re.sub("who@acme.test", "admin@acme.test", unknown.text) == wrong.text
    assert "leadrail_session" not in wrong.headers.get("set-cookie", "")


def test_the_session_cookie_is_httponly_samesite_and_secure_over_https(
    client: TestClient,
) -> None:
    r = client.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "leadrail_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" in cookie
    assert r.headers["location"] == "/dashboard"


@pytest.mark.parametrize(
    "target", ["https://evil.test/x", "//evil.test/x", "/\\evil.test", "javascript:alert(1)"]
)
def test_login_never_redirects_off_site(client: TestClient, target: str) -> None:
    r = client.post(
        "/login", data={"email": "admin@acme.test", "password": PASSWORD, "next": target}
    )
    assert r.headers["location"] == "/dashboard"


def test_login_returns_to_the_page_asked_for(client: TestClient) -> None:
    asked = client.get("/dashboard/tokens")
    assert asked.status_code == 303
    assert asked.headers["location"] == "/login?next=/dashboard/tokens"
    r = client.post(
        "/login",
        data={"email": "admin@acme.test", "password": PASSWORD, "next": "/dashboard/tokens"},
    )
    assert r.headers["location"] == "/dashboard/tokens"


def test_logout_needs_csrf_and_ends_the_session(client: TestClient) -> None:
    csrf = login(client, "admin@acme.test")
    stolen = dict(client.cookies)
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.get("/dashboard").status_code == 200  # still logged in
    assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    assert client.get("/dashboard").status_code == 303
    client.cookies.update(stolen)  # the old cookie is dead on the server too
    assert client.get("/dashboard").status_code == 303


def test_a_rep_reaches_their_pages_but_no_admin_page(client: TestClient) -> None:
    login(client, "rep@acme.test")
    assert client.get("/dashboard").status_code == 200
    assert client.get("/dashboard/tokens").status_code == 200
    assert client.get("/admin/receipts").status_code == 403
    assert "Routers" not in client.get("/dashboard").text  # no admin navigation


def test_api_tokens_are_managed_from_the_dashboard(c: Container, client: TestClient) -> None:
    admin_token = c.tokens.create_token("admin@acme.test", "admin's")
    csrf = login(client, "rep@acme.test")
    assert client.post("/dashboard/tokens", data={"name": "mine"}).status_code == 403
    made = client.post("/dashboard/tokens", data={"name": "mine", "csrf": csrf})
    secret = re.search(r'id="new-token">(lr_[^<]+)<', made.text)
    assert secret, made.text
    assert c.tokens.token_owner(secret.group(1)) is not None
    page = client.get("/dashboard/tokens").text
    assert "mine" in page
    assert "admin&#39;s" not in page
    admin_id = next(t.id for t in c.accounts.accounts.tokens(None) if t.name == "admin's")
    client.post(f"/dashboard/tokens/{admin_id}/revoke", data={"csrf": csrf})
    assert c.tokens.token_owner(admin_token) is not None  # not theirs to revoke
    empty = client.post("/dashboard/tokens", data={"name": " ", "csrf": csrf})
    assert empty.status_code == 422
    assert 'aria-invalid="true"' in empty.text


def test_changing_the_password_checks_the_current_one_and_ends_sessions(
    c: Container, client: TestClient
) -> None:
    csrf = login(client, "rep@acme.test")
    bad = client.post(
        "/dashboard/password",
        data={"csrf": csrf, "current_password": "wrong", "new_password": "a new long password"},
    )
    assert bad.status_code == 422
    assert 'id="current_password" name="current_password" type="password"' in bad.text
    assert "the current password is wrong" in bad.text
    short = client.post(
        "/dashboard/password",
        data={"csrf": csrf, "current_password": PASSWORD, "new_password": "short"},
    )
    assert short.status_code == 422
    assert "at least 10 characters" in short.text
    ok = client.post(
        "/dashboard/password",
        data={"csrf": csrf, "current_password": PASSWORD, "new_password": "a new long password"},
    )
    assert ok.status_code == 303
    assert client.get("/dashboard").status_code == 303  # logged out everywhere
    assert (
        client.post(
            "/login", data={"email": "rep@acme.test", "password": "a new long password"}
        ).status_code
        == 303
    )


def test_password_reset_by_email_link_works_once(
    c: Container, client: TestClient, inbox: Inbox
) -> None:
    other = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    login(other, "rep@acme.test")  # a session elsewhere ends with the reset
    r = client.post("/password/forgot", data={"email": "Rep@Acme.test"})
    assert "a reset link is on its way" in r.text
    unknown = client.post("/password/forgot", data={"email": "nobody@acme.test"})
    assert unknown.text == r.text  # no telling which addresses have accounts
    drain(c.outbox, runner_for(c), c.clock.now())  # the worker sends it
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "rep@acme.test"
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    link = re.search(r"https://leads\.acme\.test(/password/reset/\S+)", body)
    assert link, body
    path = link.group(1)
    page = client.get(path)
    assert "For rep@acme.test" in page.text
    short = client.post(path, data={"password": "short"})
    assert short.status_code == 422
    assert 'aria-invalid="true"' in short.text
    done = client.post(path, data={"password": "brand new password"})
    assert done.status_code == 200
    assert "Password set" in done.text
    assert other.get("/dashboard").status_code == 303
    again = client.post(path, data={"password": "another new password"})
    assert again.status_code == 400  # the link works once
    assert (
        client.post(
            "/login", data={"email": "rep@acme.test", "password": "brand new password"}
        ).status_code
        == 303
    )


def test_a_reset_link_expires(c: Container) -> None:
    now = c.clock.now()
    started = c.accounts.start_reset("rep@acme.test", now)
    assert started is not None
    later = now + timedelta(minutes=31)
    assert c.accounts.reset_user(started[1], later) is None
    with pytest.raises(Exception, match="expired"):
        c.accounts.finish_reset(started[1], "brand new password", later)


def test_login_is_rate_limited(db_url: str) -> None:
    container = bootstrap(Settings(database_url=db_url, worker=False, public_rate_limit="3/minute"))
    try:
        client = TestClient(create_app(container.settings, container=container))
        codes = [
            client.post("/login", data={"email": "x@acme.test", "password": "guess"}).status_code
            for _ in range(5)
        ]
        assert codes[:3] == [401, 401, 401]
        assert codes[3:] == [429, 429]
    finally:
        container.close()


def test_forbidden_pages_and_errors_escape_what_was_typed(client: TestClient) -> None:
    r = client.post("/login", data={"email": '"><script>alert(1)</script>', "password": "x"})
    assert "<script>alert(1)</script>" not in r.text
    assert csrf_of('<meta name="csrf-token" content="abc">') == "abc"


def test_dashboard_pages_cannot_be_framed_or_cached(client: TestClient) -> None:
    login(client, "admin@acme.test")
    r = client.get("/dashboard")
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
