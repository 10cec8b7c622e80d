"""Delivering a lead, through fakes: delivered; a transient fault retried with backoff, then
waiting with the lead handed to the fallback once and admins told once; a refusal for good
falling back or failing; an admin's stop; a webhook signed at the time of sending."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from leadrail.app.delivery.ports import WebhookReply
from leadrail.app.outbox import MAX_ATTEMPTS, JobKind, SendFailed
from leadrail.leads.destinations import Target
from leadrail.leads.formats.json_payload import sign_webhook

from .world import FALLBACK, SECRET, T0, WALL, World

SERVICE = Target("service@dealer.test", "text")
HOOK = Target("https://crm.dealer.test/hook", "json", secret_env="LEADRAIL_CRED_HOOK")
DOWN = SendFailed("SMTP: 421 4.3.2 try again later", retryable=True)
REFUSED = SendFailed("SMTP: 550 5.1.1 no such mailbox", retryable=False)


def test_a_lead_is_delivered_in_its_format_with_a_receipt() -> None:
    w = World()
    lead = w.take_lead(SERVICE)
    assert w.drain(T0) == 1
    (message,) = w.mail.to("service@dealer.test")
    assert message["Subject"] == "Lead: Service"
    assert message["Message-ID"] == "<d1@leadrail>"  # the delivery's id, on every attempt
    assert "zoe@example.test" in message.get_content()
    (d,) = w.deliveries.of_lead(lead.id)
    assert (d.status, d.attempts, d.delivered_at) == ("delivered", 1, T0)
    ((ok, receipt),) = d.receipts
    assert ok
    assert receipt.response == "250 OK queued as 1"
    assert "zoe@example.test" in receipt.payload  # what was sent is kept
    assert w.outbox.jobs[1].status == "done"


def test_a_webhook_is_signed_at_the_time_it_is_sent() -> None:
    w = World()
    lead = w.take_lead(HOOK)
    w.drain(T0)
    ((url, body, headers),) = w.hooks.posts
    assert url == HOOK.address
    assert json.loads(body)["lead"]["id"] == lead.id
    stamp = int(WALL.timestamp())  # the wall clock, not the job's moment: receivers check it
    assert headers["webhook-timestamp"] == str(stamp)
    signed = sign_webhook(body, secret=SECRET, msg_id="d1", timestamp=stamp)
    assert headers["webhook-signature"] == signed["webhook-signature"]
    (d,) = w.deliveries.of_lead(lead.id)
    assert (d.status, d.receipts[0][1].response) == ("delivered", "HTTP 200 OK")


def test_a_transient_fault_is_retried_with_backoff_from_the_injected_rng() -> None:
    w = World()
    w.jitter.at = 0.25
    lead = w.take_lead(SERVICE)
    w.mail.down = DOWN
    w.drain(T0)
    (d,) = w.deliveries.of_lead(lead.id)
    assert (d.status, d.last_error) == ("pending", DOWN.message)
    assert w.jitter.ranges == [(1.0, 2.0)]  # the first backoff: up to 2 seconds
    job = w.outbox.jobs[1]
    assert (job.status, job.next_at) == ("pending", T0 + timedelta(seconds=1.25))
    assert w.drain(T0 + timedelta(seconds=1)) == 0  # not due yet
    w.mail.down = None
    assert w.drain(T0 + timedelta(seconds=2)) == 1
    assert d.status == "delivered"
    assert [ok for ok, _ in d.receipts] == [False, True]
    assert not w.deliveries.of_lead(lead.id, "fallback")
    assert not w.deliveries.alerted


def test_past_the_budget_it_waits_the_fallback_has_the_lead_once_and_admins_hear_once() -> None:
    w = World()
    w.workspace.admins = ["ops@acme.test"]
    w.hooks.replies = [WebhookReply(503, "Service Unavailable", "down")] * (MAX_ATTEMPTS + 3)
    lead = w.take_lead(HOOK)
    for day in range(MAX_ATTEMPTS + 3):
        w.drain(T0 + timedelta(days=day))
    (primary,) = w.deliveries.of_lead(lead.id, "primary")
    assert primary.status == "waiting"  # still tried, hourly: the server may come back
    assert primary.attempts == MAX_ATTEMPTS + 3
    assert "sent to the fallback manager@dealer.test" in (primary.last_error or "")
    (fallback,) = w.deliveries.of_lead(lead.id, "fallback")
    assert (fallback.target, fallback.status) == (FALLBACK, "delivered")
    assert len(w.mail.to("manager@dealer.test")) == 1
    assert w.deliveries.alerted == [lead.id]
    (alert,) = w.mail.to("ops@acme.test")
    assert "1 lead could not be delivered" in str(alert["Subject"])
    assert len(w.outbox.of_kind(JobKind.LEAD_ALERT)) == 1


def test_waiting_comes_back_at_the_capped_interval() -> None:
    w = World()
    w.jitter.at = 1.0
    w.take_lead(SERVICE)
    w.mail.down = DOWN
    for day in range(MAX_ATTEMPTS):
        w.drain(T0 + timedelta(days=day))
    last = T0 + timedelta(days=MAX_ATTEMPTS - 1)
    assert (w.outbox.jobs[1].status, w.outbox.jobs[1].next_at) == (
        "waiting",
        last + timedelta(hours=1),
    )


def test_a_refusal_for_good_hands_over_to_the_fallback_at_once() -> None:
    w = World()
    w.mail.refusals["service@dealer.test"] = REFUSED
    lead = w.take_lead(SERVICE)
    w.drain(T0)
    (primary,) = w.deliveries.of_lead(lead.id, "primary")
    assert primary.status == "fell_back"
    assert w.outbox.jobs[1].status == "failed"  # not retried
    (fallback,) = w.deliveries.of_lead(lead.id, "fallback")
    assert fallback.status == "delivered"
    assert not w.deliveries.alerted  # the fallback has it: nothing for admins to do


@pytest.mark.parametrize("fallback", [None, SERVICE], ids=["no fallback", "fallback is it"])
def test_a_refusal_with_nobody_to_hand_over_to_fails_and_admins_hear(
    fallback: Target | None,
) -> None:
    w = World(fallback=fallback)
    w.mail.refusals["service@dealer.test"] = REFUSED
    lead = w.take_lead(SERVICE)
    w.drain(T0)
    (d,) = w.deliveries.of_lead(lead.id)
    assert (d.status, d.last_error) == ("failed", REFUSED.message)
    assert w.deliveries.alerted == [lead.id]


@pytest.mark.parametrize(
    ("status", "retried"),
    [(400, False), (401, False), (404, False), (408, True), (409, True), (425, True),
     (429, True), (500, True), (503, True)],
)  # fmt: skip
def test_a_webhook_refusal_is_retried_only_when_it_may_pass_later(
    status: int, retried: bool
) -> None:
    w = World(fallback=None)
    w.hooks.replies = [WebhookReply(status, "No", "invalid signature\n")]
    lead = w.take_lead(HOOK)
    w.drain(T0)
    (d,) = w.deliveries.of_lead(lead.id)
    assert d.status == ("pending" if retried else "failed")
    assert w.outbox.jobs[1].status == ("pending" if retried else "failed")
    assert d.receipts[0][1].response == f"HTTP {status} No: invalid signature"


def test_a_secret_that_may_not_be_used_fails_for_good_with_a_receipt() -> None:
    w = World(fallback=None)
    lead = w.take_lead(Target(HOOK.address, "json", secret_env="DATABASE_PASSWORD"))
    w.drain(T0)
    (d,) = w.deliveries.of_lead(lead.id)
    assert d.status == "failed"
    assert "DATABASE_PASSWORD" in (d.last_error or "")
    assert not w.hooks.posts
    assert json.loads(d.receipts[0][1].payload)["lead"]["id"] == lead.id


def test_a_delivery_an_admin_stopped_is_not_sent() -> None:
    w = World()
    lead = w.take_lead(SERVICE)
    w.deliveries.stop("d1")  # its job was claimable still (stopped in between)
    w.drain(T0)
    assert not w.mail.sent
    assert w.outbox.jobs[1].payload["result"] == "stopped by an admin: not sent"
    assert w.deliveries.of_lead(lead.id)[0].receipts == []


def test_a_stop_during_the_attempt_keeps_the_receipt_and_the_stop() -> None:
    w = World()
    lead = w.take_lead(SERVICE)

    class StoppedWhileSending:
        def send(self, message: object) -> str:
            w.deliveries.stop("d1")
            w.outbox.stop(1, T0)
            raise DOWN

    w.deliver.mail = StoppedWhileSending()
    w.drain(T0)
    (d,) = w.deliveries.of_lead(lead.id)
    assert (d.status, d.attempts, len(d.receipts)) == ("stopped", 1, 1)
    assert w.outbox.jobs[1].status == "stopped"  # the outcome was not written over it
    assert not w.deliveries.of_lead(lead.id, "fallback")
    assert not w.deliveries.alerted


def test_a_delivery_that_no_longer_exists_fails_and_is_not_retried() -> None:
    w = World()
    w.outbox.add(JobKind.LEAD, "gone", T0)
    w.drain(T0)
    job = w.outbox.jobs[1]
    assert (job.status, job.last_error) == ("failed", "delivery gone no longer exists")
    assert w.drain(T0 + timedelta(days=1)) == 0
