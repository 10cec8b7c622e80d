"""A rep connects their Google Calendar, and their Microsoft 365 calendar, in a real browser
(Debian's chromium): *My settings* -> Connect -> the provider's consent page (a local server
answering with the public OAuth shapes) -> Allow -> back on *My settings*, connected. The
server checks the PKCE verifier and the redirect URI; leadrail checks the state."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import booking_workspace
from tests.integration.adapters.conftest import free_port
from tests.integration.calendars.fake_cloud import FakeCloud
from tests.support.browser import CHROMIUM, LAUNCH_ARGS
from tests.support.dashboard import PASSWORD, make_account

REP = "rep0@acme.test"


@pytest.fixture
def served(sqlite_url: str) -> Iterator[tuple[str, Container, FakeCloud]]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install -y chromium)")
    cloud = FakeCloud()
    port = free_port()
    settings = Settings(
        database_url=sqlite_url, secret_key="b" * 32, worker=False, smtp_port=1,
        public_base_url=f"http://127.0.0.1:{port}", **cloud.settings(),  # type: ignore[arg-type]
    )  # fmt: skip
    c = bootstrap(settings)
    apply_workspace(c.workspace, booking_workspace())
    make_account(c, REP, admin=False)
    server = uvicorn.Server(uvicorn.Config(create_app(settings, container=c), host="127.0.0.1",
                                           port=port, log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{port}", c, cloud
    server.should_exit = True
    thread.join(timeout=30)
    c.close()
    cloud.close()


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        browser.close()


@pytest.mark.parametrize(("button", "provider"), [
    ("Connect Google Calendar", "google"), ("Connect Microsoft 365", "microsoft")])  # fmt: skip
def test_a_rep_connects_their_calendar_in_the_browser(
    served: tuple[str, Container, FakeCloud], page: Any, button: str, provider: str
) -> None:
    from playwright.sync_api import expect

    base, c, cloud = served
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(REP)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/dashboard/me")
    expect(page.locator("#calendar-state")).to_contain_text("built-in")
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", name="Consent")).to_be_visible()
    assert page.url.startswith(cloud.base)  # on the provider's page, not ours
    page.get_by_role("link", name="Allow").click()
    expect(page.get_by_role("status")).to_contain_text(f"{provider.title()} calendar connected")
    expect(page.locator("#calendar-state")).to_have_attribute("data-state", "ok")
    assert page.url.startswith(f"{base}/dashboard/me")
    grant = c.calendars.connections.connection(REP)
    assert grant is not None
    assert grant.provider == provider
