"""A form lead whose site has a router: the routing decision, the lead and its deliveries are
written in one transaction, on SQLite and PostgreSQL. Two requests with one Idempotency-Key
racing leave one lead and one decision (nothing of the loser); a lead that cannot be placed
leaves no decision behind."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from leadrail.adapters.db import tables as t
from leadrail.app.apply import apply_workspace
from leadrail.app.leads import Taken, take_lead
from leadrail.app.ports import StoredLead
from leadrail.bootstrap import Container, bootstrap
from leadrail.leads.model import Customer, Lead
from leadrail.leads.nearest import GeoPoint, LocationHints
from leadrail.settings import Settings
from tests.factories import MONDAY_8AM_NY, SITE_KEY, FixedClock, leads_workspace

SORTER = {
    "slug": "lead-sorter", "title": "Lead sorter",
    "rules": [{"name": "Oil changes", "when": {"field": "offer", "op": "contains", "value": "oil"},
               "route": {"category": "Service"}}],
    "default": {"category": "New Models"},
}  # fmt: skip


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    container = bootstrap(Settings(database_url=db_url, secret_key="l" * 32, worker=False))
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    doc = leads_workspace(routers=[SORTER])
    doc["sites"][0]["router"] = "lead-sorter"
    apply_workspace(container.workspace, doc)
    yield container
    container.close()


def lead(offer: str = "Oil change special") -> Lead:
    customer = Customer(first_name="Ann", last_name="Bell", email="ann@x.test")
    return Lead(id="", created_at=MONDAY_8AM_NY, category="New Models", offer=offer,
                customer=customer)  # fmt: skip


def take(c: Container, key: str | None, hints: LocationHints | None = None) -> Taken:
    return take_lead(
        c.leads, c.routing, c.locator, site_key=SITE_KEY, lead=lead(),
        hints=hints or LocationHints(store="Queens"), idempotency_key=key, now=c.clock.now(),
    )  # fmt: skip


def counts(c: Container) -> tuple[int, int, int, int]:
    """Decisions, leads, deliveries and outbox jobs in the database."""
    with c.wiring.db.sessions() as s:
        return (
            len(list(c.ledger.decisions("lead-sorter"))),
            s.scalar(select(func.count()).select_from(t.LeadRecord)) or 0,
            s.scalar(select(func.count()).select_from(t.Delivery)) or 0,
            s.scalar(select(func.count()).select_from(t.OutboxJob)) or 0,
        )


def test_the_decision_and_the_lead_are_written_together(c: Container) -> None:
    taken = take(c, "form-1")
    assert taken.created
    assert taken.lead.data["category"] == "Service"
    assert taken.lead.trace[0] == "router lead-sorter chose category Service (rule Oil changes)"
    assert [d["destination"] for d in taken.lead.deliveries] == ["service@dealer.test"]
    assert counts(c) == (1, 1, 1, 1)
    again = take(c, "form-1")
    assert (again.created, again.lead.id) == (False, taken.lead.id)
    assert again.lead == taken.lead  # the first answer (as written) is what reads back
    assert counts(c) == (1, 1, 1, 1)  # a replay routes nothing


def test_two_requests_racing_with_one_key_leave_one_lead_and_one_decision(c: Container) -> None:
    """Both requests pass the Idempotency-Key check before either writes (a barrier holds
    them there): the one that writes second must keep nothing of its own."""
    barrier = threading.Barrier(2, timeout=30)
    looked = threading.local()
    lead_by_key = c.leads.lead_by_key

    def first_look_then_wait(site: str, key: str) -> StoredLead | None:
        found = lead_by_key(site, key)
        if not getattr(looked, "once", False):
            looked.once = True
            barrier.wait()
        return found

    c.leads.lead_by_key = first_look_then_wait  # type: ignore[method-assign]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: take(c, "same-key"), range(2)))
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].lead.id == results[1].lead.id
    assert counts(c) == (1, 1, 1, 1)
    (decision,) = c.ledger.decisions("lead-sorter")
    assert decision.rule == "Oil changes"


class BrokenLocator:
    """A location lookup that fails (a corrupt city database, say)."""

    def locate(self, hints: LocationHints, stores: Any) -> GeoPoint | None:
        raise OSError("the city database is unreadable")


def test_a_lead_that_cannot_be_placed_leaves_no_decision(c: Container) -> None:
    c.locator = BrokenLocator()  # type: ignore[assignment]
    with pytest.raises(OSError, match="unreadable"):
        take(c, "form-2", LocationHints(postal_code="10007"))
    assert counts(c) == (0, 0, 0, 0)
