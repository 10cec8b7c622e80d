"""Small workspace documents for tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def workspace(
    n_members: int = 4, weights: list[int] | None = None, **router: Any
) -> dict[str, Any]:
    """A workspace with users rep0..repN-1@acme.test in team SDR and a router 'inbound'
    whose default routes to SDR; ``router`` overrides the router's settings."""
    weights = weights or [1] * n_members
    users = [
        {"email": f"rep{i}@acme.test", "name": f"Rep {i}", "crm_owner_id": f"OWN-{i}"}
        for i in range(n_members)
    ]
    members = [{"user": f"rep{i}@acme.test", "weight": w} for i, w in enumerate(weights)]
    r: dict[str, Any] = {"slug": "inbound", "title": "Inbound", "default": {"team": "SDR"}}
    r.update(router)
    return {
        "timezone": "America/New_York",
        "users": users,
        "teams": [{"name": "SDR", "members": members}],
        "lists": [{"name": "target-accounts", "values": ["bigco.test"]}],
        "routers": [r],
    }


class FixedClock:
    """A clock that says what the test tells it."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


MONDAY_8AM_NY = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)  # 08:00 in New York


def booking_workspace(reps: int = 3, **router: Any) -> dict[str, Any]:
    """Reps rep0..repN-1 working 09:00-17:00 New York time, a 30-minute meeting type and
    three routers: 'strict' (team rotation), 'flexible' (team, flexible) and 'solo' (rep0)."""
    users = [
        {"email": f"rep{i}@acme.test", "name": f"Rep {i}", "timezone": "America/New_York",
         "working_hours": {"mon-fri": "09:00-17:00"}}
        for i in range(reps)
    ]  # fmt: skip
    common: dict[str, Any] = {
        "meeting_type": "intro-30", "display_notes": True,
        "redirect_url": "https://example.test/thanks?src=lr",
        "default_guests": ["guest@partner.test"], "memory_hours": 2,
    }  # fmt: skip
    routers = [
        {"slug": "strict", "title": "Strict", "default": {"team": "SDR"}, **common},
        {"slug": "flexible", "title": "Flexible",
         "default": {"team": "SDR", "round_robin": "flexible"}, **common},
        {"slug": "solo", "title": "Solo", "default": {"user": "rep0@acme.test"}, **common},
    ]  # fmt: skip
    for r in routers:
        r.update(router)
    return {
        "timezone": "America/New_York",
        "users": users,
        "teams": [{"name": "SDR", "members": [{"user": u["email"]} for u in users]}],
        "meeting_types": [
            {
                "slug": "intro-30",
                "name": "Intro call",
                "duration_minutes": 30,
                "minimum_notice_minutes": 60,
                "horizon_days": 14,
                "location": "https://meet.acme.test/{rep}",
            }
        ],
        "routers": routers,
    }


SITE_KEY = "pk_test_0123456789abcdef"


def leads_workspace(**extra: Any) -> dict[str, Any]:
    """A dealer group: categories with ADF, text and webhook destinations, an ALL category,
    a fallback, two stores in New York, nearest-store routing within 50 km, one site."""
    doc: dict[str, Any] = {
        "timezone": "America/New_York",
        "categories": [
            {"name": "New Models", "destinations": [{"address": "newcars@dealer.test"}]},
            {"name": "Service", "destinations": [
                {"address": "service@dealer.test", "format": "text"}]},
            {"name": "Used Vehicles", "destinations": []},
            {"name": "ALL", "destinations": [{"address": "leads@dealer.test", "format": "text"}]},
        ],
        "fallback_destination": {"address": "manager@dealer.test", "format": "adf"},
        "stores": [
            {"name": "Downtown", "latitude": 40.7128, "longitude": -74.0060,
             "postal_code": "10007",
             "categories": {"Service": [{"address": "service-dt@dealer.test"}]}},
            {"name": "Queens", "latitude": 40.7282, "longitude": -73.7949},
        ],
        "nearest_store_routing": True,
        "nearest_store_max_km": 50,
        "sites": [{"name": "dealer-site", "key": SITE_KEY,
                   "thank_you_url": "https://dealer.test/thanks"}],
    }  # fmt: skip
    doc.update(extra)
    return doc
