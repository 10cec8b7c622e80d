"""An admin in a real browser (Debian's chromium): log in, open a router's analytics, change
the range, see the charts, download a CSV, and read a decision's trace. The data is made by
the real use cases; the app runs in a uvicorn thread. Screenshots go to docs/screenshots when
asked (LEADRAIL_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from leadrail.adapters.db.engine import migrate
from leadrail.app.route import route_prospect
from tests.dashboard_support import PASSWORD
from tests.e2e.test_booking_browser import CHROMIUM, LAUNCH_ARGS
from tests.e2e.test_http import free_port
from tests.factories import MONDAY_8AM_NY
from tests.integration.analytics.world import ADMIN, World, make_world
from tests.screenshots import screenshot


def _history(w: World) -> None:
    """Two weeks of routing and link opens before the world's day, for fuller charts."""
    for day in range(1, 15):
        now = MONDAY_8AM_NY - timedelta(days=day)
        for i in range(day % 4 + 1):
            route_prospect(w.c.routing, "strict", {"email": f"h{day}-{i}@example.test"}, now)
            w.c.routing.record_click("strict", "", None, {"utm_source": "mail"}, now)
        w.c.routing.record_click("strict", "", None, {}, now)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install -y chromium)")
    import uvicorn

    url = f"sqlite:///{tmp_path_factory.mktemp('analytics') / 'db.sqlite'}"
    migrate(url)
    world = make_world(url)
    _history(world)
    port = free_port()
    srv = uvicorn.Server(
        uvicorn.Config(world.client.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", world
    srv.should_exit = True
    thread.join(timeout=10)
    world.c.close()


@pytest.fixture
def page(server: tuple[str, World]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 1000}, accept_downloads=True
        )
        yield context.new_page()
        browser.close()


def log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login?next=/dashboard/analytics")
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard/analytics")


def test_admin_reads_router_analytics_and_downloads_csv(
    server: tuple[str, World], page: Any, tmp_path: Path
) -> None:
    base, _ = server
    log_in(page, base)
    page.get_by_role("link", name="Strict").first.click()
    page.wait_for_url("**/dashboard/analytics/strict?**")
    page.get_by_label("From", exact=True).fill("2026-11-30")
    page.get_by_label("To", exact=True).fill("2026-11-30")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**from=2026-11-30**")
    assert page.locator("#kpi-clicks").inner_text() == "4"
    assert page.locator("#kpi-conversion").inner_text() == "50.0%"
    page.get_by_label("From", exact=True).fill("2026-11-16")
    page.get_by_label("Per", exact=True).select_option("week")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**bucket=week**")
    assert int(page.locator("#kpi-clicks").inner_text()) > 4
    assert page.locator("svg[role=img]").count() >= 3  # the bar charts
    timeline = page.get_by_role("img", name="Clicks and bookings per week")
    assert timeline.locator("canvas").count() == 1  # drawn by uPlot (static/vendor)
    screenshot(page, "dashboard-analytics.png", full_page=True)
    with page.expect_download() as info:
        page.locator("#table-timeline caption a").click()
    saved = tmp_path / "timeline.csv"
    info.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0] == "bucket,clicks,bookings,conversion"
    assert lines[1].startswith("2026-11-16,")


def test_admin_reads_a_decision(server: tuple[str, World], page: Any) -> None:
    base, world = server
    log_in(page, base)
    page.goto(f"{base}/dashboard/decisions")
    page.get_by_label("E-mail").fill("P0@example.test")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Why?").last.click()
    page.wait_for_url(f"**/dashboard/decisions/{world.decisions[0]}")
    assert "Why did this lead go to" in page.locator("h1").inner_text()
    assert page.locator("#trace li").count() >= 1
    assert page.get_by_text("<script>alert('x')</script>").count() >= 1  # shown as text
    screenshot(page, "dashboard-decision.png", full_page=True)
