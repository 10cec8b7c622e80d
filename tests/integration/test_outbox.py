"""Invites survive a mail server that is down: the booking stands, the job is retried with
backoff, delivered once when the server is back, and failures are visible."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from leadrail.app.apply import apply_workspace
from leadrail.app.booking import book
from leadrail.app.outbox import MAX_ATTEMPTS, drain
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.worker import runner_for
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace
from tests.support.net import free_port

NINE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


class Inbox:
    def __init__(self, answer: str = "250 OK") -> None:
        self.answer = answer
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.answer.startswith("250"):
            self.messages.append(email.message_from_bytes(envelope.content))
        return self.answer


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    port = free_port()
    container = bootstrap(
        Settings(
            database_url=db_url,
            secret_key="s" * 32,
            worker=False,
            smtp_port=port,
            mail_from="bookings@acme.test",
        )
    )
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(container.workspace, booking_workspace())
    yield container
    container.close()


def invites(c: Container) -> list[dict[str, Any]]:
    return [j for j in c.outbox.jobs() if j["kind"] == "invite"]


def test_smtp_down_then_back_delivers_once(c: Container) -> None:
    runner = runner_for(c)
    now = c.clock.now()
    done = book(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, NINE, now)
    drain(c.outbox, runner, now)  # nothing listens on the SMTP port
    (job,) = invites(c)
    assert job["status"] == "pending"
    assert job["attempts"] == 1
    assert "SMTP" in job["last_error"]
    assert c.routing.meeting(done.meeting_id) is not None  # the booking stands
    assert drain(c.outbox, runner, now) == 0  # not due yet: backoff
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=c.settings.smtp_port)
    server.start()
    try:
        later = now + timedelta(seconds=5)
        drain(c.outbox, runner, later)
        drain(c.outbox, runner, later + timedelta(hours=1))
    finally:
        server.stop()
    (job,) = invites(c)
    assert job["status"] == "done"
    assert job["attempts"] == 2
    assert len(inbox.messages) == 1  # delivered once, not again
    assert inbox.messages[0]["To"] == "pat@example.test, rep0@acme.test, guest@partner.test"


def test_a_permanent_refusal_fails_at_once_and_is_visible(c: Container) -> None:
    inbox = Inbox("550 5.1.1 mailbox unavailable")
    server = Controller(inbox, hostname="127.0.0.1", port=c.settings.smtp_port)
    server.start()
    try:
        book(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, NINE, c.clock.now())
        drain(c.outbox, runner_for(c), c.clock.now())
    finally:
        server.stop()
    (job,) = c.outbox.jobs(status="failed")
    assert job["kind"] == "invite"
    assert "550" in job["last_error"]


def test_past_the_budget_an_invite_waits_and_is_retried_until_the_meeting_is_over(
    c: Container,
) -> None:
    next_week = NINE + timedelta(days=7)
    book(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, next_week, c.clock.now())
    runner = runner_for(c)
    when = c.clock.now()
    for _ in range(MAX_ATTEMPTS):
        drain(c.outbox, runner, when)
        when += timedelta(minutes=10)  # beyond every backoff of the budget
    (job,) = invites(c)
    assert job["status"] == "waiting"  # the budget is spent; the invite is not given up
    assert job["attempts"] == MAX_ATTEMPTS
    assert drain(c.outbox, runner, when + timedelta(minutes=30)) == 0  # hourly now
    drain(c.outbox, runner, when + timedelta(hours=1))
    (job,) = invites(c)
    assert (job["status"], job["attempts"]) == ("waiting", MAX_ATTEMPTS + 1)
    drain(c.outbox, runner, next_week + timedelta(hours=1))  # the meeting is over
    (job,) = invites(c)
    assert job["status"] == "failed"
    assert "the meeting is over" in job["last_error"]


def test_a_job_claimed_by_a_dead_worker_runs_again_after_its_lease(c: Container) -> None:
    book(c.routing, c.calendar, "solo", {"email": "pat@example.test"}, NINE, c.clock.now())
    now = c.clock.now()
    claimed = c.outbox.claim(now, 10, now + timedelta(minutes=5))
    assert len(claimed) == 2
    for job in claimed:  # the worker dies: its database session (or file lock) goes with it
        c.outbox.release(job)
    assert c.outbox.claim(now + timedelta(minutes=1), 10, now) == []  # still leased
    again = c.outbox.claim(now + timedelta(minutes=6), 10, now + timedelta(minutes=11))
    assert sorted(j.kind for j in again) == ["calendar_put", "invite"]
    for job in again:
        c.outbox.release(job)
