"""A rep types their CalDAV password in *My settings*: it is stored encrypted, opens only
here, authenticates at the real calendar server (Radicale, which refuses any other
password), and is never shown back, logged, or exported in clear."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from leadrail.app.apply import apply_workspace
from leadrail.app.workspace_edit import find_item
from leadrail.bootstrap import Container, bootstrap
from leadrail.cli import app as cli
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import booking_workspace
from tests.support.dashboard import login, make_account

from .conftest import Radicale
from .test_caldav import foreign_event, put_foreign

REP = "rep0@acme.test"


@dataclass
class Rep:
    c: Container
    client: TestClient
    csrf: str
    calendar_url: str

    def save_password(self, password: str) -> int:
        form = {"csrf": self.csrf, "timezone": "America/New_York", "hours[0].days": "mon-fri",
                "hours[0].hours": "09:00-17:00", "calendar.provider": "caldav",
                "calendar.url": self.calendar_url, "calendar.username": "rep",
                "calendar.password": password}  # fmt: skip
        status: int = self.client.post("/dashboard/me", data=form).status_code
        return status

    def busy(self) -> list[tuple[datetime, datetime]]:
        """The rep's busy time, as the booking pages read it (the workspace as it is now)."""
        self.c.catalog.routers()
        start = datetime(2026, 12, 1, tzinfo=UTC)
        return self.c.calendar.busy(REP, start, start + timedelta(days=2))


def container(db_url: str, secret: str) -> Container:
    return bootstrap(
        Settings(
            database_url=db_url, secret_key=secret, worker=False, smtp_port=1,
            caldav_cache_seconds=0, outbound_allow_hosts="127.0.0.1",  # Radicale is local
        )
    )  # fmt: skip


@pytest.fixture
def rep(sqlite_url: str, radicale: Radicale) -> Iterator[Rep]:
    c = container(sqlite_url, "k" * 32)
    apply_workspace(c.workspace, booking_workspace())
    make_account(c, REP, admin=False)
    client = TestClient(
        create_app(c.settings, container=c), base_url="https://testserver", follow_redirects=False
    )
    yield Rep(c, client, login(client, REP), radicale.new_calendar_url())
    c.close()


def test_the_typed_password_is_stored_encrypted_and_authenticates_at_the_calendar(
    rep: Rep,
    radicale: Radicale,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    meeting = datetime(2026, 12, 1, 15, tzinfo=UTC)
    put_foreign(radicale, rep.calendar_url, {"m": foreign_event("m", meeting, meeting + HOUR)})
    assert rep.save_password(radicale.password) == 303
    stored = find_item(rep.c.workspace, "users", REP)[1]["calendar"]
    assert stored["password_encrypted"].startswith("v1.")
    assert "password_env" not in stored
    assert rep.busy() == [(meeting, meeting + HOUR)]  # Radicale took the password
    assert rep.c.calendar.problem(REP) is None

    page = rep.client.get("/dashboard/me").text
    assert "Password: set (stored encrypted)" in page
    monkeypatch.setenv("LEADRAIL_DATABASE_URL", sqlite_url)
    exported = CliRunner().invoke(cli, ["export"]).stdout
    assert "password_encrypted: v1." in exported
    for where in (page, exported, caplog.text, repr(stored)):
        assert radicale.password not in where


HOUR = timedelta(hours=1)


def test_a_wrong_password_is_refused_by_the_server_and_shown_to_the_rep(
    rep: Rep, radicale: Radicale
) -> None:
    assert rep.save_password("not-the-password") == 303
    start = datetime(2026, 12, 1, tzinfo=UTC)
    assert rep.busy() == [(start, start + timedelta(days=2))]  # unknown: busy, never double-booked
    assert "AuthorizationError (401)" in (rep.c.calendar.problem(REP) or "")
    assert "could not be read the last time" in rep.client.get("/dashboard/me").text


def test_the_password_opens_only_with_this_servers_secret(
    rep: Rep, radicale: Radicale, sqlite_url: str
) -> None:
    assert rep.save_password(radicale.password) == 303
    other = container(sqlite_url, "another server secret, not ours")
    try:
        other.catalog.routers()
        other.calendar.busy(
            REP, datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC)
        )
        assert "cannot be read here" in (other.calendar.problem(REP) or "")
    finally:
        other.close()


def test_clearing_the_password_and_moving_servers(rep: Rep, radicale: Radicale) -> None:
    assert rep.save_password(radicale.password) == 303
    form = {"csrf": rep.csrf, "timezone": "America/New_York", "calendar.provider": "caldav",
            "calendar.url": "https://dav.example.com/rep/", "calendar.username": "rep"}  # fmt: skip
    r = rep.client.post("/dashboard/me", data=form)
    assert r.status_code == 422
    assert "moved to another server" in r.text
    assert 'aria-invalid="true"' in r.text
    r = rep.client.post("/dashboard/me", data={**form, "calendar.password_forget": "on"})
    assert r.status_code == 303
    assert "password_encrypted" not in find_item(rep.c.workspace, "users", REP)[1]["calendar"]
    assert "Password: not set" in rep.client.get("/dashboard/me").text
