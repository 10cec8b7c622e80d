"""Reminders through the outbox and a real SMTP server: 24 h and 1 h before (the meeting
type's default), to the prospect and the rep, with the cancel and reschedule links; none for
a cancelled meeting; none due before its time; none made when its time passed already."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest

from leadrail.app.apply import apply_workspace
from leadrail.app.booking import book
from leadrail.app.cancel import cancel_meeting
from leadrail.app.outbox import drain
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.worker import runner_for
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace
from tests.integration.adapters.conftest import SmtpServer

TUESDAY_NINE = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 09:00 New York


@pytest.fixture
def c(sqlite_url: str, smtp_server: SmtpServer) -> Iterator[Container]:
    settings = Settings(database_url=sqlite_url, secret_key="r" * 32, worker=False,
                        smtp_host=smtp_server.host, smtp_port=smtp_server.port)  # fmt: skip
    container = bootstrap(settings)
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(container.workspace, booking_workspace())
    yield container
    container.close()


def _reminders(smtp: SmtpServer) -> list[tuple[list[str], str, str]]:
    out = []
    for env in smtp.inbox.envelopes:
        msg = message_from_bytes(env.content)  # type: ignore[arg-type]
        if str(msg["Subject"]).startswith("Reminder:"):
            body = msg.get_payload(decode=True).decode()  # type: ignore[union-attr]
            out.append((sorted(env.rcpt_tos), str(msg["Subject"]), body))
    return out


def test_reminders_go_24_hours_and_1_hour_before(c: Container, smtp_server: SmtpServer) -> None:
    now = c.clock.now()
    book(c.routing, c.calendar, "solo", {"email": "pat@x.test", "name": "Pat"}, TUESDAY_NINE, now)
    drain(c.outbox, runner_for(c), now)  # the invitation; no reminder yet
    assert _reminders(smtp_server) == []
    drain(c.outbox, runner_for(c), TUESDAY_NINE - timedelta(hours=24))
    (first,) = _reminders(smtp_server)
    assert first[0] == ["pat@x.test", "rep0@acme.test"]
    assert first[1] == "Reminder: Intro call: Pat and Rep 0 tomorrow"
    assert "When: Tuesday 01 December 2026, 09:00 (America/New_York)" in first[2]
    assert "/cancel" in first[2]
    assert "/reschedule" in first[2]
    drain(c.outbox, runner_for(c), TUESDAY_NINE - timedelta(minutes=59))
    second = _reminders(smtp_server)[1]
    assert second[1] == "Reminder: Intro call: Pat and Rep 0 in 1 hour"


def test_no_reminder_for_a_cancelled_meeting(c: Container, smtp_server: SmtpServer) -> None:
    now = c.clock.now()
    done = book(c.routing, c.calendar, "solo", {"email": "pat@x.test"}, TUESDAY_NINE, now)
    cancel_meeting(c.routing, done.meeting_id, now)
    drain(c.outbox, runner_for(c), TUESDAY_NINE - timedelta(minutes=30))
    assert _reminders(smtp_server) == []
    results = [j["result"] for j in c.outbox.jobs() if j["kind"] == "reminder"]
    assert results == ["meeting cancelled: no reminder"] * 2


def test_a_reminder_whose_time_passed_is_not_made(c: Container) -> None:
    now = c.clock.now()  # Monday 08:00, the meeting at 11:00: 24 h before is in the past
    book(c.routing, c.calendar, "solo", {"email": "pat@x.test"}, now + timedelta(hours=3), now)
    assert [j["kind"] for j in c.outbox.jobs()].count("reminder") == 1  # 1 h before, not 24 h
