"""Reps' connected calendars, whatever their kind: busy time for the booking pages (CalDAV,
Google, Microsoft 365), the out-of-office time the cloud calendars report (routing counts
it as vacation), the booked meetings' events in the cloud calendars (the outbox's
``calendar_put``/``calendar_delete`` jobs; CalDAV keeps its own writer) and the status
page's "test"."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol

from leadrail.adapters.calendar.caldav_access import CalDavAccess
from leadrail.adapters.calendar.caldav_calendar import CalendarError
from leadrail.adapters.db.calendar_connections_repo import SqlCalendarConnections
from leadrail.app.meetings.invite import Invite
from leadrail.app.outbox import SendFailed
from leadrail.app.workspace import CalendarDoc

Interval = tuple[datetime, datetime]
CLOUD = ("google", "microsoft")


class CloudApi(Protocol):
    provider: str

    def busy(
        self, rep: str, cal: CalendarDoc, tz: str, start: datetime, end: datetime
    ) -> tuple[list[Interval], list[Interval]]: ...

    def put_event(
        self, rep: str, invite: Invite, online: bool, known: str | None
    ) -> tuple[str, str | None]: ...

    def delete_event(self, rep: str, event_id: str) -> None: ...


class ConnectedCalendars:
    def __init__(
        self,
        caldav: CalDavAccess,
        apis: Mapping[str, CloudApi],
        connections: SqlCalendarConnections,
        on_away: Callable[[str, list[Interval]], None] | None = None,
    ) -> None:
        self.caldav = caldav
        self.apis = apis
        self.connections = connections
        self._away: dict[str, list[Interval]] = {}
        self._lock = threading.Lock()
        self.on_away = on_away  # routing counts out-of-office days as vacation

    # --- reading ------------------------------------------------------------------------
    def busy(
        self, rep: str, cal: CalendarDoc, tz: str, start: datetime, end: datetime
    ) -> list[Interval]:
        """The busy time of any connected calendar (``BusyTimesRepo``'s remote reader)."""
        if cal.provider == "caldav":
            return self.caldav.busy(rep, cal, tz, start, end)
        busy, away = self._api(cal).busy(rep, cal, tz, start, end)
        with self._lock:
            self._away[rep] = away
        if self.on_away is not None:
            self.on_away(rep, away)
        return busy

    def away(self, rep: str) -> list[Interval]:
        """The out-of-office time last read from the rep's cloud calendar (no I/O)."""
        with self._lock:
            return list(self._away.get(rep, ()))

    # --- writing (the outbox jobs) ------------------------------------------------------
    def put_event(
        self, rep: str, cal: CalendarDoc, meeting_id: str, invite: Invite, online: bool
    ) -> str:
        api = self._api(cal)
        known = self.connections.event(meeting_id)
        if known and known[0] != api.provider:  # the rep moved to another calendar
            self.delete_event(rep, meeting_id)
            known = None
        with _sending(api.provider):
            event_id, join = api.put_event(rep, invite, online, known[1] if known else None)
        self.connections.remember_event(meeting_id, api.provider, rep, event_id, join)
        return "event written" + (" (with an online meeting link)" if join else "")

    def delete_event(self, rep: str, meeting_id: str) -> str:
        known = self.connections.event(meeting_id)
        if known is None:
            return "no event was written: nothing to remove"
        api = self.apis[known[0]]
        with _sending(api.provider):
            api.delete_event(rep, known[1])
        self.connections.forget_event(meeting_id)
        return "event removed"

    def join_url(self, meeting_id: str) -> str | None:
        known = self.connections.event(meeting_id)
        return known[2] if known else None

    def _api(self, cal: CalendarDoc) -> CloudApi:
        api = self.apis.get(cal.provider)
        if api is None:
            raise CalendarError(f"no {cal.provider} calendar reader", retryable=False)
        return api


@contextmanager
def _sending(provider: str) -> Iterator[None]:
    """Calendar errors of a write become the outbox's SendFailed."""
    try:
        yield
    except CalendarError as e:
        raise SendFailed(f"{provider}: {e}", retryable=e.retryable) from None
