"""Reps' CalDAV calendars as leadrail opens them: busy times for booking pages, and the
events the outbox writes (``app.meetings.ports.CalendarWriter``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from leadrail.adapters.calendar.caldav_calendar import CalDavCalendar, CalDavSettings, CalendarError
from leadrail.adapters.credentials import (
    CredentialBox,
    CredentialRefused,
    CredentialUnreadable,
    env_credential,
)
from leadrail.adapters.outbound import Outbound
from leadrail.app.outbox import SendFailed
from leadrail.app.workspace import CalendarDoc


@dataclass(frozen=True)
class CalDavAccess:
    """Opens reps' CalDAV calendars: with the password the rep typed (kept encrypted, bound
    to the rep and the server) or the one an admin named (LEADRAIL_CRED_...), every request
    through the outbound guard."""

    credentials: CredentialBox
    outbound: Outbound
    timeout: float = 10.0

    def password(self, rep: str, cal: CalendarDoc) -> str | None:
        try:
            if cal.password_encrypted:
                return self.credentials.open(cal.password_encrypted, rep, cal.url or "")
            return env_credential(cal.password_env, "calendar.password_env")
        except (CredentialUnreadable, CredentialRefused) as e:
            raise CalendarError(f"CalDAV password: {e}", retryable=False) from None

    def calendar(self, rep: str, cal: CalendarDoc, tz: str) -> CalDavCalendar:
        """A CalDAV client for one rep (``tz``: the rep's zone, for all-day events)."""
        settings = CalDavSettings(
            url=cal.url or "",
            username=cal.username,
            password=self.password(rep, cal),
            timeout_seconds=self.timeout,
            timezone=tz,
        )
        return CalDavCalendar(settings, self.outbound)

    def busy(
        self, rep: str, cal: CalendarDoc, tz: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        with self.calendar(rep, cal, tz) as client:
            return client.busy(start, end)

    def put_event(self, rep: str, calendar: CalendarDoc, tz: str, uid: str, ics: bytes) -> None:
        with self._writing(rep, calendar, tz) as client:
            client.put_event(uid, ics)

    def delete_event(self, rep: str, calendar: CalendarDoc, tz: str, uid: str) -> None:
        with self._writing(rep, calendar, tz) as client:
            client.delete_event(uid)

    @contextmanager
    def _writing(self, rep: str, calendar: CalendarDoc, tz: str) -> Iterator[CalDavCalendar]:
        try:
            with self.calendar(rep, calendar, tz) as client:
                yield client
        except CalendarError as e:
            raise SendFailed(f"CalDAV: {e}", retryable=e.retryable) from None
