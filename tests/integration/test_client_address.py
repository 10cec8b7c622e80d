"""Every place that uses the client's address believes X-Forwarded-For only from a trusted
proxy: login throttling, visitor event limits, the IP places of visitors and leads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.leads.nearest import GeoPoint, LocationHints
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.integration.live.support import KEY, ORIGIN, workspace
from tests.support.db import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here

PUBLIC_IP = "8.8.8.8"  # the registries say US


class RecordingLocator:
    """The Locator port, remembering the address it was asked about."""

    def __init__(self) -> None:
        self.ips: list[str | None] = []

    def locate(self, hints: LocationHints, stores: Any) -> GeoPoint | None:
        self.ips.append(hints.ip)
        return None


@contextmanager
def app(db_url: str, trusted: str, **settings: Any) -> Iterator[tuple[Container, TestClient]]:
    c = bootstrap(
        Settings(
            database_url=db_url,
            secret_key="t" * 32,
            worker=False,
            trusted_proxies=trusted,
            **settings,
        )
    )
    doc = workspace()
    doc["stores"] = [{"name": "Downtown", "latitude": 40.7, "longitude": -74.0}]
    doc["nearest_store_routing"] = True
    apply_workspace(c.workspace, doc)
    try:
        # the connection comes from 127.0.0.1, like a proxy (or anybody) on the same host
        with TestClient(create_app(c.settings, container=c), client=("127.0.0.1", 50000)) as t:
            yield c, t
    finally:
        c.close()


def _forwarded(ip: str) -> Mapping[str, str]:
    return {"X-Forwarded-For": ip, "Origin": ORIGIN}


@pytest.mark.parametrize("trusted", ["", "127.0.0.1"])
def test_a_visitor_is_placed_by_the_forwarded_address_only_behind_a_trusted_proxy(
    db_url: str, trusted: str
) -> None:
    with app(db_url, trusted) as (c, client):
        r = client.post(
            "/api/v1/visitors/events",
            json={"site_key": KEY, "visitor": None, "type": "page_view", "url": "/"},
            headers=_forwarded(PUBLIC_IP),
        )
        assert r.status_code == 200, r.text
        visitor = c.live.repo.visitor(r.json()["visitor_id"])
        assert visitor is not None
        if trusted:
            assert visitor.location is not None
            assert visitor.location.get("country") == "US"
        else:
            assert visitor.location is None  # 127.0.0.1 is nowhere


@pytest.mark.parametrize("trusted", ["", "127.0.0.0/8"])
def test_a_lead_is_located_by_the_forwarded_address_only_behind_a_trusted_proxy(
    db_url: str, trusted: str
) -> None:
    with app(db_url, trusted) as (c, client):
        locator = RecordingLocator()
        c.locator = locator  # type: ignore[assignment]
        r = client.post(
            "/api/v1/leads",
            json={"category": "General", "customer": {"email": "pat@example.test"}},
            headers={"X-Site-Key": KEY, "X-Forwarded-For": f"1.2.3.4, {PUBLIC_IP}"},
        )
        assert r.status_code == 201, r.text
        assert locator.ips == [PUBLIC_IP if trusted else "127.0.0.1"]


@pytest.mark.parametrize("trusted", ["", "127.0.0.1"])
def test_login_throttling_counts_forwarded_clients_only_behind_a_trusted_proxy(
    db_url: str, trusted: str
) -> None:
    with app(db_url, trusted, public_rate_limit="2/minute") as (_, client):
        codes = [
            client.post(
                "/login",
                data={"email": "x@acme.test", "password": "guess"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(4)
        ]
    assert codes == ([401] * 4 if trusted else [401, 401, 429, 429])


@pytest.mark.parametrize("trusted", ["", "127.0.0.1"])
def test_visitor_events_per_address_follow_the_same_rule(db_url: str, trusted: str) -> None:
    # a visitor without a token yet is counted by its address: 1/minute here
    with app(db_url, trusted, live_event_rate="1/minute") as (_, client):
        codes = [
            client.post(
                "/api/v1/visitors/events",
                json={"site_key": KEY, "visitor": None, "type": "page_view", "url": "/"},
                headers=_forwarded(f"203.0.113.{i}"),
            ).status_code
            for i in range(12)
        ]
    assert codes == ([200] * 12 if trusted else [200] + [429] * 11)
