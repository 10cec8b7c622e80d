"""The CRM jobs (a booked meeting's prospect and activity; a form lead's customer), the
admins' alert and the password-reset e-mail, through fakes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leadrail.app.crm_sync.ports import MeetingActivity, Owner, Person
from leadrail.app.outbox import JobKind, SendFailed
from leadrail.app.ports import MeetingRow
from tests.factories import booking_workspace

from .world import T0, World

MEETING = MeetingRow(
    id="m1", router="strict", rep="rep1@acme.test", start=T0, end=T0 + timedelta(minutes=30),
    status="booked", email="pat@prospect.test", name="Pat Doe", notes="About pricing",
    guests=[], location=None, sequence=0, decision_id=None, meeting_type="intro-30",
)  # fmt: skip
WRITES_ALL = {"create_or_update": True, "record_type": "lead", "set_owner": True,
              "create_meeting": True}  # fmt: skip


def crm_world(**crm: Any) -> World:
    w = World(booking_workspace(crm=crm), site_router="strict")
    w.workspace.meetings["m1"] = MEETING
    return w


def test_a_booking_writes_the_prospect_owned_by_the_rep_and_the_meeting() -> None:
    w = crm_world(**WRITES_ALL)
    w.crm.owner_list = [Owner("owner-7", "rep1@acme.test")]
    w.outbox.add(JobKind.CRM_SYNC, "m1", T0)
    w.drain(T0 + timedelta(days=1))  # after the meeting too: the CRM keeps its history
    assert w.crm.people == [Person("lead", "pat@prospect.test", "Pat", "Doe", owner_id="owner-7")]
    assert w.crm.activities == [
        MeetingActivity(
            record_id="crm-1", record_kind="lead", owner_id="owner-7", start=T0,
            end=MEETING.end, title="Intro call with Pat Doe", body="About pricing",
            external_id="m1",
        )
    ]  # fmt: skip
    assert w.outbox.jobs[1].payload["result"] == "lead crm-1 owned by owner-7; meeting activity-1"


def test_a_router_that_writes_nothing_to_the_crm_writes_nothing() -> None:
    w = crm_world()
    w.outbox.add(JobKind.CRM_SYNC, "m1", T0)
    w.drain(T0)
    assert w.outbox.jobs[1].payload["result"] == "the router writes nothing to the CRM"
    assert not w.crm.people


def test_a_crm_that_is_down_is_retried() -> None:
    w = crm_world(**WRITES_ALL)
    w.crm.down = SendFailed("CRM: HTTP 503", retryable=True)
    w.outbox.add(JobKind.CRM_SYNC, "m1", T0)
    w.outbox.add(JobKind.CRM_LEAD, w.take_lead().id, T0)
    w.drain(T0)
    assert [(j.status, j.last_error) for j in w.outbox.jobs.values()] == [
        ("pending", "CRM: HTTP 503"),
        ("pending", "CRM: HTTP 503"),
    ]


def test_a_form_lead_becomes_a_contact_when_its_sites_router_says_so() -> None:
    w = crm_world(create_or_update=True)
    lead = w.take_lead()
    w.outbox.add(JobKind.CRM_LEAD, lead.id, T0)
    w.outbox.add(JobKind.CRM_LEAD, w.take_lead(email="").id, T0)
    w.outbox.add(JobKind.CRM_LEAD, "gone", T0)
    w.drain(T0)
    customer = {"first_name": "Zoë", "last_name": "O'Brien", "email": "zoe@example.test"}
    assert w.crm.people == [
        Person("contact", "zoe@example.test", "Zoë", "O'Brien", fields=customer)
    ]
    jobs = list(w.outbox.jobs.values())
    assert jobs[0].payload["result"] == f"contact crm-1 for lead {lead.id}"
    assert jobs[1].payload["result"] == "the lead has no e-mail: nothing to write"
    assert (jobs[2].status, jobs[2].last_error) == ("failed", "lead gone no longer exists")


def test_the_admins_alert_lists_the_leads_with_their_receipts_link() -> None:
    w = World()
    w.workspace.admins = ["ops@acme.test", "boss@acme.test"]
    lead = w.take_lead()
    job_id = w.outbox.add(JobKind.LEAD_ALERT, "admins", T0, {"leads": [lead.id, "gone"]})
    w.drain(T0)
    (alert,) = w.mail.sent
    assert str(alert["To"]) == "ops@acme.test, boss@acme.test"
    assert alert["Message-ID"] == f"<alert-{job_id}@leadrail>"
    body = alert.get_content()
    assert f"Lead {lead.id}: Service, Zoë O'Brien <zoe@example.test>" in body
    assert f"Receipts: https://leadrail.test/admin/receipts/{lead.id}" in body


def test_an_alert_with_nobody_to_tell_sends_nothing() -> None:
    w = World()
    w.outbox.add(JobKind.LEAD_ALERT, "admins", T0, {"leads": [w.take_lead().id]})
    w.drain(T0)
    assert not w.mail.sent
    assert w.outbox.jobs[1].payload["result"] == "nobody to tell"


def test_a_reset_link_is_mailed_and_never_recorded() -> None:
    w = World()
    w.outbox.add(JobKind.PASSWORD_RESET, "ana@acme.test", T0, {"email": "ana@acme.test"})
    w.outbox.add(JobKind.PASSWORD_RESET, "x@acme.test", T0, {"email": "x@acme.test"})
    w.drain(T0)
    (sent,) = w.mail.sent
    assert str(sent["To"]) == "ana@acme.test"
    assert "https://leadrail.test/password/reset/secret-token" in sent.get_content()
    results = [j.payload["result"] for j in w.outbox.jobs.values()]
    assert results == ["reset link sent", "no active account with this address: nothing sent"]


def test_a_refused_reset_mail_says_what_the_server_said_not_the_link() -> None:
    w = World()
    w.mail.refusals["ana@acme.test"] = SendFailed("SMTP: 550 no such user", retryable=False)
    w.outbox.add(JobKind.PASSWORD_RESET, "ana@acme.test", T0, {"email": "ana@acme.test"})
    w.drain(T0)
    job = w.outbox.jobs[1]
    assert (job.status, job.last_error) == ("failed", "SMTP: 550 no such user")
