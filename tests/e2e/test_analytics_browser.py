"""An admin in a real browser (Debian's chromium): log in, open a router's analytics, change
the range, see the charts, download a CSV, and read a decision's trace. The data is made by
the real use cases; the app runs in a uvicorn thread. Screenshots go to docs/screenshots when
asked (LEADRAIL_SCREENSHOTS=1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.analytics.world import ADMIN, World
from tests.screenshots import screenshot
from tests.support.browser import log_in as sign_in
from tests.support.browser import new_page
from tests.support.dashboard import PASSWORD


@pytest.fixture
def page(analytics_server: tuple[str, World], browser: Any) -> Any:
    return new_page(browser, viewport={"width": 1280, "height": 1000}, accept_downloads=True)


def log_in(page: Any, base: str) -> None:
    sign_in(page, base, ADMIN, PASSWORD, next="/dashboard/analytics")
    page.wait_for_url("**/dashboard/analytics")


def test_admin_reads_router_analytics_and_downloads_csv(
    analytics_server: tuple[str, World], page: Any, tmp_path: Path
) -> None:
    base, _ = analytics_server
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


def test_admin_reads_a_decision(analytics_server: tuple[str, World], page: Any) -> None:
    base, world = analytics_server
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
