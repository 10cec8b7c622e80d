"""Form and offer leads: intake, destinations, delivery with receipts, faults survived."""

from __future__ import annotations

import email
import json
import threading
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from lxml import etree
from standardwebhooks import Webhook

from leadrail.app.apply import apply_workspace
from leadrail.app.errors import InvalidWorkspace
from leadrail.app.outbox import MAX_ATTEMPTS, drain
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from leadrail.worker import runner_for
from tests.factories import MONDAY_8AM_NY, SITE_KEY, FixedClock, leads_workspace
from tests.support.dashboard import login, make_account
from tests.support.net import free_port

WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def c(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    monkeypatch.setenv("LEADRAIL_CRED_TEST_WEBHOOK", WEBHOOK_SECRET)
    container = bootstrap(
        Settings(
            database_url=db_url,
            secret_key="l" * 32,
            worker=False,
            smtp_port=free_port(),
            mail_from="leads@leadrail.test",
            outbound_allow_hosts="127.0.0.1",  # the webhook receivers are local servers
        )
    )
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(container.workspace, leads_workspace())
    yield container
    container.close()


@pytest.fixture
def client(c: Container) -> TestClient:
    return TestClient(create_app(c.settings, container=c), follow_redirects=False)


@pytest.fixture
def inbox(c: Container) -> Iterator[Inbox]:
    box = Inbox()
    server = Controller(box, hostname="127.0.0.1", port=c.settings.smtp_port)
    server.start()
    yield box
    server.stop()


def post(client: TestClient, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/leads", json=body, headers={"X-Site-Key": SITE_KEY, **headers})


LEAD = {"category": "New Models", "offer": "Winter lease special",
        "customer": {"first_name": "Zoë", "last_name": "O'Brien", "email": "zoe@example.test",
                     "phones": [{"number": "+1 (212) 555-0100", "type": "cellphone"}]},
        "vehicle": {"year": "2027", "make": "Ford", "model": "Bronco", "status": "new"},
        "comments": "Call after 5 <b>please</b>", "utm": {"utm_source": "google"},
        "page_url": "https://dealer.test/bronco"}  # fmt: skip


def test_a_lead_goes_to_its_categorys_addresses_in_adf(
    c: Container, client: TestClient, inbox: Inbox
) -> None:
    r = post(client, LEAD)
    assert r.status_code == 201, r.text
    body = r.json()
    assert [d["address"] for d in body["destinations"]] == ["newcars@dealer.test"]
    drain(c.outbox, runner_for(c), c.clock.now())
    (message,) = inbox.to("newcars@dealer.test")
    assert message["Content-Transfer-Encoding"] == "7bit"
    assert message["Message-ID"] == f"<{body['destinations'][0]['delivery_id']}@leadrail>"
    raw = message.get_payload(decode=True)
    assert raw.isascii()
    document = etree.fromstring(raw)
    assert document.tag == "adf"
    assert document.findtext("prospect/customer/contact/name[@part='first']") == "Zoë"
    assert document.findtext("prospect/vehicle/model") == "Bronco"
    assert "Category: New Models" in document.findtext("prospect/customer/comments")
    (receipt,) = c.leads.deliveries(lead=body["id"])
    assert receipt["status"] == "delivered"
    assert receipt["attempts"][0]["ok"] is True
    assert receipt["attempts"][0]["response"].startswith("250")
    assert "<adf>" in receipt["attempts"][0]["payload"]


def test_same_idempotency_key_twice_makes_one_lead(c: Container, client: TestClient) -> None:
    first = post(client, LEAD, **{"Idempotency-Key": "form-123"})
    again = post(client, LEAD, **{"Idempotency-Key": "form-123"})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["replayed"] is True
    assert {**again.json(), "replayed": False} == first.json()  # the answer is what reads back
    assert len(c.leads.deliveries()) == 1


def test_a_site_removed_since_the_last_lead_is_refused(c: Container, client: TestClient) -> None:
    assert post(client, LEAD).status_code == 201  # the site's key is now in the cached settings
    doc = leads_workspace()
    doc["sites"] = []
    apply_workspace(c.workspace, doc)
    refused = post(client, LEAD)
    assert refused.status_code == 401
    assert refused.json()["error"]["field"] == "site_key"
    assert len(c.leads.deliveries()) == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"category": "Service"}, ["service@dealer.test"]),
        ({"category": "Used Vehicles"}, ["leads@dealer.test"]),  # empty: ALL
        ({"category": "Parts"}, ["leads@dealer.test"]),  # unknown: ALL, never dropped
        ({"category": "Service", "postal_code": "10007"}, ["service-dt@dealer.test"]),
        ({"category": "Service", "store": "downtown"}, ["service-dt@dealer.test"]),
        ({"category": "New Models", "postal_code": "10007"}, ["newcars@dealer.test"]),
        ({"category": "Service", "postal_code": "90012"}, ["service@dealer.test"]),  # too far
    ],
)
def test_destinations(client: TestClient, change: dict[str, Any], expected: list[str]) -> None:
    r = post(client, {**LEAD, **change})
    assert r.status_code == 201, r.text
    assert [d["address"] for d in r.json()["destinations"]] == expected


