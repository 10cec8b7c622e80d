"""The analytics pages, CSV downloads, roles and escaping."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from leadrail.app.route import route_prospect
from tests.factories import SITE_KEY
from tests.integration.analytics.world import ADMIN, SCRIPT, World
from tests.support.dashboard import login, make_account
from tests.support.db import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here

DAY = {"from": "2026-11-30", "to": "2026-11-30"}


def admin(w: World) -> TestClient:
    login(w.client, ADMIN)
    return w.client


def test_router_page_shows_charts_tables_and_the_numbers(world: World) -> None:
    page = admin(world).get("/dashboard/analytics/strict", params=DAY)
    assert page.status_code == 200
    html = page.text
    assert '<div class="kpi" id="kpi-clicks">4</div>' in html
    assert '<div class="kpi" id="kpi-conversion">50.0%</div>' in html
    assert html.count('<svg role="img"') >= 4
    # the timeline is drawn by uPlot from its JSON; without scripts, the SVG chart
    assert 'data-chart="c-time-data" role="img" aria-label="Clicks and bookings per day' in html
    assert '<title id="c-time-svg-t">Clicks and bookings per day</title>' in html
    assert "<td>rep0@acme.test</td><td>2</td><td>4</td><td>0.5</td><td>0.5</td>" in html
    assert "/dashboard/analytics/strict.csv?table=timeline&amp;from=2026-11-30" in html


def test_picker_lists_routers_and_all_leads(world: World) -> None:
    html = admin(world).get("/dashboard/analytics", params=DAY).text
    for slug in ("strict", "flexible", "solo"):
        assert f'href="/dashboard/analytics/{slug}?' in html
    assert "2 leads." in html


def test_bad_range_marks_the_field_and_keeps_the_input(world: World) -> None:
    r = admin(world).get("/dashboard/analytics/strict", params={"from": "2026-12-05",
                                                                "to": "2026-12-01"})  # fmt: skip
    assert r.status_code == 422
    assert 'name="to" type="date" value="2026-12-01"' in r.text
    assert 'aria-invalid="true" aria-describedby="f-to-err"' in r.text
    assert 'value="2026-12-05"' in r.text


def test_unknown_router_page_is_404(world: World) -> None:
    assert admin(world).get("/dashboard/analytics/nope").status_code == 404


def test_csv_has_the_table_and_neutralises_formulas(world: World) -> None:
    route_prospect(world.c.routing, "strict", {"email": "p0@example.test"}, world.c.clock.now())
    client = admin(world)
    r = client.get("/dashboard/analytics/strict.csv", params={"table": "timeline", **DAY})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert list(csv.reader(io.StringIO(r.text))) == [
        ["bucket", "clicks", "bookings", "conversion"],
        ["2026-11-30", "4", "2", "0.5"],
    ]
    # a category named like a formula comes out quoted
    body = {"category": '=HYPERLINK("http://evil")', "customer": {"email": "q@example.test"}}
    assert (
        client.post("/api/v1/leads", json=body, headers={"X-Site-Key": SITE_KEY}).status_code == 201
    )
    r = client.get("/dashboard/analytics/_leads.csv", params={"table": "leads_category", **DAY})
    rows = list(csv.reader(io.StringIO(r.text)))
    assert ['\'=HYPERLINK("http://evil")', "1"] in rows
    r = client.get("/dashboard/analytics/strict.csv", params={"table": "nope"})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "table"


def test_rep_cannot_reach_admin_analytics_or_audit(world: World) -> None:
    make_account(world.c, "rep1@acme.test", admin=False)
    login(world.client, "rep1@acme.test")
    for path in ("/dashboard/analytics", "/dashboard/analytics/strict",
                 "/dashboard/analytics/strict.csv?table=users", "/dashboard/decisions",
                 f"/dashboard/decisions/{world.decisions[0]}"):  # fmt: skip
        r = world.client.get(path)
        assert r.status_code == 403, path
        assert "rep0@acme.test" not in r.text


def test_anonymous_goes_to_login(world: World) -> None:
    for path in ("/dashboard/analytics", "/dashboard/analytics/strict", "/dashboard/stats/me",
                 "/dashboard/decisions", "/dashboard/analytics/strict.csv"):  # fmt: skip
        r = world.client.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next="), path


def test_script_in_a_prospect_name_is_escaped(world: World) -> None:
    client = admin(world)
    html = client.get(f"/dashboard/decisions/{world.decisions[0]}").text
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html
    html = client.get("/dashboard/decisions", params={"email": "p0@example.test"}).text
    assert SCRIPT not in html
    # a lead category with markup shows escaped in the charts (SVG <title>) and tables
    body = {"category": SCRIPT, "customer": {"email": "q@example.test"}}
    r = client.post("/api/v1/leads", json=body, headers={"X-Site-Key": SITE_KEY})
    assert r.status_code == 201
    html = client.get("/dashboard/analytics/solo", params=DAY).text
    assert SCRIPT not in html
    assert "<title>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; leads: 1</title>" in html
