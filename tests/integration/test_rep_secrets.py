"""A rep cannot make leadrail send a server secret anywhere (issue 11, item 1).

The rep owns a server (the capture server: it asks for Basic credentials and records every
request). The rep tries every way in: *My settings* naming a server setting or another
user's credential, fields the form does not show, moving a calendar whose password an admin
set to their own server, admin screens, the per-entity API with their own token. After each
try the server is made to call the rep's calendar (slots, then a booking written to it):
no request ever carries a secret of the server's or another user's.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace, export_workspace
from leadrail.app.booking import book
from leadrail.app.errors import InvalidWorkspace
from leadrail.app.outbox import drain
from leadrail.app.workspace_edit import find_item
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from leadrail.worker import runner_for
from tests.factories import booking_workspace
from tests.integration.adapters.outbound_servers import Server, serving
from tests.support.dashboard import login, make_account

REP = "rep0@acme.test"
SERVER_SECRET = "server-secret-key-4f0c2e9d7a1b"
SMTP_PASSWORD = "smtp-password-8e21c"
ANA_PASSWORD = "ana-caldav-password-55d0"
ADMIN_SET_PASSWORD = "company-dav-password-for-rep0-91a3"
EMPTY = b'<?xml version="1.0" encoding="utf-8"?>\n<multistatus xmlns="DAV:"/>'
ENV = {
    "LEADRAIL_SECRET_KEY": SERVER_SECRET,
    "LEADRAIL_SMTP_PASSWORD": SMTP_PASSWORD,
    "LEADRAIL_CRED_ANA": ANA_PASSWORD,
    "LEADRAIL_CRED_REP0": ADMIN_SET_PASSWORD,
}


@dataclass
class World:
    c: Container
    client: TestClient  # logged in as the rep
    csrf: str
    capture: Server  # the rep's own server
    company: Server  # the company's CalDAV server, where an admin set the rep's calendar
    db_url: str

    def me(self, **fields: str) -> Any:
        data = {"csrf": self.csrf, "timezone": "America/New_York", "hours[0].days": "mon-fri",
                "hours[0].hours": "09:00-17:00", **fields}  # fmt: skip
        return self.client.post("/dashboard/me", data=data)

    def call_the_reps_calendar(self) -> None:
        """What the server does with a rep's calendar: read busy time for slots."""
        r = self.client.get("/api/v1/routers/solo/slots", params={"email": "pat@example.test"})
        assert r.status_code == 200, r.text

    def calendar(self) -> dict[str, Any]:
        return dict(find_item(self.c.workspace, "users", REP)[1].get("calendar") or {})

    def secrets(self) -> list[str]:
        return [*ENV.values(), self.db_url]


