"""Outbound URLs that users type (issue 11, item 2): refused when saved if they name a private
address, refused when used if they resolve to one (the receipt says why and how to allow
it), and a webhook's reply is kept only as much as an admin needs, escaped where shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leadrail.adapters.outbound import Outbound
from leadrail.app.apply import apply_workspace
from leadrail.app.outbox import drain
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from leadrail.worker import runner_for
from tests.factories import MONDAY_8AM_NY, SITE_KEY, FixedClock, booking_workspace, leads_workspace
from tests.integration.adapters.outbound_servers import serving
from tests.support.dashboard import login, make_account

ADMIN = "admin@acme.test"
LEAD = {"category": "New Models", "customer": {"first_name": "Pat", "email": "pat@example.test"}}


def make(db_url: str, allow: str = "") -> tuple[Container, TestClient, str]:
    c = bootstrap(
        Settings(
            database_url=db_url, secret_key="o" * 32, worker=False, smtp_port=1,
            outbound_allow_hosts=allow,
        )
    )  # fmt: skip
    c.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    make_account(c, ADMIN, admin=True)
    client = TestClient(
        create_app(c.settings, container=c), base_url="https://testserver", follow_redirects=False
    )
    return c, client, login(client, ADMIN)


@pytest.fixture
def admin(sqlite_url: str) -> Iterator[tuple[Container, TestClient, str]]:
    made = make(sqlite_url)
    apply_workspace(made[0].workspace, {**booking_workspace(), **leads_workspace()})
    yield made
    made[0].close()


def deliver(c: Container, client: TestClient, hook: str) -> dict[str, Any]:
    doc = leads_workspace()
    doc["categories"][0]["destinations"] = [{"address": hook, "format": "json"}]
    apply_workspace(c.workspace, doc)
    r = client.post("/api/v1/leads", json=LEAD, headers={"X-Site-Key": SITE_KEY})
    assert r.status_code == 201, r.text
    drain(c.outbox, runner_for(c), c.clock.now())
    primary = [d for d in c.leads.deliveries(lead=r.json()["id"]) if d["role"] == "primary"]
    return {**primary[0], "lead_id": r.json()["id"]}


def test_a_webhook_resolving_to_a_private_address_is_refused_and_the_receipt_says_why(
    admin: tuple[Container, TestClient, str],
) -> None:
    c, client, _ = admin
    c.wiring.outbound = Outbound(
        resolve=lambda host, port: {"hooks.dealer.test": ["10.0.0.5"]}[host]
    )
    d = deliver(c, client, "https://hooks.dealer.test/lead")
    assert d["status"] == "fell_back"  # refused at once: no retry helps, the fallback has it
    assert len(d["attempts"]) == 1
    expected = (
        "webhook URL resolves to a private address 10.0.0.5 (host hooks.dealer.test); an "
        "operator can allow it with LEADRAIL_OUTBOUND_ALLOW_HOSTS=hooks.dealer.test:443"
    )
    assert d["attempts"][0]["response"] == expected
    page = client.get(f"/admin/receipts/{d['lead_id']}").text
    assert expected in page


def test_the_receipt_keeps_the_status_and_a_short_escaped_excerpt_of_failures(
    sqlite_url: str,
) -> None:
    c, client, _ = make(sqlite_url, allow="127.0.0.1")
    apply_workspace(c.workspace, leads_workspace())
    try:
        private = b'{"db_password": "hunter2", "rows": [' + b"1," * 500 + b"1]}"
        with serving(status=200, body=private) as ok:
            d = deliver(c, client, f"{ok.url}/hook")
        assert d["status"] == "delivered"
        assert d["attempts"][0]["response"] == "HTTP 200 OK"  # a success keeps no body
        evil = b"<script>alert(1)</script>\r\n\x00 bad signature " + b"x" * 500
        with serving(status=400, body=evil) as bad:
            d = deliver(c, client, f"{bad.url}/hook")
        response = d["attempts"][0]["response"]
        assert response.startswith("HTTP 400 Bad Request: <script>alert(1)</script> bad signature")
        assert len(response) <= len("HTTP 400 Bad Request: ") + 121
        assert "\n" not in response
        assert "\x00" not in response
        page = client.get(f"/admin/receipts/{d['lead_id']}").text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    finally:
        c.close()


def test_private_urls_are_refused_when_saved_naming_the_field(
    admin: tuple[Container, TestClient, str],
) -> None:
    c, client, csrf = admin
    token = c.tokens.create_token(ADMIN, "t")
    auth = {"Authorization": f"Bearer {token}"}
    hook = {"address": "http://10.0.0.5/hook", "format": "json"}
    r = client.post("/api/v1/categories", json={"name": "x", "destinations": [hook]}, headers=auth)
    assert r.status_code == 422
    problems = {p["field"]: p["message"] for p in r.json()["error"]["problems"]}
    assert problems["destinations[0].address"].startswith("points at a private address 10.0.0.5")
    r = client.post("/dashboard/me", data={
        "csrf": csrf, "calendar.provider": "caldav",
        "calendar.url": "http://169.254.169.254/latest/meta-data/"})  # fmt: skip
    assert r.status_code == 422
    assert 'id="f-calendar-url-err"' in r.text
    assert "link-local (cloud metadata) address 169.254.169.254" in r.text
    crm = {"csrf": csrf, "provider": "hubspot", "connection.url": "http://localhost:8080/"}
    r = client.post("/dashboard/crm", data=crm)
    assert r.status_code == 422
    assert 'id="f-connection-url-err"' in r.text
    assert "localhost is a local network name" in r.text
    for url in ("http://2130706433/", "http://0x7f.1/", "http://[::ffff:10.0.0.5]/"):
        r = client.put("/api/v1/workspace", json={"fallback_destination": {
            "address": url, "format": "json"}}, headers=auth)  # fmt: skip
        assert r.status_code == 422, url


def test_the_operator_allows_a_private_host(sqlite_url: str) -> None:
    c, client, _ = make(sqlite_url, allow="10.0.0.5, crm.internal:8443")
    try:
        doc = leads_workspace()
        doc["categories"][0]["destinations"] = [{"address": "http://10.0.0.5/h", "format": "json"}]
        doc["crm"] = {"provider": "hubspot", "connection": {"url": "https://crm.internal:8443"}}
        assert apply_workspace(c.workspace, doc)
    finally:
        c.close()
