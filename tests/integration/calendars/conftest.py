"""A container pointed at the fake Google / Microsoft servers, a logged-in dashboard client,
and the OAuth dance driven over HTTP (the browser version is in tests/e2e)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace
from tests.integration.calendars.fake_cloud import FakeCloud
from tests.support.dashboard import csrf_of, login, make_account

REP = "rep0@acme.test"
ADMIN = "boss@acme.test"


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    fake = FakeCloud()
    yield fake
    fake.close()


@dataclass
class Env:
    c: Container
    cloud: FakeCloud
    web: TestClient
    sleeps: list[float]

    def as_user(self, email: str) -> str:
        """Log the web client in as ``email``; the CSRF token."""
        self.web.cookies.clear()
        return login(self.web, email)

    def connect(self, provider: str, user: str = REP, *, by: str = REP) -> httpx.Response:
        """The whole dance: Connect -> the provider's consent page -> Allow -> the callback."""
        csrf = self.as_user(by)
        r = self.web.post(f"/dashboard/calendar/connect/{provider}",
                          data={"csrf": csrf, "user": user, "return_to": "/dashboard/me"},
                          follow_redirects=False)  # fmt: skip
        assert r.status_code == 303, r.text
        consent = httpx.get(r.headers["location"])
        allow = re.search(r"href='([^']+)'", consent.text)
        assert allow, consent.text
        back = httpx.URL(allow.group(1))
        return self.web.get(f"{back.path}?{back.query.decode()}", follow_redirects=False)


@pytest.fixture
def env(sqlite_url: str, cloud: FakeCloud) -> Iterator[Env]:
    settings = Settings(
        database_url=sqlite_url, secret_key="k" * 32, worker=False, smtp_port=1,
        public_base_url="http://testserver", **cloud.settings(),  # type: ignore[arg-type]
    )  # fmt: skip
    c = bootstrap(settings)
    c.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    sleeps: list[float] = []
    c.wiring.calendars.apis["google"].http.sleep = sleeps.append  # type: ignore[attr-defined]
    doc = booking_workspace()
    doc["users"].append({"email": ADMIN, "name": "Boss", "admin": True})
    apply_workspace(c.workspace, doc)
    make_account(c, REP, admin=False)
    make_account(c, ADMIN, admin=True)
    make_account(c, "rep1@acme.test", admin=False)
    with TestClient(create_app(settings, container=c)) as web:
        yield Env(c, cloud, web, sleeps)
    c.close()


def page_csrf(web: TestClient, path: str) -> str:
    return csrf_of(web.get(path).text)
