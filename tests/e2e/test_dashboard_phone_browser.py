"""The dashboard on a phone (390 px) and a desktop: the menu folds behind one button, no page
scrolls sideways, the analytics chart is drawn by the vendored chart library with its table
kept, and axe-core finds no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.analytics.world import ADMIN, World
from tests.screenshots import screenshot
from tests.support.a11y import serious_violations
from tests.support.browser import log_in, new_page
from tests.support.dashboard import PASSWORD
from tests.support.page_checks import in_view, no_sideways_scroll, too_wide

PAGES = [
    "/dashboard",
    "/dashboard/console",
    "/dashboard/decisions",
    "/dashboard/analytics",
    "/dashboard/analytics/strict?from=2026-11-01&to=2026-11-30",
    "/admin/receipts",
    "/dashboard/me",
    "/dashboard/branding",
    "/dashboard/routers",
    "/dashboard/users",
    "/dashboard/teams",
]


@pytest.fixture(params=[(390, 844), (1366, 900)], ids=["phone", "desktop"])
def admin(request: pytest.FixtureRequest, analytics_server: tuple[str, World], browser: Any) -> Any:
    """ADMIN logged in to the dashboard, on a phone or a desktop."""
    width, height = request.param
    base, _ = analytics_server
    page = new_page(browser, viewport={"width": width, "height": height})
    log_in(page, base, ADMIN, PASSWORD, next="/dashboard")
    page.wait_for_url("**/dashboard")
    return page


def test_every_main_page_fits_and_has_no_serious_accessibility_violation(
    analytics_server: tuple[str, World], admin: Any
) -> None:
    base, world = analytics_server
    width = admin.viewport_size["width"]
    for path in [*PAGES, f"/dashboard/decisions/{world.decisions[0]}"]:
        admin.goto(base + path)
        assert admin.locator("h1").first.is_visible(), path
        assert no_sideways_scroll(admin), f"{path} at {width} px: {too_wide(admin)}"
        assert serious_violations(admin) == [], path


def test_on_a_phone_the_menu_folds_behind_one_button(admin: Any) -> None:
    analytics = admin.get_by_role("navigation", name="Dashboard").get_by_role(
        "link", name="Analytics", exact=True
    )
    if admin.viewport_size["width"] > 500:
        assert analytics.is_visible()
        assert not admin.get_by_role("button", name="Menu").is_visible()
        return
    heading = admin.locator("h1").first
    assert in_view(admin, heading)  # the content first, not a screenful of links
    menu = admin.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not analytics.is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    analytics.click()
    admin.wait_for_url("**/dashboard/analytics")
    screenshot(admin, "dashboard-phone.png")


def test_the_timeline_is_a_chart_with_its_table(
    analytics_server: tuple[str, World], admin: Any
) -> None:
    base, _ = analytics_server
    admin.goto(f"{base}/dashboard/analytics/strict?from=2026-10-01&to=2026-11-30")
    chart = admin.locator("#c-time .uplot canvas")
    chart.wait_for()
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] <= admin.viewport_size["width"]
    # hovering a bucket shows its values (uPlot's live legend is the tooltip)
    admin.locator("#c-time .u-over").scroll_into_view_if_needed()
    over = admin.locator("#c-time .u-over").bounding_box()
    admin.mouse.move(over["x"] + over["width"] * 0.95, over["y"] + over["height"] / 2)
    admin.wait_for_function(
        "() => /^2026-11-\\d\\d$/.test(document.querySelector('#c-time .u-legend .u-value')"
        ".textContent)",
        timeout=5000,
    )
    rows = admin.locator("#table-timeline tbody tr")
    quiet = admin.locator("#table-timeline tbody tr", has_text="nothing")
    assert quiet.count() >= 1  # October, before any data, is one row, not 31 rows of zeros
    assert rows.count() < 61
    assert quiet.first.locator("td").first.inner_text().startswith("2026-10-01 to ")
    screenshot(admin, f"dashboard-analytics-{admin.viewport_size['width']}.png", full_page=True)


def test_the_default_route_shows_only_the_fields_of_its_kind(
    analytics_server: tuple[str, World], admin: Any
) -> None:
    base, _ = analytics_server
    admin.goto(f"{base}/dashboard/routers/strict")
    route = admin.locator("fieldset.route").first
    team = route.get_by_label("Team", exact=True)
    user = route.get_by_label("User", exact=True)
    assert route.get_by_label("A team (round robin)").is_checked()
    assert team.is_visible()
    assert not user.is_visible()
    route.get_by_label("One user").check()
    assert user.is_visible()
    assert not team.is_visible()
    assert not route.get_by_label("Broadcast to", exact=True).is_visible()
    assert no_sideways_scroll(admin)
