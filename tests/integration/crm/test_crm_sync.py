"""After a booking, the router's CRM settings are carried out: record created or updated,
owner set to the meeting's rep, meeting logged; in the built-in CRM and in HubSpot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from leadrail.adapters.db import tables as t
from leadrail.app.apply import apply_workspace
from leadrail.app.booking import book
from leadrail.app.outbox import drain
from leadrail.app.route import route_prospect
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.worker import runner_for
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace
from tests.integration.crm.fake_hubspot import FakeHubSpot

NINE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
SYNC = {
    "create_or_update": True,
    "record_type": "contact",
    "set_owner": True,
    "create_meeting": True,
}


@pytest.fixture
def c(sqlite_url: str) -> Iterator[Container]:
    container = bootstrap(
        Settings(
            database_url=sqlite_url, worker=False, smtp_port=1, secret_key="s" * 32,
            outbound_allow_hosts="127.0.0.1",  # the fake HubSpot is a local server
        )
    )  # fmt: skip
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    yield container
    container.close()


def sync_jobs(c: Container) -> list[dict[str, Any]]:
    return [j for j in c.outbox.jobs() if j["kind"] == "crm_sync"]


def test_builtin_crm_gets_the_contact_its_owner_and_the_meeting(c: Container) -> None:
    doc = booking_workspace(crm=SYNC)
    doc["users"][0]["crm_owner_id"] = "OWN-0"
    apply_workspace(c.workspace, doc)
    done = book(
        c.routing,
        c.calendar,
        "solo",
        {"email": "pat@example.test", "name": "Pat Lee"},
        NINE,
        c.clock.now(),
    )
    drain(c.outbox, runner_for(c), c.clock.now())
    (job,) = sync_jobs(c)
    assert job["status"] == "done"
    with c.wiring.db.sessions() as s:
        contact = s.scalars(select(t.CrmContact)).one()
        activity = s.scalars(select(t.CrmActivity)).one()
    assert (contact.email, contact.owner_id, contact.name) == (
        "pat@example.test",
        "OWN-0",
        "Pat Lee",
    )
    assert (activity.record_id, activity.owner_id, activity.external_id) == (
        str(contact.id),
        "OWN-0",
        done.meeting_id,
    )
    assert activity.start == NINE
    # the next time this e-mail is routed, ownership finds the rep
    records = c.routing.crm_records("pat@example.test", "example.test")
    assert records[0].owner_id == "OWN-0"


def test_a_router_without_crm_settings_writes_nothing(c: Container) -> None:
    apply_workspace(c.workspace, booking_workspace())
    book(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, NINE, c.clock.now())
    assert sync_jobs(c) == []


@pytest.fixture
def hubspot(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot().start()
    monkeypatch.setenv("LEADRAIL_CRED_TEST_HUBSPOT_TOKEN", fake.token or "")
    yield fake
    fake.stop()


def test_hubspot_is_read_for_ownership_and_written_after_booking(
    c: Container, hubspot: FakeHubSpot
) -> None:
    owner = hubspot.add_owner("rep1@acme.test")
    hubspot.add_contact("cto@bigco.test", owner=owner)
    doc = booking_workspace(crm=SYNC, ownership={"enabled": True})
    doc["users"][1]["crm_owner_id"] = owner
    doc["crm"] = {
        "provider": "hubspot",
        "connection": {"url": hubspot.url, "access_token_env": "LEADRAIL_CRED_TEST_HUBSPOT_TOKEN"},
    }
    apply_workspace(c.workspace, doc)
    decided = route_prospect(c.routing, "strict", {"email": "cto@bigco.test"}, c.clock.now())
    assert decided.decision.assignees == ("rep1@acme.test",)
    assert decided.decision.via == "owner"
    book(
        c.routing,
        c.calendar,
        "strict",
        {"email": "new@prospect.test", "name": "New One"},
        NINE,
        c.clock.now(),
    )
    drain(c.outbox, runner_for(c), c.clock.now())
    (job,) = sync_jobs(c)
    assert job["status"] == "done", job
    created = next(p for p in hubspot.contacts.values() if p["email"] == "new@prospect.test")
    assert created["firstname"] == "New"
    (meeting,) = hubspot.meetings.values()
    assert meeting["associations"][0]["types"][0]["associationTypeId"] == 200


def test_a_crm_that_is_down_neither_breaks_routing_nor_loses_the_write(
    c: Container, hubspot: FakeHubSpot
) -> None:
    doc = booking_workspace(crm=SYNC, ownership={"enabled": True})
    doc["crm"] = {
        "provider": "hubspot",
        "connection": {
            "url": "http://127.0.0.1:1",
            "access_token_env": "LEADRAIL_CRED_TEST_HUBSPOT_TOKEN",
            "max_retries": 0,
        },
    }
    apply_workspace(c.workspace, doc)
    decided = route_prospect(c.routing, "strict", {"email": "x@y.test"}, c.clock.now())
    assert decided.decision.via == "rotation"  # routed without ownership
    book(c.routing, c.calendar, "solo", {"email": "x@y.test"}, NINE, c.clock.now())
    drain(c.outbox, runner_for(c), c.clock.now())
    (job,) = sync_jobs(c)
    assert job["status"] == "pending"  # retried later
    assert job["last_error"].startswith("CRM:")


def test_a_form_lead_becomes_a_crm_record_when_its_sites_router_says_so(c: Container) -> None:
    from leadrail.app.leads import take_lead
    from leadrail.leads.model import Customer, Lead
    from leadrail.leads.nearest import LocationHints
    from tests.factories import SITE_KEY, leads_workspace

    doc = leads_workspace(routers=[{
        "slug": "web-leads", "title": "Web leads", "default": {"category": "Service"},
        "crm": {"create_or_update": True, "record_type": "lead"}}])  # fmt: skip
    doc["sites"][0]["router"] = "web-leads"
    apply_workspace(c.workspace, doc)
    lead = Lead(
        id="",
        created_at=c.clock.now(),
        category="Service",
        customer=Customer(first_name="Ann", last_name="Bell", email="ann@x.test"),
    )
    take_lead(
        c.leads,
        c.routing,
        c.locator,
        site_key=SITE_KEY,
        lead=lead,
        hints=LocationHints(),
        idempotency_key=None,
        now=c.clock.now(),
    )
    drain(c.outbox, runner_for(c), c.clock.now())
    (job,) = [j for j in c.outbox.jobs() if j["kind"] == "crm_lead"]
    assert job["status"] == "done", job
    with c.wiring.db.sessions() as s:
        record = s.scalars(select(t.CrmLead)).one()
    assert (record.email, record.name) == ("ann@x.test", "Ann Bell")
