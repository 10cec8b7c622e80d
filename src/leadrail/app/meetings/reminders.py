"""Reminders: per meeting type (``reminders_hours``, default 24 and 1), an e-mail to the
prospect and the rep that many hours before the meeting, through the outbox (a ``reminder``
job due at that time, enqueued with the booking). A cancelled or moved meeting's reminders
send nothing; a reminder whose time passed before the booking is not made."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from leadrail.app.meetings.invite import Invite, usable_email
from leadrail.app.outbox.jobs import JobKind
from leadrail.app.ports import Job, RouterSnapshot

DEFAULT_HOURS = (24, 1)


def reminder_jobs(
    snap: RouterSnapshot, meeting_id: str, start: datetime, now: datetime
) -> Iterator[Job]:
    if snap.meeting is None:
        return
    hours = DEFAULT_HOURS if snap.meeting.reminders_hours is None else snap.meeting.reminders_hours
    for h in sorted(set(hours), reverse=True):
        due = start - timedelta(hours=h)
        if due > now:
            yield Job(JobKind.REMINDER, meeting_id, {"hours": h}, not_before=due)


def reminder_message(invite: Invite, hours: int, *, sender: str, to: list[str]) -> EmailMessage:
    local = invite.start.astimezone(ZoneInfo(invite.tz))
    when = f"{local:%A %d %B %Y, %H:%M} ({invite.tz})"
    ahead = "tomorrow" if hours == 24 else f"in {hours} hour{'s' if hours != 1 else ''}"
    msg = EmailMessage()
    msg["Subject"] = f"Reminder: {invite.summary} {ahead}"
    msg["From"] = sender
    msg["To"] = ", ".join(a for a in to if usable_email(a))
    lines = [f"{invite.summary}", f"When: {when}"]
    if invite.location:
        lines.append(f"Where: {invite.location}")
    if invite.cancel_url:
        lines.append(f"\nCan't make it? Cancel: {invite.cancel_url}")
    if invite.reschedule_url:
        lines.append(f"Another time: {invite.reschedule_url}")
    msg.set_content("\n".join(lines) + "\n")
    return msg