@pytest.fixture
def world(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LEADRAIL_DATABASE_URL", sqlite_url)
    capture_server = serving(
        ask_basic_auth=True, status=207, body=EMPTY, content_type="application/xml"
    )  # a calendar with no events: the rep has open slots, and bookings are written to it
    with capture_server as capture, serving(status=404) as company:
        c = bootstrap(
            Settings(
                database_url=sqlite_url, secret_key=SERVER_SECRET, smtp_password=SMTP_PASSWORD,
                worker=False, smtp_port=1, caldav_cache_seconds=0,
                outbound_allow_hosts="127.0.0.1",  # both servers are local: let them be reached
            )
        )  # fmt: skip
        doc = booking_workspace()
        doc["users"][0]["calendar"] = {
            "provider": "caldav", "url": f"{company.url}/rep0/", "username": "rep0",
            "password_env": "LEADRAIL_CRED_REP0",
        }  # fmt: skip
        apply_workspace(c.workspace, doc)
        make_account(c, REP, admin=False)
        client = TestClient(
            create_app(c.settings, container=c), base_url="https://testserver",
            follow_redirects=False,
        )  # fmt: skip
        yield World(c, client, login(client, REP), capture, company, sqlite_url)
        c.close()


def test_a_rep_never_gets_a_server_secret_into_an_outbound_request(world: World) -> None:
    w = world
    mine = {"calendar.provider": "caldav", "calendar.url": f"{w.capture.url}/dav/",
            "calendar.username": "rep0"}  # fmt: skip

    # 1. name a server setting: the form has no such field; moving the admin-set calendar to
    #    the rep's server without typing a password is refused (the credential stays behind)
    r = w.me(**mine, **{"calendar.password_env": "LEADRAIL_SECRET_KEY"})
    assert r.status_code == 422
    assert "moved to another server" in r.text
    assert w.calendar()["url"] == f"{w.company.url}/rep0/"
    w.call_the_reps_calendar()

    # 2. the same with "No password", and every spelling of the fields an admin's form has
    extra = {
        "calendar.password_env": "LEADRAIL_SECRET_KEY",
        "password_env": "LEADRAIL_SMTP_PASSWORD",
        "calendar[password_env]": "LEADRAIL_CRED_ANA",
        "users[0].calendar.password_env": "LEADRAIL_CRED_ANA",
        "calendar.password_encrypted": "v1." + "A" * 60,
        "secret_env": "LEADRAIL_SECRET_KEY",
        "admin": "on",
    }
    r = w.me(**mine, **extra, **{"calendar.password_forget": "on"})
    assert r.status_code == 303, r.text
    assert w.calendar() == {"provider": "caldav", "url": f"{w.capture.url}/dav/",
                            "username": "rep0"}  # fmt: skip
    w.call_the_reps_calendar()

    # 3. another user's credential by name
    r = w.me(**mine, **{"calendar.password_env": "LEADRAIL_CRED_ANA"})
    assert r.status_code == 303
    assert "password_env" not in w.calendar()
    w.call_the_reps_calendar()

    # 4. admin screens and the per-entity API with the rep's own token
    assert_admin_doors_are_shut(w)

    # 5. what a rep may do: type their own password; it goes to their server, and only there
    r = w.me(**mine, **{"calendar.password": "rep0-own-password"})
    assert r.status_code == 303
    w.call_the_reps_calendar()
    book_and_write_the_event(w)

    assert w.capture.received, "the rep's calendar was called"
    basics = {
        base64.b64decode(r.headers["Authorization"].split()[1]).decode()
        for r in w.capture.received
        if r.headers.get("Authorization", "").startswith("Basic ")
    }
    sent = w.capture.everything_received() + "\n".join(basics)
    for secret in w.secrets():
        assert secret not in sent
    assert basics == {"rep0:rep0-own-password"}
    assert any(r.method == "PUT" for r in w.capture.received), "the booking was written"


def assert_admin_doors_are_shut(w: World) -> None:
    before = export_workspace(w.c.workspace)
    token = w.c.tokens.create_token(REP, "rep's own token")
    auth = {"Authorization": f"Bearer {token}"}
    cal = {"provider": "caldav", "url": f"{w.capture.url}/dav/", "username": "rep0",
           "password_env": "LEADRAIL_SECRET_KEY"}  # fmt: skip
    hook = {"address": f"{w.capture.url}/hook", "format": "json",
            "secret_env": "LEADRAIL_CRED_ANA"}  # fmt: skip
    api = [
        ("PUT", f"/api/v1/users/{REP}", {"email": REP, "calendar": cal}),
        ("POST", "/api/v1/users", {"email": "new@acme.test", "calendar": cal}),
        ("PUT", "/api/v1/workspace", {"users": [{"email": REP, "calendar": cal}]}),
        ("POST", "/api/v1/categories", {"name": "x", "destinations": [hook]}),
        ("PUT", "/api/v1/workspace", {"fallback_destination": hook}),
        ("PUT", "/api/v1/workspace", {"crm": {"provider": "hubspot", "connection": {
            "url": w.capture.url, "access_token_env": "LEADRAIL_CRED_ANA"}}}),
    ]  # fmt: skip
    for method, url, body in api:
        r = w.client.request(method, url, json=body, headers=auth)
        assert r.status_code == 403, (method, url, r.status_code)
    pages = [
        (f"/dashboard/users/{REP}", {"calendar.password_env": "LEADRAIL_SECRET_KEY"}),
        ("/dashboard/lead-settings", {"fallback_destination.address": hook["address"],
                                      "fallback_destination.format": "json",
                                      "fallback_destination.secret_env": "LEADRAIL_CRED_ANA"}),
        ("/dashboard/crm", {"provider": "hubspot", "connection.url": w.capture.url,
                            "connection.access_token_env": "LEADRAIL_CRED_ANA"}),
        ("/dashboard/categories", {"name": "x", "destinations[0].address": hook["address"],
                                   "destinations[0].format": "json",
                                   "destinations[0].secret_env": "LEADRAIL_CRED_ANA"}),
    ]  # fmt: skip
    for url, form in pages:
        r = w.client.post(url, data={"csrf": w.csrf, **form})
        assert r.status_code == 403, (url, r.status_code)
    assert export_workspace(w.c.workspace) == before
    w.call_the_reps_calendar()


def book_and_write_the_event(w: World) -> None:
    """A booking is written into the rep's calendar by the worker: with the rep's password."""
    now = w.c.clock.now()
    slots = w.client.get("/api/v1/routers/solo/slots", params={"email": "pat@example.test"})
    first = datetime.fromisoformat(slots.json()["slots"][0]["start"])
    book(w.c.routing, w.c.calendar, "solo", {"email": "pat@example.test"}, first, now)
    drain(w.c.outbox, runner_for(w.c), now)


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("users[3].calendar.password_env", {"users": [{"email": "x@acme.test", "calendar": {
            "provider": "caldav", "url": "https://dav.example.com/x/",
            "password_env": "LEADRAIL_SECRET_KEY"}}]}),
        ("categories[0].destinations[0].secret_env", {"categories": [{"name": "c", "destinations": [
            {"address": "https://hooks.example.com/", "format": "json",
             "secret_env": "LEADRAIL_DATABASE_URL"}]}]}),
        ("fallback_destination.secret_env", {"fallback_destination": {
            "address": "https://hooks.example.com/", "format": "json",
            "secret_env": "LEADRAIL_SMTP_PASSWORD"}}),
        ("crm.connection.access_token_env", {"crm": {"provider": "hubspot", "connection": {
            "access_token_env": "HOME"}}}),
        ("crm.connection.client_secret_env", {"crm": {"provider": "hubspot", "connection": {
            "client_secret_env": "LEADRAIL_SECRET_KEY"}}}),
    ],
)  # fmt: skip
def test_admins_and_the_workspace_file_name_only_credential_variables(
    world: World, path: str, item: dict[str, Any]
) -> None:
    doc = booking_workspace()
    doc.update({k: v for k, v in item.items() if k != "users"})
    doc["users"] += item.get("users", [])
    with pytest.raises(InvalidWorkspace) as caught:
        apply_workspace(world.c.workspace, doc)
    assert (
        f"{path}: must start with LEADRAIL_CRED_ (server settings cannot be used as credentials)"
        in [str(p) for p in caught.value.problems]
    )