def test_nearest_store_is_in_the_trace(client: TestClient) -> None:
    r = post(client, {**LEAD, "category": "Service", "postal_code": "10007"})
    body = r.json()
    assert body["store"] == "Downtown"
    assert body["trace"][0].startswith("store Downtown: nearest to postal code 10007 (")


def test_without_categories_addresses_all_then_fallback(c: Container, client: TestClient) -> None:
    doc = leads_workspace()
    doc["categories"] = [{"name": "New Models", "destinations": []}]
    doc["stores"] = []
    apply_workspace(c.workspace, doc)
    r = post(client, LEAD)
    assert [d["address"] for d in r.json()["destinations"]] == ["manager@dealer.test"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "field"),
    [
        (LEAD, {"X-Site-Key": "pk_spoofed_key_0000000"}, 401, "site_key"),
        ({**LEAD, "customer": {"first_name": "No way to reach"}}, {}, 422, "customer"),
        ({**LEAD, "category": ""}, {}, 422, "category"),
        ({**LEAD, "vehicle": {"vin": "<script>"}}, {}, 422, "vehicle.vin"),
        ({**LEAD, "comments": "x" * 5001}, {}, 422, "comments"),
        ({**LEAD, "surprise": 1}, {}, 422, "surprise"),
    ],
)
def test_bad_leads_are_refused_and_nothing_is_written(
    c: Container,
    client: TestClient,
    body: dict[str, Any],
    headers: dict[str, str],
    status: int,
    field: str,
) -> None:
    r = client.post("/api/v1/leads", json=body, headers={"X-Site-Key": SITE_KEY, **headers})
    assert r.status_code == status, r.text
    assert r.json()["error"]["field"] == field
    assert c.leads.deliveries() == []


def test_the_html_form_endpoint_thanks_on_the_sites_page(c: Container, client: TestClient) -> None:
    r = client.post(
        "/leads/form",
        data={
            "site_key": SITE_KEY,
            "category": "Service",
            "first_name": "Ann",
            "email": "ann@example.test",
            "vehicle_make": "Ford",
            "utm_source": "flyer",
            "comments": "<script>x</script>",
        },
    )
    assert r.status_code == 303
    assert r.headers["location"] == "https://dealer.test/thanks"
    (d,) = c.leads.deliveries()
    assert d["destination"] == "service@dealer.test"
    bad = client.post("/leads/form", data={"site_key": SITE_KEY, "category": "Service"})
    assert bad.status_code == 422
    assert "email or a phone" in bad.text


def test_smtp_down_then_back_everything_delivered_nothing_twice(
    c: Container, client: TestClient
) -> None:
    ids = [
        post(
            client, {**LEAD, "customer": {**LEAD["customer"], "email": f"p{i}@example.test"}}
        ).json()["id"]
        for i in range(3)
    ]
    runner = runner_for(c)
    drain(c.outbox, runner, c.clock.now())  # no SMTP server yet
    assert {d["status"] for d in c.leads.deliveries()} == {"pending"}
    box = Inbox()
    server = Controller(box, hostname="127.0.0.1", port=c.settings.smtp_port)
    server.start()
    try:
        for hours in (1, 2, 3):
            c.clock.current = MONDAY_8AM_NY.replace(hour=13 + hours)  # type: ignore[attr-defined]
            drain(c.outbox, runner, c.clock.now())
    finally:
        server.stop()
    assert len(box.messages) == 3
    assert len({m["Message-ID"] for m in box.messages}) == 3
    receipts = c.leads.deliveries()
    assert {d["lead_id"] for d in receipts} == set(ids)
    assert all(d["status"] == "delivered" for d in receipts)
    assert all([a["ok"] for a in d["attempts"]] == [False, True] for d in receipts)


