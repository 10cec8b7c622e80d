"""A rep's connected calendar over CalDAV (RFC 4791), through the ``caldav`` library.

``busy`` reads the calendar's events as busy time (recurrences expanded client-side by
caldav, free/TRANSPARENT and CANCELLED events left out, all-day and floating events read in
the rep's zone); ``put_event``/``delete_event`` keep the meetings leadrail booked in it.

The client is made on first use (nothing happens at construction) and shared under a lock:
the HTTP session is not meant for concurrent use. Every request goes through the outbound
guard (the URL is typed by a rep), redirects included. Every failure leaves as a
CalendarError that says whether trying again later can help.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from caldav.calendarobjectresource import Event as DavEvent
from caldav.collection import Calendar as DavCalendar
from caldav.davclient import DAVClient
from caldav.lib.error import DAVError, NotFoundError

from leadrail.adapters.outbound import Outbound, OutboundRefused

log = logging.getLogger(__name__)

Interval = tuple[datetime, datetime]

# HTTP statuses worth retrying: timeouts, conflicts with a concurrent writer, rate limits,
# and the server's own trouble. Anything else (auth, not found, bad request) needs a human.
_RETRYABLE_STATUS = frozenset({408, 412, 423, 425, 429})
PURPOSE = "CalDAV URL"  # how the outbound guard names it


@dataclass(frozen=True)
class CalDavSettings:
    url: str  # the calendar collection, e.g. https://dav.example.com/cal/ana/work/
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_seconds: float = 10.0
    timezone: str = "UTC"  # the rep's IANA zone: all-day and floating events are read in it

    def __repr__(self) -> str:
        return (
            f"CalDavSettings(url={_without_userinfo(self.url)!r}, username={self.username!r}, "
            f"timeout_seconds={self.timeout_seconds!r}, timezone={self.timezone!r})"
        )


class CalendarError(Exception):
    """The calendar server could not be used. ``retryable``: trying later may work
    (connection refused, timeout, 5xx, 429); otherwise it will not (401/403, 404, ...)."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class CalDavCalendar:
    def __init__(self, settings: CalDavSettings, outbound: Outbound | None = None) -> None:
        self._settings = settings
        self._outbound = outbound or Outbound()
        try:
            self._zone: tzinfo = ZoneInfo(settings.timezone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {settings.timezone!r}") from e
        self._lock = threading.Lock()
        self._client: DAVClient | None = None
        self._calendar: DavCalendar | None = None

    def __repr__(self) -> str:
        return f"CalDavCalendar({self._settings!r})"

    def busy(self, start: datetime, end: datetime) -> list[Interval]:
        """Aware UTC intervals of the events overlapping [start, end), sorted."""
        if start.utcoffset() is None or end.utcoffset() is None:
            raise ValueError("busy() needs timezone-aware datetimes")
        if end <= start:
            return []
        with self._session() as calendar:
            # Aware bounds in the rep's zone: caldav matches all-day events in that zone.
            found: Any = calendar.search(
                event=True,
                start=start.astimezone(self._zone),
                end=end.astimezone(self._zone),
                expand=True,
            )
        intervals = []
        for item in _listed(found):
            interval = self._interval(item.icalendar_component)
            if interval is not None and interval[0] < end and interval[1] > start:
                intervals.append(interval)
        return sorted(intervals)

    def put_event(self, uid: str, ics: bytes) -> None:
        """Create the event ``uid`` or replace it; ``ics`` is one VCALENDAR (a METHOD, as in
        an invitation, is dropped: stored calendar objects must not carry one)."""
        data = _stored_form(uid, ics)
        with self._session() as calendar:
            existing = _find(calendar, uid)
            if existing is None:
                # No URL: caldav makes one from the UID.
                DavEvent(client=calendar.client, parent=calendar).save(raw_data=data)
            else:
                existing.save(raw_data=data, increase_seqno=False)
        log.info("caldav stored event %s", uid)

    def delete_event(self, uid: str) -> None:
        """Remove the event ``uid``; nothing happens if it is not there."""
        with self._session() as calendar:
            existing = _find(calendar, uid)
            if existing is None:
                return
            try:
                existing.delete()
            except NotFoundError:
                return  # removed in between: gone is gone
        log.info("caldav deleted event %s", uid)

    def __enter__(self) -> CalDavCalendar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session, if one was opened; the next call opens a new one."""
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client = self._calendar = None

    @contextmanager
    def _session(self) -> Iterator[DavCalendar]:
        with self._lock:
            try:
                yield self._connect()
            except DAVError as e:
                status = e.status
                retryable = status is not None and (status in _RETRYABLE_STATUS or status >= 500)
                message = f"caldav {type(e).__name__} ({status}): {_reason(e)}"
                raise CalendarError(message, retryable=retryable, status=status) from e
            except OutboundRefused as e:
                raise CalendarError(str(e), retryable=False) from None
            except OSError as e:  # refused, reset, DNS, TLS, timeouts (niquests errors too)
                message = f"caldav unreachable: {type(e).__name__}: {e}"[:300]
                raise CalendarError(message, retryable=True) from e

    def _connect(self) -> DavCalendar:
        if self._calendar is None:
            settings = self._settings
            self._client = DAVClient(
                url=settings.url,
                username=settings.username,
                password=settings.password,
                timeout=math.ceil(settings.timeout_seconds),
                enable_rfc6764=False,  # the URL is the calendar itself: no DNS discovery
            )
            self._client.session.close()
            self._client.session = self._outbound.dav_session(PURPOSE)
            self._calendar = DavCalendar(client=self._client, url=settings.url)
        return self._calendar

    def _interval(self, component: Any) -> Interval | None:
        """A busy interval for one VEVENT occurrence, or None when it does not block time."""
        if not isinstance(component, icalendar.Event):
            return None
        if str(component.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            return None
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            return None
        try:
            begin, finish = self._utc(component.start), self._utc(component.end)
        except (icalendar.InvalidCalendar, icalendar.IncompleteComponent):
            log.warning("caldav: skipping an event without valid times")
            return None
        return (begin, finish) if finish > begin else None

    def _utc(self, value: date | datetime) -> datetime:
        """UTC instant of a DTSTART/DTEND: a date is local midnight, floating time local."""
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(), tzinfo=self._zone)
        elif value.utcoffset() is None:
            value = value.replace(tzinfo=self._zone)
        return value.astimezone(UTC)


def _find(calendar: DavCalendar, uid: str) -> DavEvent | None:
    try:
        found = calendar.get_event_by_uid(uid)
    except NotFoundError as e:
        if e.status is not None:  # an HTTP 404: the calendar itself is missing
            raise
        return None  # the search found no event with that UID
    if not isinstance(found, DavEvent):
        raise TypeError("caldav returned no event (is the client asynchronous?)")
    return found


def _reason(e: DAVError) -> str:
    """The first line of what the server said (caldav puts it in the first argument)."""
    text = e.reason if e.reason != DAVError.reason else str(e.args[0] if e.args else "")
    return text.strip().partition("\n")[0][:200]


def _listed(found: Any) -> list[DavEvent]:
    if not isinstance(found, list):
        raise TypeError("caldav returned no list (is the client asynchronous?)")
    return [item for item in found if isinstance(item, DavEvent)]


def _stored_form(uid: str, ics: bytes) -> bytes:
    """``ics`` without METHOD, after checking that every VEVENT in it is event ``uid``."""
    try:
        calendar = icalendar.Calendar.from_ical(ics)
    except ValueError as e:
        raise ValueError(f"not iCalendar data: {e}") from e
    events = calendar.walk("VEVENT")
    if not events or any(str(event.get("UID")) != uid for event in events):
        raise ValueError(f"the iCalendar data is not (only) event {uid!r}")
    calendar.pop("METHOD", None)
    data: bytes = calendar.to_ical()
    return data


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=f"***@{netloc}"))
