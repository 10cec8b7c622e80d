"""A small world for analytics tests, made through the real use cases and HTTP front doors:
eight prospects routed by rotation (weights 2:1:1), four link opens, two bookings, two form
leads on a site routed by the 'solo' router."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace
from leadrail.app.route import route_prospect
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import (
    MONDAY_8AM_NY,
    SITE_KEY,
    FixedClock,
    booking_workspace,
    leads_workspace,
)
from tests.support.dashboard import make_account

SCRIPT = "<script>alert('x')</script>"
ADMIN = "admin@acme.test"


def analytics_workspace() -> dict[str, Any]:
    doc = booking_workspace()
    doc["teams"][0]["members"] = [
        {"user": "rep0@acme.test", "weight": 2},
        {"user": "rep1@acme.test", "weight": 1},
        {"user": "rep2@acme.test", "weight": 1},
    ]
    leads = leads_workspace()
    leads["sites"][0]["router"] = "solo"
    for key in ("categories", "fallback_destination", "stores", "nearest_store_routing",
                "nearest_store_max_km", "sites"):  # fmt: skip
        doc[key] = leads[key]
    return doc


@dataclass
class World:
    c: Container
    client: TestClient
    token: str
    decisions: list[str]
    meetings: list[str]


def make_world(db_url: str) -> World:
    c = bootstrap(Settings(database_url=db_url, secret_key="a" * 32, worker=False))
    clock = FixedClock(MONDAY_8AM_NY)
    c.clock = clock  # type: ignore[assignment]
    apply_workspace(c.workspace, analytics_workspace())
    make_account(c, ADMIN, admin=True)
    token = c.tokens.create_token(ADMIN, "tests")
    client = TestClient(create_app(c.settings, container=c), follow_redirects=False)
    decisions = []
    for i in range(8):
        name = SCRIPT if i == 0 else f"Prospect {i}"
        raw = {"email": f"p{i}@example.test", "name": name}
        decisions.append(str(route_prospect(c.routing, "strict", raw, clock.now()).id))
    for _ in range(4):
        assert client.get("/c/strict").status_code == 200
    meetings = []
    for i, start in ((0, "2026-11-30T14:00:00Z"), (1, "2026-11-30T15:00:00Z")):
        prospect = {"email": f"p{i}@example.test", "name": SCRIPT if i == 0 else "Pat"}
        r = client.post(
            "/api/v1/bookings", json={"router": "strict", "start": start, "prospect": prospect}
        )
        assert r.status_code == 201, r.text
        meetings.append(r.json()["meeting_id"])
    for i, category in ((0, "New Models"), (1, "Service")):
        body = {"category": category, "customer": {"first_name": "Lee",
                "email": f"p{i}@example.test"}, "store": "Downtown"}  # fmt: skip
        r = client.post("/api/v1/leads", json=body, headers={"X-Site-Key": SITE_KEY})
        assert r.status_code == 201, r.text
    clock.current = MONDAY_8AM_NY + timedelta(hours=4)  # both meetings have started
    return World(c, client, token, decisions, meetings)
