"""A booking whose every field holds CR, LF and tabs still gets its invitation out: the edge
refuses such one-line fields now, but a meeting stored before (or a builder's other caller)
must not make the invite job fail for ever. Headers come out one line; the body and the
iCalendar description keep the notes' lines (escaped in the .ics)."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from leadrail.app.apply import apply_workspace
from leadrail.app.booking import book
from leadrail.app.outbox import drain
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.worker import runner_for
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace
from tests.integration.edge.support import edge_app
from tests.support.net import free_port

NINE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
HOSTILE = {
    "email": "pat@example.test",
    "name": "Pat\r\nBcc: evil@x.test\tSmith",
    "company": "Acme\nX-Evil: 1",
    "utm_source": "news\rletter",
}
NOTES = "first line\r\nsecond\tline\nBcc: evil@x.test"


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    container = bootstrap(
        Settings(
            database_url=db_url,
            secret_key="s" * 32,
            worker=False,
            smtp_port=free_port(),
            mail_from="bookings@acme.test",
        )
    )
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(container.workspace, booking_workspace())
    yield container
    container.close()


def test_line_breaks_in_every_field_still_deliver_the_invite(c: Container) -> None:
    now = c.clock.now()
    book(c.routing, c.calendar, "solo", HOSTILE, NINE, now, notes=NOTES)  # as stored earlier
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=c.settings.smtp_port)
    server.start()
    try:
        drain(c.outbox, runner_for(c), now)
    finally:
        server.stop()
    (job,) = [j for j in c.outbox.jobs() if j["kind"] == "invite"]
    assert job["status"] == "done", job["last_error"]
    (recipients, raw) = inbox.received[0]
    assert sorted(recipients) == ["guest@partner.test", "pat@example.test", "rep0@acme.test"]
    header_block = raw.split(b"\r\n\r\n", 1)[0].decode()
    for line in header_block.split("\r\n"):
        assert not line.lower().startswith(("bcc:", "x-evil:")), line
    message = email.message_from_bytes(raw, policy=policy.default)
    subject = str(message["Subject"])
    assert not any(ch in subject for ch in "\r\n\t")
    assert "Pat Bcc: evil@x.test Smith" in subject
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_content()
    assert "first line\nsecond\tline\nBcc: evil@x.test" in text.replace("\r\n", "\n")
    ics = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    event = next(iter(Calendar.from_ical(ics.get_content()).walk("VEVENT")))
    assert "\n" not in str(event["SUMMARY"])
    assert "first line\nsecond\tline" in str(event["DESCRIPTION"])
    attendee = next(a for a in event["ATTENDEE"] if "pat@example.test" in str(a))
    assert attendee.params["CN"] == "Pat Bcc: evil@x.test Smith"


def test_the_edge_refuses_line_breaks_in_one_line_fields_but_not_in_notes(db_url: str) -> None:
    with edge_app(db_url) as (_, client, _token):
        base = {"router": "solo", "start": "2026-11-30T14:00:00Z"}
        r = client.post("/api/v1/bookings", json={**base, "prospect": HOSTILE})
        assert (r.status_code, r.json()["error"]["field"]) == (422, "prospect.name")
        r = client.post(
            "/api/v1/bookings",
            json={**base, "prospect": {"email": "pat@example.test", "name": "Pat"}, "notes": NOTES},
        )
        assert r.status_code == 201, r.text
