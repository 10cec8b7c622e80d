"""Cancel a booked meeting: free the slot, tell everyone, remove the calendar event."""

from __future__ import annotations

from datetime import datetime

from leadrail.app.errors import NotFound
from leadrail.app.outbox.jobs import JobKind
from leadrail.app.ports import BookingRepo, Job


def cancel_meeting(store: BookingRepo, meeting_id: str, now: datetime) -> bool:
    """True when this call cancelled it; False when it was already cancelled."""
    meeting = store.meeting(meeting_id)
    if meeting is None:
        raise NotFound(f"no meeting {meeting_id!r}", field="meeting_id")
    with store.booking(meeting.rep) as tx:
        if not tx.cancel_meeting(meeting_id, now):
            return False
        tx.enqueue(Job(JobKind.INVITE, meeting_id, {"method": "CANCEL"}), now)
        tx.enqueue(Job(JobKind.CALENDAR_DELETE, meeting_id), now)
    return True
