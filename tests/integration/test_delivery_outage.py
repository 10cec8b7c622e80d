"""A mail server down for longer than the whole retry budget loses no lead: every delivery
waits for the server (retried hourly), the receipts say so, the admins are told once, and
when the server is back every lead goes out with its own Message-ID. A refusal for good
ends the retries (fallback, or failed and the admins told); so does an admin."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace
from leadrail.app.leads import take_lead
from leadrail.app.outbox import MAX_ATTEMPTS, drain
from leadrail.bootstrap import Container, bootstrap
from leadrail.leads.model import Customer, Lead
from leadrail.leads.nearest import LocationHints
from leadrail.settings import Settings
from leadrail.web.main import create_app
from leadrail.worker import runner_for
from tests.factories import MONDAY_8AM_NY, SITE_KEY, FixedClock, leads_workspace
from tests.support.dashboard import login, make_account
from tests.support.net import free_port

ADMIN = "admin@acme.test"
LEADS = 3


class Inbox:
    """An SMTP server that refuses, for good, the addresses in ``refuse``."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.refuse = refuse
        self.messages: list[Message] = []

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    container = bootstrap(
        Settings(database_url=db_url, worker=False, smtp_port=free_port(), mail_from="l@x.test")
    )
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(container.workspace, leads_workspace(nearest_store_routing=False))
    make_account(container, ADMIN, admin=True)
    yield container
    container.close()


def take(c: Container, n: int = LEADS) -> list[str]:
    ids = []
    for i in range(n):
        lead = Lead(
            id="",
            created_at=c.clock.now(),
            category="Service",
            customer=Customer(first_name=f"P{i}", email=f"p{i}@example.test"),
        )
        taken = take_lead(
            c.leads, c.routing, c.locator, site_key=SITE_KEY, lead=lead, hints=LocationHints(),
            idempotency_key=None, now=c.clock.now(),
        )  # fmt: skip
        ids.append(taken.lead.id)
    return ids


def run_until(c: Container, end: datetime, step: timedelta) -> None:
    """The worker, on a fake clock: a drain every ``step`` until ``end``."""
    clock: FixedClock = c.clock  # type: ignore[assignment]
    runner = runner_for(c)
    while clock.current < end:
        drain(c.outbox, runner, clock.current)
        clock.current += step


def smtp(c: Container, inbox: Inbox) -> Controller:
    server = Controller(inbox, hostname="127.0.0.1", port=c.settings.smtp_port)
    server.start()
    return server


def message_id(payload: str) -> str:
    return str(email.message_from_string(payload)["Message-ID"])


def test_smtp_down_past_the_budget_then_up_delivers_every_lead(c: Container) -> None:
    ids = take(c)
    start = c.clock.now()
    run_until(c, start + timedelta(hours=6), timedelta(minutes=10))  # the server is down

    receipts = c.leads.deliveries(limit=100)
    assert {(d["role"], d["status"]) for d in receipts} == {
        ("primary", "waiting"),
        ("fallback", "waiting"),  # the fallback is the same server: it waits too
    }
    assert len(receipts) == 2 * LEADS
    for d in receipts:
        assert d["status_text"] == "waiting for the server"
        assert d["next_attempt_at"] is not None
        assert len(d["attempts"]) > MAX_ATTEMPTS  # tried on, past the budget
    api = TestClient(create_app(c.settings, container=c))
    login(api, ADMIN)
    page = api.get("/admin/receipts").text
    assert f"{2 * LEADS} deliveries are waiting for the server" in page
    assert "failed" not in {d["status"] for d in receipts}
    (alert,) = [j for j in c.outbox.jobs() if j["kind"] == "lead_alert"]
    assert alert["status"] == "waiting"  # the admins' alert waits for the server as well

    inbox = Inbox()
    server = smtp(c, inbox)
    try:
        run_until(c, c.clock.now() + timedelta(hours=3), timedelta(minutes=10))
    finally:
        server.stop()

    receipts = c.leads.deliveries(limit=100)
    assert {d["lead_id"] for d in receipts} == set(ids)
    assert all(d["status"] == "delivered" for d in receipts)
    for d in receipts:
        ok = [a["ok"] for a in d["attempts"]]
        assert ok[-1] is True
        assert not any(ok[:-1])
        # the same Message-ID on every attempt, and once at the receiver
        assert {message_id(a["payload"]) for a in d["attempts"]} == {d["message_id"]}
        received = [m for m in inbox.messages if m["Message-ID"] == d["message_id"]]
        assert len(received) == 1
    assert len(inbox.to("service@dealer.test")) == LEADS
    assert len(inbox.to("manager@dealer.test")) == LEADS
    (told,) = inbox.to(ADMIN)  # one alert for the outage, not one per lead or per retry
    body = told.get_payload(decode=True).decode()
    assert all(f"/admin/receipts/{i}" in body for i in ids)
    assert "could not be delivered" in told["Subject"]


def test_a_refusal_for_good_ends_the_retries_and_tells_the_admins(c: Container) -> None:
    inbox = Inbox(refuse=("service@dealer.test", "manager@dealer.test"))
    server = smtp(c, inbox)
    try:
        (lead_id,) = take(c, 1)
        run_until(c, c.clock.now() + timedelta(minutes=30), timedelta(minutes=10))
    finally:
        server.stop()
    by_role = {d["role"]: d for d in c.leads.deliveries(lead=lead_id)}
    assert by_role["primary"]["status"] == "fell_back"  # at once: no retry of a 550
    assert len(by_role["primary"]["attempts"]) == 1
    assert by_role["fallback"]["status"] == "failed"
    assert by_role["fallback"]["status_text"] == "refused for good"
    assert by_role["fallback"]["next_attempt_at"] is None
    (told,) = inbox.to(ADMIN)
    assert lead_id in told.get_payload(decode=True).decode()


def test_an_admin_can_stop_a_waiting_delivery(c: Container) -> None:
    (lead_id,) = take(c, 1)
    run_until(c, c.clock.now() + timedelta(hours=2), timedelta(minutes=10))
    primary = next(d for d in c.leads.deliveries(lead=lead_id) if d["role"] == "primary")
    assert primary["status"] == "waiting"
    token = c.tokens.create_token(ADMIN, "test")
    api = TestClient(create_app(c.settings, container=c))
    login(api, ADMIN)
    page = api.get(f"/admin/receipts/{lead_id}").text
    assert "service@dealer.test (text, primary): waiting for the server" in page
    assert "Stop retrying" in page
    auth = {"Authorization": f"Bearer {token}"}
    r = api.post(f"/api/v1/deliveries/{primary['id']}/stop", headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "stopped"
    waiting = api.get("/api/v1/deliveries", params={"status": "waiting"}, headers=auth).json()
    assert primary["id"] not in {d["id"] for d in waiting}
    tried = len(primary["attempts"])
    inbox = Inbox()
    server = smtp(c, inbox)
    try:
        run_until(c, c.clock.now() + timedelta(hours=3), timedelta(minutes=10))
    finally:
        server.stop()
    after = next(d for d in c.leads.deliveries(lead=lead_id) if d["role"] == "primary")
    assert after["status"] == "stopped"
    assert len(after["attempts"]) == tried  # not tried again
    assert not inbox.to("service@dealer.test")
