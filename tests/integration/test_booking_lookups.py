"""One booking request normalises its prospect once and asks the CRM once, however many times
it routes the prospect (a preview, the ledger's latest decision, the decision itself); the
same for opening a click link. Counted through a counting CRM lookup and a counting
normaliser, over HTTP on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leadrail.app import route as route_module
from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.routing.model import CrmRecord, Prospect
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace

NINE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday 09:00 New York


@dataclass
class Counts:
    normalised: int = 0
    crm: list[tuple[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        self.normalised, self.crm = 0, []


@pytest.fixture
def world(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Counts]]:
    c: Container = bootstrap(Settings(database_url=sqlite_url, secret_key="k" * 32, worker=False))
    c.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(c.workspace, booking_workspace(ownership={"enabled": True}))
    counts = Counts()
    normalise, lookup = route_module.normalise_prospect, c.routing.crm_records

    def counting_normalise(raw: Any, *, strip_emails: bool) -> Prospect:
        counts.normalised += 1
        return normalise(raw, strip_emails=strip_emails)

    def counting_crm(email: str, domain: str) -> tuple[CrmRecord, ...]:
        counts.crm.append((email, domain))
        return lookup(email, domain)

    monkeypatch.setattr(route_module, "normalise_prospect", counting_normalise)
    monkeypatch.setattr(c.routing, "crm_records", counting_crm)
    with TestClient(create_app(c.settings, container=c), follow_redirects=False) as client:
        yield client, counts
    c.close()


def booking(client: TestClient, router: str, email: str) -> Any:
    body = {"router": router, "prospect": {"email": email, "name": "Pat"},
            "start": NINE.isoformat()}  # fmt: skip
    r = client.post("/api/v1/bookings", json=body)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("router", ["strict", "flexible", "solo"])
def test_a_booking_with_no_click_before_looks_up_once(world: Any, router: str) -> None:
    client, counts = world
    assert booking(client, router, "pat@example.test")["decision_id"]
    assert (counts.normalised, counts.crm) == (1, [("pat@example.test", "example.test")])


def test_a_click_then_a_booking_look_up_once_each(world: Any) -> None:
    client, counts = world
    assert client.get("/c/strict", params={"email": "pat@example.test"}).status_code == 200
    assert (counts.normalised, len(counts.crm)) == (1, 1)  # the page routed, once
    counts.reset()
    booking(client, "strict", "pat@example.test")  # reuses the click's decision
    assert (counts.normalised, len(counts.crm)) == (1, 1)


def test_the_slots_of_a_prospect_look_up_once(world: Any) -> None:
    client, counts = world
    r = client.get("/api/v1/routers/strict/slots", params={"email": "pat@example.test"})
    assert r.status_code == 200, r.text
    assert (counts.normalised, len(counts.crm)) == (1, 1)
