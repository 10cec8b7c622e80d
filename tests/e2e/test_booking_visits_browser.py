"""A prospect moves the booking page to their own timezone and to other dates: what was
prefilled or typed stays, and the visit counts one click and one decision. The reschedule
link brings back the name and the notes. Real server, real browser (Debian's chromium)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.a11y import serious_violations
from tests.support.browser import require_chromium
from tests.support.serve import Server, environment, serving

WORKSPACE = {
    "timezone": "America/New_York",
    "users": [{"email": "ana@acme.test", "name": "Ana Ruiz", "timezone": "America/New_York",
               "working_hours": {"mon-sun": "00:00-24:00"}},
              {"email": "bo@acme.test", "name": "Bo Chen", "timezone": "America/New_York",
               "working_hours": {"mon-sun": "00:00-24:00"}}],
    "teams": [{"name": "SDR", "members": [{"user": "ana@acme.test"}, {"user": "bo@acme.test"}]}],
    "meeting_types": [{"slug": "intro", "name": "Intro call", "duration_minutes": 30,
                       "minimum_notice_minutes": 60}],
    "routers": [{"slug": "q2", "title": "Talk to our team", "meeting_type": "intro",
                 "display_notes": True, "default": {"team": "SDR"}}],
}  # fmt: skip
LINK = "/c/q2?name=Pat%20Lee&email=pat@example.test&company=Acme&utm_source=mail"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    require_chromium()
    tmp = tmp_path_factory.mktemp("visits")
    env = environment(tmp, WORKSPACE, worker="false")
    with serving(env, tmp) as running:
        yield running, tmp / "serve.db"


def counts(db: Path, email: str) -> tuple[int, int]:
    """(clicks, decisions) of one prospect."""
    with sqlite3.connect(db) as conn:
        clicks = conn.execute("SELECT count(*) FROM clicks WHERE email = ?", (email,)).fetchone()
        decisions = conn.execute(
            "SELECT count(*) FROM decisions WHERE email = ?", (email,)
        ).fetchone()
    return int(clicks[0]), int(decisions[0])


def test_the_zone_switch_keeps_the_name_and_counts_one_visit(
    server: tuple[Server, Path], browser: Any
) -> None:
    running, db = server
    page = browser.new_context(timezone_id="Asia/Tokyo").new_page()
    page.goto(running.base + LINK)
    page.wait_for_url("**tz=Asia%2FTokyo**")  # the script moved to the visitor's zone
    assert page.get_by_label("Name").input_value() == "Pat Lee"
    page.get_by_label("Anything we should know?").fill("Budget is approved")
    page.get_by_label("Times shown in").select_option("Europe/Paris")
    page.wait_for_url("**tz=Europe%2FParis**")
    assert page.get_by_label("Name").input_value() == "Pat Lee"
    assert page.get_by_label("Anything we should know?").input_value() == "Budget is approved"
    page.get_by_label("Name").fill("Pat Lee-Smith")  # typed, then other dates
    page.get_by_role("link", name="Later dates").click()
    page.wait_for_url("**from=**")
    assert page.get_by_label("Name").input_value() == "Pat Lee-Smith"
    assert page.get_by_label("Anything we should know?").input_value() == "Budget is approved"
    assert page.get_by_label("Times shown in").input_value() == "Europe/Paris"
    assert counts(db, "pat@example.test") == (1, 1)  # four pages, one visit
    page.locator("label.slot").first.click()
    page.get_by_role("button", name="Book").click()
    page.wait_for_url("**/m/**")
    assert page.get_by_text("You're booked").is_visible()
    with sqlite3.connect(db) as conn:
        name, notes = conn.execute(
            "SELECT name, notes FROM meetings WHERE email = 'pat@example.test'"
        ).fetchone()
    assert (name, notes) == ("Pat Lee-Smith", "Budget is approved")
    # the reschedule link: the name and the notes come back, and survive the zone switch
    page.get_by_role("link", name="Reschedule").click()
    page.wait_for_url("**tz=Europe%2FParis**")  # the zone the meeting was booked in
    assert page.get_by_role("status").inner_text().startswith("You are moving your meeting of ")
    assert serious_violations(page) == []  # the reschedule page
    assert page.get_by_label("Name").input_value() == "Pat Lee-Smith"
    assert page.get_by_label("Anything we should know?").input_value() == "Budget is approved"


def test_without_javascript_the_zone_button_keeps_the_name_and_counts_one_visit(
    server: tuple[Server, Path], browser: Any
) -> None:
    running, db = server
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(running.base + LINK.replace("pat@", "sam@"))
    page.get_by_label("Times shown in").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Show times in this zone").click()
    page.wait_for_url("**tz=Asia%2FTokyo**")
    assert page.get_by_label("Name").input_value() == "Pat Lee"
    page.get_by_role("link", name="Later dates").click()
    page.wait_for_url("**from=**")
    assert page.get_by_label("Name").input_value() == "Pat Lee"
    assert counts(db, "sam@example.test") == (1, 1)
