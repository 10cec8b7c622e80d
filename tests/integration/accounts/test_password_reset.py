"""Password resets: the request does the same work for every address (a job; no SMTP), the
worker sends the link over real SMTP, the token is never stored, listed or logged, and only
the newest link of a user works."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from leadrail.app.outbox import drain
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from leadrail.worker import runner_for
from tests.support.dashboard import make_account
from tests.support.mail import Inbox
from tests.support.net import free_port

BASE = "https://leads.acme.test"


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    container = bootstrap(
        Settings(
            database_url=db_url,
            worker=False,
            smtp_port=free_port(),
            public_base_url=BASE,
            public_rate_limit="1000/minute",
        )
    )
    make_account(container, "admin@acme.test", admin=True, name="Ada Admin")
    make_account(container, "rep@acme.test", admin=False, name="Rae Rep")
    yield container
    container.close()


@pytest.fixture
def client(c: Container) -> TestClient:
    return TestClient(create_app(c.settings, container=c), base_url=BASE, follow_redirects=False)


@pytest.fixture
def inbox(c: Container) -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    box = Inbox()
    server = Controller(box, hostname="127.0.0.1", port=c.settings.smtp_port)
    server.start()
    yield box
    server.stop()


def _statements(c: Container, client: TestClient, email: str) -> list[str]:
    """The SQL that one reset request runs, with its parameters' shapes."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append(statement)

    event.listen(c.wiring.db.engine, "before_cursor_execute", record)
    try:
        r = client.post("/password/forgot", data={"email": email})
    finally:
        event.remove(c.wiring.db.engine, "before_cursor_execute", record)
    assert r.status_code == 200
    assert "If that address has an account, a reset link is on its way." in r.text
    return seen


def _links(inbox: Inbox) -> list[str]:
    out = []
    for mail in inbox.messages:
        body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
        found = re.search(rf"{re.escape(BASE)}(/password/reset/\S+)", body)
        assert found, body
        out.append(found.group(1))
    return out


def test_a_request_does_the_same_work_for_any_address(
    c: Container, client: TestClient, inbox: Inbox
) -> None:
    real = _statements(c, client, "Rep@Acme.test")
    unknown = _statements(c, client, "nobody@acme.test")
    assert real == unknown  # the same statements: nothing tells the two apart
    assert inbox.messages == []  # no mail server was spoken to during either request
    jobs = c.outbox.jobs()
    assert [(j["kind"], j["status"]) for j in jobs] == [("password_reset", "pending")] * 2
    assert drain(c.outbox, runner_for(c), c.clock.now()) == 2
    assert [m["To"] for m in inbox.messages] == ["rep@acme.test"]
    results = {j["result"] for j in c.outbox.jobs()}
    assert results == {"reset link sent", "no active account with this address: nothing sent"}


def test_an_address_that_is_not_one_is_refused_on_the_form(
    c: Container, client: TestClient
) -> None:
    r = client.post("/password/forgot", data={"email": "no at sign"})
    assert r.status_code == 422
    assert "enter the e-mail address of your account" in r.text
    assert 'aria-invalid="true"' in r.text
    assert c.outbox.jobs() == []


def test_the_token_is_never_stored_listed_or_logged(
    c: Container, client: TestClient, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.post("/password/forgot", data={"email": "rep@acme.test"})
    drain(c.outbox, runner_for(c), c.clock.now())
    (path,) = _links(inbox)
    token = path.rsplit("/", 1)[1]
    api = c.tokens.create_token("admin@acme.test", "t")
    listed = client.get("/api/v1/outbox", headers={"Authorization": f"Bearer {api}"})
    assert listed.status_code == 200
    assert listed.json()[0]["kind"] == "password_reset"
    with c.wiring.db.engine.connect() as conn:
        stored = [str(row) for row in conn.execute(text("SELECT * FROM outbox"))]
        stored += [str(row) for row in conn.execute(text("SELECT * FROM password_resets"))]
    assert token not in listed.text
    assert token not in "".join(stored)
    assert token not in caplog.text
    assert client.get(path).status_code == 200  # and the link works


def test_only_the_newest_link_works(c: Container, client: TestClient, inbox: Inbox) -> None:
    runner = runner_for(c)
    client.post("/password/forgot", data={"email": "rep@acme.test"})
    drain(c.outbox, runner, c.clock.now())
    client.post("/password/forgot", data={"email": "rep@acme.test"})
    drain(c.outbox, runner, c.clock.now())
    older, newer = _links(inbox)
    assert "has expired, was used, or a newer one was sent" in client.get(older).text
    done = client.post(newer, data={"password": "brand new password"})
    assert "Password set" in done.text
    refused = client.post(older, data={"password": "attacker's password"})
    assert refused.status_code == 400
    login = client.post("/login", data={"email": "rep@acme.test", "password": "brand new password"})
    assert login.status_code == 303


def test_using_a_link_ends_every_other_link_of_the_user(c: Container) -> None:
    """Even links that are live at once (made before this rule, or by two workers racing)."""
    now = c.clock.now()
    first = c.accounts.start_reset("rep@acme.test", now)
    assert first is not None
    with c.wiring.db.engine.begin() as conn:  # revive it, as if it had been made alongside the next
        conn.execute(text("UPDATE password_resets SET used_at = NULL"))
    second = c.accounts.start_reset("rep@acme.test", now)
    assert second is not None
    with c.wiring.db.engine.begin() as conn:
        conn.execute(text("UPDATE password_resets SET used_at = NULL"))
    c.accounts.finish_reset(second[1], "brand new password", now)
    assert c.accounts.reset_user(first[1], now) is None


def test_the_worker_in_the_server_sends_the_mail(c: Container, inbox: Inbox) -> None:
    settings = c.settings.model_copy(update={"worker": True, "worker_interval_seconds": 0.1})
    served = bootstrap(settings)
    try:
        with TestClient(create_app(settings, container=served), base_url=BASE) as client:
            client.post("/password/forgot", data={"email": "admin@acme.test"})
            deadline = time.monotonic() + 20
            while not inbox.messages and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        served.close()
    (mail,) = inbox.messages
    assert mail["To"] == "admin@acme.test"
    assert mail["Subject"] == "Reset your leadrail password"
    assert _links(inbox)[0].startswith("/password/reset/")
