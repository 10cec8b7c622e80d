"""The meeting jobs through fakes: the invitation and its cancellation e-mailed to whom they
concern, events written to and removed from a rep's CalDAV calendar, nothing for a meeting
that is over or gone, and an invitation that cannot be written failing for good."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from leadrail.app.outbox import JobKind, SendFailed
from leadrail.app.ports import MeetingRow
from tests.factories import booking_workspace

from .world import T0, World

START = T0 + timedelta(days=1)
MEETING = MeetingRow(
    id="m1", router="strict", rep="rep1@acme.test", start=START,
    end=START + timedelta(minutes=30), status="booked", email="pat@prospect.test",
    name="Pat Doe", notes="About pricing", guests=["guest@partner.test", "not an address"],
    location="https://meet.acme.test/{rep}", sequence=0, decision_id=None,
    meeting_type="intro-30",
)  # fmt: skip


def world(meeting: MeetingRow = MEETING, caldav: bool = True) -> World:
    doc = booking_workspace()
    if caldav:
        doc["users"][1]["calendar"] = {
            "provider": "caldav", "url": "https://dav.acme.test/rep1/",
            "username": "rep1", "password_env": "LEADRAIL_CRED_REP1",
        }  # fmt: skip
    w = World(doc)
    w.workspace.meetings[meeting.id] = meeting
    return w


def test_the_invitation_goes_to_the_prospect_the_rep_and_the_guests() -> None:
    w = world()
    w.outbox.add(JobKind.INVITE, "m1", T0)
    w.drain(T0)
    (sent,) = w.mail.sent
    assert str(sent["To"]) == "pat@prospect.test, rep1@acme.test, guest@partner.test"
    assert sent["Subject"] == "Invitation: Intro call: Pat Doe and Rep 1"
    assert sent["X-Method"] == "REQUEST"
    text = sent.get_content()
    assert "When: Tuesday, December 1, 2026, 8:00\u202fAM (America/New_York)" in text
    assert "Notes from Pat Doe:\nAbout pricing" in text
    assert "Cancel: https://leadrail.test/m/m1/cancel?t=" in text
    invite = w.meeting_jobs.invite_of(MEETING)
    assert invite.location == "https://meet.acme.test/rep1"
    assert [a for _, a in invite.attendees] == ["pat@prospect.test", "guest@partner.test"]


def test_a_cancellation_says_so() -> None:
    w = world(replace(MEETING, status="cancelled", sequence=1))
    w.outbox.add(JobKind.INVITE, "m1", T0, {"method": "CANCEL"})
    w.drain(T0)
    (sent,) = w.mail.sent
    assert (sent["Subject"], sent["X-Method"]) == (
        "Cancelled: Intro call: Pat Doe and Rep 1",
        "CANCEL",
    )
    assert "Cancelled: Tuesday, December 1, 2026" in sent.get_content()


def test_the_prospect_reads_their_own_language_and_zone_the_rep_the_workspaces() -> None:
    w = world(replace(MEETING, timezone="Europe/Berlin", locale="de"))
    w.outbox.add(JobKind.INVITE, "m1", T0)
    w.drain(T0)
    prospect, team = w.mail.sent
    assert str(prospect["To"]) == "pat@prospect.test"
    assert prospect["Subject"] == "Einladung: Intro call: Pat Doe und Rep 1"
    text = prospect.get_content()
    assert "Wann: Dienstag, 1. Dezember 2026, 14:00 (Europe/Berlin)" in text
    assert "Notizen von Pat Doe:\nAbout pricing" in text
    assert "Absagen: https://leadrail.test/m/m1/cancel?t=" in text
    assert str(team["To"]) == "rep1@acme.test, guest@partner.test"
    assert "When: Tuesday, December 1, 2026, 8:00\u202fAM (America/New_York)" in team.get_content()


def test_nothing_is_sent_for_a_meeting_that_is_over_or_gone() -> None:
    w = world()
    w.outbox.add(JobKind.INVITE, "m1", T0)
    w.outbox.add(JobKind.CALENDAR_PUT, "gone", T0)
    w.drain(MEETING.end)
    assert not w.mail.sent
    assert not w.calendar.events
    errors = [(j.status, j.last_error) for j in w.outbox.jobs.values()]
    assert errors == [
        ("failed", "the meeting is over: not sent"),
        ("failed", "meeting gone no longer exists"),
    ]


def test_an_invitation_that_cannot_be_written_fails_for_good() -> None:
    w = world(replace(MEETING, rep="not an address"))
    w.outbox.add(JobKind.INVITE, "m1", T0)
    w.drain(T0)
    job = w.outbox.jobs[1]
    assert job.status == "failed"
    assert job.last_error == "cannot build the invite: not an e-mail address: 'not an address'"


def test_a_booked_meeting_is_written_to_the_reps_caldav_calendar_and_removed() -> None:
    w = world()
    w.outbox.add(JobKind.CALENDAR_PUT, "m1", T0)
    w.drain(T0)
    ics = w.calendar.events[("rep1@acme.test", "m1@leadrail")]
    assert ics == b"REQUEST m1@leadrail Intro call: Pat Doe and Rep 1"
    assert w.outbox.jobs[1].payload["result"] == "event written"
    assert w.forgotten == ["rep1@acme.test"]  # its busy times are read afresh
    w.outbox.add(JobKind.CALENDAR_DELETE, "m1", T0)
    w.drain(T0)
    assert not w.calendar.events
    assert w.outbox.jobs[2].payload["result"] == "event removed"


def test_a_put_for_a_meeting_no_longer_booked_removes_it() -> None:
    w = world(replace(MEETING, status="cancelled"))
    w.calendar.events[("rep1@acme.test", "m1@leadrail")] = b"old"
    w.outbox.add(JobKind.CALENDAR_PUT, "m1", T0)
    w.drain(T0)
    assert not w.calendar.events


def test_a_built_in_calendar_needs_no_write() -> None:
    w = world(caldav=False)
    w.outbox.add(JobKind.CALENDAR_PUT, "m1", T0)
    w.drain(T0)
    assert w.outbox.jobs[1].payload["result"] == "built-in calendar: nothing to write"
    assert not w.forgotten


def test_a_calendar_server_that_is_down_is_retried() -> None:
    w = world()
    w.calendar.down = SendFailed("CalDAV: 503 Service Unavailable", retryable=True)
    w.outbox.add(JobKind.CALENDAR_PUT, "m1", T0)
    w.drain(T0)
    job = w.outbox.jobs[1]
    assert (job.status, job.last_error) == ("pending", "CalDAV: 503 Service Unavailable")
    assert w.forgotten == ["rep1@acme.test"]


def test_reps_read_the_workspaces_language() -> None:
    doc = booking_workspace()
    doc["language"] = "fr"
    w = World(doc)
    w.workspace.meetings["m1"] = replace(MEETING, timezone="America/New_York", locale="en")
    w.outbox.add(JobKind.INVITE, "m1", T0)
    w.drain(T0)
    prospect, team = w.mail.sent
    assert prospect["Subject"] == "Invitation: Intro call: Pat Doe and Rep 1"
    assert team["Subject"] == "Invitation : Intro call : Pat Doe et Rep 1"
    assert "Quand : mardi 1 décembre 2026, 08:00 (America/New_York)" in team.get_content()


def test_the_e_mail_carries_the_branding_and_escapes_what_prospects_typed() -> None:
    from leadrail.app.meetings.mail_text import invite_text
    from leadrail.app.workspace import BrandingDoc

    w = world(replace(MEETING, name="<b>Pat</b>", notes="<script>x()</script>"))
    invite = w.meeting_jobs.invite_of(w.workspace.meetings["m1"])
    brand = BrandingDoc(company_name="Acme & Co", accent_color="#0b7a75")
    words = invite_text(invite, "REQUEST", "en", brand, "https://book.acme.test/img/logo?v=1")
    assert words.subject.endswith(" · Acme & Co")
    assert words.text.rstrip().endswith("Acme & Co")
    assert '<img src="https://book.acme.test/img/logo?v=1" alt="Acme &amp; Co"' in words.html
    assert "color:#0b7a75" in words.html
    assert "<script>" not in words.html
    assert "&lt;script&gt;x()&lt;/script&gt;" in words.html
    assert "<b>Pat</b>" not in words.html
