"""The configuration screens in a real browser (Debian's chromium) against `leadrail serve`:
edit a user (a refused value marked, then saved), preview a workspace import. Screenshots go
to docs/screenshots/ when asked (LEADRAIL_SCREENSHOTS=1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.screenshots import screenshot
from tests.support.browser import log_in

pytestmark = pytest.mark.slow


def test_edit_a_user_in_the_browser(dashboard_server: str, page: Any) -> None:
    log_in(page, dashboard_server)
    page.goto(f"{dashboard_server}/dashboard/users")
    page.get_by_role("link", name="rep1@acme.test").wait_for()
    screenshot(page, "dashboard-users.png", full_page=True)
    page.get_by_role("link", name="rep1@acme.test").click()
    page.get_by_label("Time zone (IANA, empty = the workspace's)").fill("Mars/Olympus")
    page.get_by_label("Weight in SDR").fill("3")
    page.get_by_role("button", name="Save").click()
    tz = page.get_by_label("Time zone (IANA, empty = the workspace's)")
    assert tz.get_attribute("aria-invalid") == "true"
    assert tz.input_value() == "Mars/Olympus"
    assert page.get_by_label("Weight in SDR").input_value() == "3"
    tz.fill("Europe/Paris")
    page.get_by_label("Days", exact=True).last.fill("mon-fri")
    page.get_by_label("Hours", exact=True).last.fill("09:00-17:00")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved").wait_for()
    assert page.get_by_label("Time zone (IANA, empty = the workspace's)").input_value() == (
        "Europe/Paris"
    )
    screenshot(page, "dashboard-user-edit.png", full_page=True)


def test_preview_a_workspace_import(dashboard_server: str, page: Any) -> None:
    log_in(page, dashboard_server)
    page.goto(f"{dashboard_server}/dashboard/workspace")
    page.get_by_label("… or paste it").fill(
        "lists:\n  - name: target-accounts\n    values: [bigco.test, globex.test]\n"
        "  - name: vip\n    values: [vip.test]\n  - name: partners\n    values: [ally.test]\n"
    )
    page.get_by_role("button", name="Preview changes (dry run)").click()
    page.get_by_text("Preview: what applying would change").wait_for()
    changes = page.locator("#changes").inner_text()
    assert "+ lists: partners" in changes
    assert "~ lists: target-accounts" in changes
    screenshot(page, "dashboard-workspace.png", full_page=True)
