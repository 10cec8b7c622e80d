"""What the meeting jobs need from the world: the meetings they are about (and the routers:
``app.ports.Routers``), the
reps' calendar settings, iCalendar (``InviteFormat``) and the reps' CalDAV calendars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from typing import Protocol

from leadrail.app.meetings.invite import Invite, Method
from leadrail.app.ports import MeetingRow
from leadrail.app.workspace import CalendarDoc


class Meetings(Protocol):
    def meeting(self, meeting_id: str) -> MeetingRow | None: ...


class CalendarSettings(Protocol):
    def calendars(self) -> Mapping[str, tuple[CalendarDoc, str]]:
        """Each rep's calendar settings and time zone, by the rep's e-mail."""
        ...


class InviteFormat(Protocol):
    def message(
        self, invite: Invite, *, method: Method, sender: str, to: Sequence[str], subject: str,
        text: str, html: str | None = None,
    ) -> EmailMessage:  # fmt: skip
        """The invitation e-mail (text, HTML, and the iCalendar part); ValueError when it
        cannot be written."""
        ...

    def ics(self, invite: Invite, *, method: Method) -> bytes: ...


class CalendarWriter(Protocol):
    """A rep's CalDAV calendar (opened with the rep's settings); each call raises
    ``app.outbox.SendFailed`` ("CalDAV: ...") when the server did not take it."""

    def put_event(self, rep: str, calendar: CalendarDoc, tz: str, uid: str, ics: bytes) -> None:
        """Create the event ``uid`` or replace it."""
        ...

    def delete_event(self, rep: str, calendar: CalendarDoc, tz: str, uid: str) -> None:
        """Remove the event ``uid``; nothing happens if it is not there."""
        ...