class Hook(BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append((dict(self.headers), body))
        code = Hook.answers.pop(0) if Hook.answers else 200
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[str]:
    Hook.answers, Hook.received = [500, 500], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/leads"
    server.shutdown()


def test_webhook_500s_then_200_is_retried_and_signed(
    c: Container, client: TestClient, hook: str
) -> None:
    doc = leads_workspace()
    doc["categories"][0]["destinations"] = [
        {"address": hook, "format": "json", "secret_env": "LEADRAIL_CRED_TEST_WEBHOOK"}
    ]
    apply_workspace(c.workspace, doc)
    lead_id = post(client, LEAD).json()["id"]
    runner = runner_for(c)
    for hours in (0, 1, 2):
        c.clock.current = MONDAY_8AM_NY.replace(hour=13 + hours)  # type: ignore[attr-defined]
        drain(c.outbox, runner, c.clock.now())
    (d,) = c.leads.deliveries(lead=lead_id)
    assert d["status"] == "delivered"
    assert [a["ok"] for a in d["attempts"]] == [False, False, True]
    assert d["attempts"][0]["response"].startswith("HTTP 500")
    assert len(Hook.received) == 3
    headers, body = Hook.received[-1]
    lowered = {k.lower(): v for k, v in headers.items()}
    assert lowered["webhook-id"] == d["id"]  # the same id on every attempt
    assert {
        h["webhook-id"]
        for h, _ in [({k.lower(): v for k, v in h.items()}, b) for h, b in Hook.received]
    } == {d["id"]}
    Webhook(WEBHOOK_SECRET).verify(body, lowered)  # raises if the signature is wrong
    assert json.loads(body)["lead"]["id"] == lead_id


def test_a_destination_that_never_works_hands_over_to_the_fallback(
    c: Container,
    client: TestClient,
    hook: str,
    inbox: Inbox,
) -> None:
    Hook.answers = [503] * (MAX_ATTEMPTS + 5)
    doc = leads_workspace()
    doc["categories"][0]["destinations"] = [{"address": hook, "format": "json"}]
    apply_workspace(c.workspace, doc)
    lead_id = post(client, LEAD).json()["id"]
    runner = runner_for(c)
    for step in range(MAX_ATTEMPTS + 1):
        c.clock.current = MONDAY_8AM_NY.replace(day=1 + step, month=12)  # type: ignore[attr-defined]
        drain(c.outbox, runner, c.clock.now())
    by_role = {d["role"]: d for d in c.leads.deliveries(lead=lead_id)}
    # past its budget the primary keeps trying (hourly), and the fallback has the lead
    assert by_role["primary"]["status"] == "waiting"
    assert len(by_role["primary"]["attempts"]) == MAX_ATTEMPTS + 1
    assert "sent to the fallback manager@dealer.test" in by_role["primary"]["last_error"]
    assert by_role["fallback"]["status"] == "delivered"
    assert len(inbox.to("manager@dealer.test")) == 1


def test_receipts_api_filters_and_resend(c: Container, client: TestClient, inbox: Inbox) -> None:
    c.accounts.create_user("admin@acme.test", "Admin", admin=True)
    auth = {"Authorization": f"Bearer {c.tokens.create_token('admin@acme.test', 't')}"}
    lead_id = post(client, LEAD).json()["id"]
    drain(c.outbox, runner_for(c), c.clock.now())
    got = client.get("/api/v1/deliveries", params={"status": "delivered"}, headers=auth).json()
    assert [d["lead_id"] for d in got] == [lead_id]
    assert (
        client.get(
            "/api/v1/deliveries", params={"destination": "nobody@x.test"}, headers=auth
        ).json()
        == []
    )
    assert (
        client.get("/api/v1/deliveries", params={"status": "lost"}, headers=auth).status_code == 422
    )
    again = client.post(f"/api/v1/deliveries/{got[0]['id']}/resend", headers=auth)
    assert again.status_code == 201
    drain(c.outbox, runner_for(c), c.clock.now())
    assert len(inbox.to("newcars@dealer.test")) == 2
    detail = client.get(f"/api/v1/leads/{lead_id}", headers=auth).json()
    assert sorted(d["role"] for d in detail["deliveries"]) == ["primary", "resend"]


def test_the_receipts_page_shows_attempts_and_resends(
    c: Container, client: TestClient, inbox: Inbox
) -> None:
    make_account(c, "admin@acme.test", admin=True)
    make_account(c, "rep@acme.test", admin=False)
    lead_id = post(client, {**LEAD, "comments": "<script>alert(1)</script>"}).json()["id"]
    drain(c.outbox, runner_for(c), c.clock.now())
    anonymous = client.get("/admin/receipts", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
    login(client, "rep@acme.test")
    assert client.get("/admin/receipts").status_code == 403  # reps see no receipts
    client.cookies.clear()
    csrf = login(client, "admin@acme.test")
    listing = client.get("/admin/receipts", params={"status": "delivered"})
    assert listing.status_code == 200
    assert "newcars@dealer.test" in listing.text
    detail = client.get(f"/admin/receipts/{lead_id}")
    assert "category New Models has 1 address(es)" in detail.text
    assert "<script>alert(1)</script>" not in detail.text  # the payload is shown escaped
    delivery_id = c.leads.deliveries(lead=lead_id)[0]["id"]
    url = f"/admin/receipts/{lead_id}/resend/{delivery_id}"
    assert client.post(url, data={"csrf": "forged"}).status_code == 403
    done = client.post(url, data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303
    drain(c.outbox, runner_for(c), c.clock.now())
    assert len(inbox.to("newcars@dealer.test")) == 2


def test_a_sites_router_can_pick_the_category(c: Container, client: TestClient) -> None:
    doc = leads_workspace(routers=[{
        "slug": "lead-sorter", "title": "Lead sorter",
        "rules": [{"name": "Oil changes", "when": {"field": "offer", "op": "contains",
                                                   "value": "oil"},
                   "route": {"category": "Service"}}],
        "default": {"category": "New Models"}}])  # fmt: skip
    doc["sites"][0]["router"] = "lead-sorter"
    apply_workspace(c.workspace, doc)
    r = post(client, {**LEAD, "category": "New Models", "offer": "Oil change special"})
    body = r.json()
    assert body["category"] == "Service"
    assert [d["address"] for d in body["destinations"]] == ["service@dealer.test"]
    assert body["trace"][0] == "router lead-sorter chose category Service (rule Oil changes)"


def test_a_rule_can_send_the_lead_to_a_store(c: Container, client: TestClient) -> None:
    doc = leads_workspace(nearest_store_routing=False, routers=[{
        "slug": "lead-sorter", "title": "Lead sorter",
        "rules": [{"name": "Downtown service", "when": {"field": "offer", "op": "contains",
                                                        "value": "downtown"},
                   "route": {"category": "Service", "store": "Downtown"}}],
        "default": {"category": "New Models"}}])  # fmt: skip
    doc["sites"][0]["router"] = "lead-sorter"
    apply_workspace(c.workspace, doc)
    body = post(client, {**LEAD, "offer": "Downtown oil change"}).json()
    assert [d["address"] for d in body["destinations"]] == ["service-dt@dealer.test"]
    assert body["store"] == "Downtown"
    assert "store Downtown: a routing rule chose it" in body["trace"]
    bad = leads_workspace(
        routers=[
            {"slug": "x", "title": "X", "default": {"category": "Service", "store": "Nowhere"}}
        ]
    )
    with pytest.raises(InvalidWorkspace) as err:
        apply_workspace(c.workspace, bad)
    assert str(err.value.problems[0]) == "routers[0].default.store: unknown store 'Nowhere'"


def test_an_adf_destination_can_also_attach_the_xml(
    c: Container, client: TestClient, inbox: Inbox
) -> None:
    doc = leads_workspace()
    doc["categories"][0]["destinations"] = [{"address": "crm@dealer.test", "attach_xml": True}]
    apply_workspace(c.workspace, doc)
    post(client, LEAD)
    drain(c.outbox, runner_for(c), c.clock.now())
    (message,) = inbox.to("crm@dealer.test")
    parts = [p for p in message.walk() if p.get_filename() == "lead.xml"]
    assert len(parts) == 1
    assert parts[0].get_payload(decode=True).startswith(b'<?xml version="1.0"')


def test_an_adf_lead_claims_nothing_it_was_not_told(
    c: Container, client: TestClient, inbox: Inbox
) -> None:
    from tests.unit.leads.formats.samples import assert_nothing_empty_but_what_the_dtd_needs

    lead = {"category": "New Models",
            "customer": {"name": "Sam Smith", "phones": [{"number": "555-0123"}],
                         "address": {"city": "Reno", "region": "NV"}},
            "vehicle": {"year": "2019", "make": "Ford", "model": "Focus"}}  # fmt: skip
    assert post(client, lead).status_code == 201
    drain(c.outbox, runner_for(c), c.clock.now())
    (message,) = inbox.to("newcars@dealer.test")
    raw = message.get_payload(decode=True)
    document = etree.fromstring(raw)
    assert dict(document.find("prospect/vehicle").attrib) == {}  # no "buy", no "new"
    assert b"<street" not in raw
    assert document.find("prospect/customer/contact/email") is None  # it has a phone
    assert "Address: Reno, NV" in document.findtext("prospect/customer/comments")
    assert document.findtext("prospect/vendor/contact/email") == "newcars@dealer.test"
    assert_nothing_empty_but_what_the_dtd_needs(document)
