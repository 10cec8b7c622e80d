"""Invites and parsing helpers shared by the adapter tests."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from typing import Any

import icalendar

from leadrail.adapters.calendar.ics import Invite

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 11:00 in New York (EDT since March 8)
END = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)


def an_invite(**changes: Any) -> Invite:
    invite = Invite(
        uid="meeting-1@leadrail.test",
        sequence=0,
        start=START,
        end=END,
        tz="America/New_York",
        summary="Intro call: Acme <> Ana",
        description="Notes from Ana: we have 40 reps; budget, Q3.",
        location="https://meet.example.test/abc",
        organizer_name="Bo Rep",
        organizer_email="bo@acme.test",
        attendees=(("Ana Prospect", "ana@prospect.test"), ("Cy Guest", "cy@prospect.test")),
        cancel_url="https://leadrail.test/m/1/cancel?t=abc",
        reschedule_url="https://leadrail.test/m/1/reschedule?t=abc",
    )
    return replace(invite, **changes)


def parse_ics(data: bytes | str) -> icalendar.Calendar:
    calendar = icalendar.Calendar.from_ical(data)
    assert isinstance(calendar, icalendar.Calendar)
    return calendar


def only_event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, icalendar.Event)
    return event


def parse_mail(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def part(message: Message, content_type: str) -> EmailMessage:
    found = [p for p in message.walk() if p.get_content_type() == content_type]
    assert len(found) == 1, f"{len(found)} {content_type} parts"
    assert isinstance(found[0], EmailMessage)
    return found[0]
