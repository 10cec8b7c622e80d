"""GET /api/v1/analytics/...: the numbers from data made by the real use cases."""

from __future__ import annotations

from typing import Any

import pytest

from leadrail.app.route import route_prospect
from tests.integration.analytics.world import World

DAY = {"from": "2026-11-30", "to": "2026-11-30"}


def get(w: World, path: str, status: int = 200, **params: str) -> dict[str, Any]:
    r = w.client.get(path, params=params, headers={"Authorization": f"Bearer {w.token}"})
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    return body


def test_clicks_bookings_conversion_distribution_rules_users(world: World) -> None:
    body = get(world, "/api/v1/analytics/routers/strict", **DAY)
    assert (body["clicks"], body["bookings"], body["conversion"]) == (4, 2, 0.5)
    assert body["timezone"] == "America/New_York"
    assert body["series"] == [
        {"bucket": "2026-11-30", "clicks": 4, "bookings": 2, "conversion": 0.5}
    ]
    (pool,) = body["distribution"]
    assert (pool["pool"], pool["team"], pool["decisions"]) == ("strict/default", "SDR", 8)
    assert [(m["user"], m["weight"], m["assigned"], m["actual"], m["target"])
            for m in pool["members"]] == [
        ("rep0@acme.test", 2, 4, 0.5, 0.5),
        ("rep1@acme.test", 1, 2, 0.25, 0.25),
        ("rep2@acme.test", 1, 2, 0.25, 0.25),
    ]  # fmt: skip
    assert pool["largest_deviation"] == 0.0
    # the two bookings reused the prospects' decisions (memory): 2 of 8 converted
    assert body["rules"] == [{"rule": "default", "matched": 8, "meetings": 2, "conversion": 0.25}]
    users = {u["user"]: u for u in body["users"]}
    assert users["rep0@acme.test"]["assignments"] == 4
    assert sum(u["meetings"] for u in body["users"]) == 2


def test_weekly_buckets_and_an_empty_day(world: World) -> None:
    body = get(world, "/api/v1/analytics/routers/strict",
               **{"from": "2026-11-29", "to": "2026-12-08", "bucket": "week"})  # fmt: skip
    assert [(s["bucket"], s["clicks"]) for s in body["series"]] == [
        ("2026-11-23", 0),
        ("2026-11-30", 4),
        ("2026-12-07", 0),
    ]
    assert get(world, "/api/v1/analytics/routers/strict", **{"from": "2026-12-01",
               "to": "2026-12-02"})["conversion"] is None  # fmt: skip


def test_distribution_shows_a_deviation(world: World) -> None:
    # three more decisions cannot split 2:1:1 exactly: someone is off their target
    for i in range(8, 11):
        route_prospect(world.c.routing, "strict", {"email": f"p{i}@example.test"},
                       world.c.clock.now())  # fmt: skip
    (pool,) = get(world, "/api/v1/analytics/routers/strict", **DAY)["distribution"]
    assert pool["decisions"] == 11
    worst = max(pool["members"], key=lambda m: abs(m["deviation"]))
    assert pool["largest_deviation"] == pytest.approx(abs(worst["deviation"]))
    assert sum(m["actual"] for m in pool["members"]) == pytest.approx(1.0, abs=1e-3)
    assert pool["largest_deviation"] > 0


def test_form_leads_of_the_routers_sites_and_all_leads(world: World) -> None:
    leads = get(world, "/api/v1/analytics/routers/solo", **DAY)["leads"]
    assert leads["sites"] == ["dealer-site"]
    assert leads["total"] == 2
    assert sorted((x["category"], x["leads"]) for x in leads["by_category"]) == [
        ("New Models", 1),
        ("Service", 1),
    ]
    assert leads["by_store"] == [{"store": "Downtown", "leads": 2}]
    assert leads["by_delivery_status"] == [{"status": "pending", "deliveries": 2}]
    assert leads["deliveries"] == [  # Service at Downtown goes to the store's own address
        {"destination": "newcars@dealer.test", "status": "pending", "deliveries": 1},
        {"destination": "service-dt@dealer.test", "status": "pending", "deliveries": 1},
    ]
    assert get(world, "/api/v1/analytics/routers/strict", **DAY)["leads"]["total"] == 0
    every = get(world, "/api/v1/analytics/leads", **DAY)
    assert every["total"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "to"),
        ({"from": "2024-01-01", "to": "2026-12-01"}, "from"),
        ({"bucket": "month"}, "bucket"),
    ],
)
def test_bad_ranges_name_the_field(world: World, params: dict[str, str], field: str) -> None:
    body = get(world, "/api/v1/analytics/routers/strict", 422, **params)
    assert body["error"]["field"] == field


def test_unknown_router_and_tokens(world: World) -> None:
    assert get(world, "/api/v1/analytics/routers/nope", 404)["error"]["field"] == "slug"
    assert world.client.get("/api/v1/analytics/routers/strict").status_code == 401
    world.c.accounts.create_user("rep0@acme.test", "Rep 0", admin=False)
    rep_token = world.c.tokens.create_token("rep0@acme.test", "mine")
    r = world.client.get(
        "/api/v1/analytics/routers/strict", headers={"Authorization": f"Bearer {rep_token}"}
    )
    assert r.status_code == 403
