"""Debian's chromium through Playwright: one browser per test module, a fresh context (no
cookies, no storage) per page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's own waits (clicks, expect) on a loaded 2-core machine; they end when met.
TIMEOUT_MS = 30_000


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One chromium for the test module (launching one costs a second or more)."""
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium: Any) -> Iterator[Any]:
    """The module's chromium; the contexts a test opens (pages, sockets, cookies) are closed
    after it, so the next test starts with none."""
    yield chromium
    for context in list(chromium.contexts):
        context.close()


def new_page(browser: Any, **context: Any) -> Any:
    """A page in a fresh context (``context``: viewport, is_mobile, timezone_id...)."""
    ctx = browser.new_context(**context)
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx.new_page()


def log_in(
    page: Any, base: str, email: str = "admin@acme.test", password: str = "", next: str = ""
) -> None:
    """Fill and send the dashboard's login form (``password``: PASSWORD by default)."""
    from tests.support.serve import PASSWORD

    page.goto(f"{base}/login" + (f"?next={next}" if next else ""))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password or PASSWORD)
    page.get_by_role("button", name="Log in").click()
