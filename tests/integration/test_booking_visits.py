"""One visit of a booking link is one click and at most one decision; a request that fails
records nothing; a router without a meeting type has no booking page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container
from tests.factories import booking_workspace
from tests.integration.booking_support import NINE_Z, make
from tests.support.db import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here

PAT = {"email": "pat@example.test", "name": "Pat Lee", "company": "Acme", "utm_source": "mail"}


@pytest.fixture
def site(db_url: str) -> Iterator[tuple[Container, TestClient]]:
    c, client = make(db_url)
    doc = booking_workspace()
    doc["routers"].append({"slug": "api-only", "title": "API router", "default": {"team": "SDR"}})
    apply_workspace(c.workspace, doc)
    yield c, client
    c.close()


def counts(c: Container) -> tuple[int, int]:
    """(clicks, decisions) recorded so far."""
    with c.wiring.db.engine.connect() as conn:
        clicks = conn.execute(text("SELECT count(*) FROM clicks")).scalar_one()
        decisions = conn.execute(text("SELECT count(*) FROM decisions")).scalar_one()
    return int(clicks), int(decisions)


def form_fields(html: str, form_id: str) -> dict[str, str]:
    """The hidden fields of one form of the page, as the browser would send them."""
    body = html.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]
    return {
        unescape(n): unescape(v)
        for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body)
    }


@pytest.mark.parametrize("slug", ["strict", "solo"])
def test_a_visit_that_changes_zone_and_dates_counts_one_click(
    site: tuple[Container, TestClient], slug: str
) -> None:
    c, client = site
    first = client.get(f"/c/{slug}", params=PAT)
    assert first.status_code == 200
    assert counts(c) == (1, 1)
    zone = {**form_fields(first.text, "tzform"), "tz": "Europe/Paris"}  # the no-script button
    assert zone["name"] == "Pat Lee"  # the prefilled name goes along
    again = client.get(f"/c/{slug}", params=zone)
    assert again.status_code == 200
    assert 'value="Pat Lee"' in again.text
    later = re.search(r'<a href="([^"]+)"[^>]*>Later dates', again.text)
    assert later
    assert client.get(unescape(later.group(1))).status_code == 200
    assert counts(c) == (1, 1)  # one visit: one click, one decision


def test_typing_the_email_on_the_page_is_the_same_visit(
    site: tuple[Container, TestClient],
) -> None:
    c, client = site
    page = client.get("/c/strict", params={"name": "Sam", "utm_source": "ads"})
    assert counts(c) == (1, 0)
    who = {**form_fields(page.text, "who-form"), "name": "Sam", "email": "not-an-email"}
    wrong = client.get("/c/strict", params=who)
    assert "is not an e-mail address" in wrong.text
    assert counts(c) == (1, 0)
    who["email"] = "sam@example.test"
    assert client.get("/c/strict", params=who).status_code == 200
    assert counts(c) == (1, 1)  # the decision, when the e-mail is known; no second click


def test_a_failed_booking_records_nothing(site: tuple[Container, TestClient]) -> None:
    c, client = site
    form = {**PAT, "start": "2026-11-30T03:00:00Z", "tz": "UTC"}  # 22:00 in New York: closed
    assert client.post("/c/strict/book", data=form).status_code == 409
    r = client.post(
        "/api/v1/bookings",
        json={"router": "strict", "start": "2026-11-30T03:00:00Z", "prospect": PAT},
    )
    assert r.status_code == 409
    assert counts(c) == (0, 0)
    ok = client.post(
        "/api/v1/bookings", json={"router": "strict", "start": NINE_Z, "prospect": PAT}
    )
    assert ok.status_code == 201, ok.text
    assert counts(c) == (0, 1)  # the decision behind the meeting, with it
    assert ok.json()["decision_id"]


def test_a_router_without_a_meeting_type_has_no_booking_page(
    site: tuple[Container, TestClient],
) -> None:
    c, client = site
    home = client.get("/")
    assert "/c/strict" in home.text
    assert "/c/api-only" not in home.text
    for params in ({}, {"email": "pat@example.test"}):
        page = client.get("/c/api-only", params=params)
        assert page.status_code == 404
        assert "no booking page: it routes API and live requests only" in page.text
        assert "First, who are you?" not in page.text
    form = client.post("/c/api-only/book", data={**PAT, "start": NINE_Z})
    assert form.status_code == 404
    api = client.post(
        "/api/v1/bookings", json={"router": "api-only", "start": NINE_Z, "prospect": PAT}
    )
    assert api.status_code == 422
    assert api.json()["error"]["field"] == "router"
    assert counts(c) == (0, 0)
