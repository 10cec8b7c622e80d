"""The delivery repository's promises: a delivery read as stored; a success or a failure
recorded with its receipt; the lead handed to the fallback once and admins told once per
lead; an admin's stop never overwritten by an attempt that was under way."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from leadrail.app.delivery.ports import Attempt, Failure
from leadrail.leads.destinations import Target
from leadrail.leads.model import Customer, Lead

from .conftest import T0, roles

SERVICE = Target("service@dealer.test", "text")
FALLBACK = Target("manager@dealer.test", "adf")
LEAD = Lead(id="lead-1", created_at=T0, category="Service", site="dealer-site",
            customer=Customer(first_name="Zoë", email="zoe@example.test"))  # fmt: skip
FAILED = Attempt(T0, "SMTP: 421 try later", "the message")
WAITING = Failure("waiting", "SMTP: 421 try later (sent to the fallback)", FALLBACK, alert=True)


def test_a_delivery_reads_as_it_was_stored(world: Any) -> None:
    delivery_id = world.take(LEAD, SERVICE)
    d = world.deliveries.delivery(delivery_id)
    assert (d.id, d.address, d.format, d.role, d.status) == (
        delivery_id, "service@dealer.test", "text", "primary", "pending",
    )  # fmt: skip
    assert d.lead == LEAD
    assert world.deliveries.delivery("no-such-delivery") is None


def test_a_success_is_recorded_with_its_receipt(world: Any) -> None:
    delivery_id = world.take(LEAD, SERVICE)
    world.deliveries.delivered(delivery_id, Attempt(T0, "250 OK", "the message"))
    assert world.state(delivery_id) == ("delivered", 1, None, [True])
    assert world.deliveries.delivery(delivery_id).status == "delivered"


def test_a_failure_is_recorded_and_hands_the_lead_over_once(world: Any) -> None:
    delivery_id = world.take(LEAD, SERVICE)
    world.deliveries.failed(delivery_id, FAILED, WAITING)
    world.deliveries.failed(delivery_id, replace(FAILED, at=T0 + timedelta(hours=1)), WAITING)
    assert world.state(delivery_id) == ("waiting", 2, WAITING.last_error, [False, False])
    assert roles(world, LEAD.id) == ["fallback", "primary"]
    (fallback,) = [d for d in world.of_lead(LEAD.id) if d.role == "fallback"]
    assert (fallback.address, fallback.format, fallback.status) == (
        "manager@dealer.test", "adf", "pending",
    )  # fmt: skip


def test_admins_are_told_once_per_lead_in_the_alert_not_sent_yet(world: Any) -> None:
    first = world.take(LEAD, SERVICE)
    second = world.take(replace(LEAD, id="lead-2"), SERVICE)
    failed = Failure("failed", "SMTP: 550 no", None, alert=True)
    for delivery_id in (first, first, second):
        world.deliveries.failed(delivery_id, FAILED, failed)
    assert world.alerts() == [["lead-1", "lead-2"]]
    assert roles(world, LEAD.id) == ["primary"]


def test_an_admins_stop_is_kept_over_an_attempt_under_way(world: Any) -> None:
    delivery_id = world.take(LEAD, SERVICE)
    world.stop(delivery_id)
    world.deliveries.failed(delivery_id, FAILED, WAITING)
    status, attempts, _, oks = world.state(delivery_id)
    assert (status, attempts, oks) == ("stopped", 1, [False])  # the receipt, not the outcome
    assert roles(world, LEAD.id) == ["primary"]
    assert world.alerts() == []
