"""Bookings: meetings, the rep's lock, jobs for the outbox, the reps' busy time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from leadrail.app.outbox.jobs import JobKind

if TYPE_CHECKING:
    from leadrail.app.ports.routing import LedgerRow


@dataclass(frozen=True)
class MeetingRow:
    id: str
    router: str
    rep: str
    start: datetime
    end: datetime
    status: str
    email: str
    name: str
    notes: str
    guests: list[str]
    location: str | None
    sequence: int
    decision_id: str | None
    meeting_type: str | None
    timezone: str | None = None  # the prospect's, when they booked on the page
    locale: str | None = None  # the prospect's language (en, de, fr, es)


@dataclass(frozen=True)
class NewMeeting:
    id: str
    router: str
    rep: str
    start: datetime
    end: datetime
    email: str
    name: str
    notes: str
    guests: list[str]
    location: str | None
    prospect: Mapping[str, Any]
    decision_id: str | None
    meeting_type: str | None
    timezone: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class Job:
    kind: JobKind
    ref: str  # the meeting's id
    payload: Mapping[str, Any] = field(default_factory=dict)
    not_before: datetime | None = None  # not run before this (a reminder's time)


class SlotTaken(Exception):
    """The chosen time is no longer free for that rep."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BookingTransaction(Protocol):
    """Holds the rep's lock: no other booking for that rep commits in between."""

    def busy_between(
        self, rep: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        """The rep's booked meetings and busy blocks, read in this transaction (on its own
        connection: a transaction never asks the pool for a second one)."""
        ...

    def insert_meeting(self, meeting: NewMeeting, now: datetime) -> None: ...

    def assigned_between(
        self, kind: Literal["meetings", "leads"], reps: Sequence[str], start: datetime,
        end: datetime,
    ) -> list[tuple[str, datetime]]:  # fmt: skip
        """(rep, when) of booked meetings starting, or form leads given, in [start, end)."""
        ...

    def cancel_meeting(self, meeting_id: str, now: datetime) -> bool: ...

    def enqueue(self, job: Job, now: datetime) -> None: ...


class BookingRepo(Protocol):
    def booking(self, rep: str) -> AbstractContextManager[BookingTransaction]: ...

    def meeting(self, meeting_id: str) -> MeetingRow | None: ...

    def record_click(
        self,
        router: str,
        email: str,
        decision_id: str | None,
        utm: Mapping[str, str],
        now: datetime,
    ) -> None: ...

    def latest_decision(self, router: str, email: str, since: datetime) -> LedgerRow | None: ...


class BusyCalendar(Protocol):
    """Busy time of a rep as aware UTC intervals: booked meetings, the built-in calendar's
    blocks and the rep's connected calendar (CalDAV, cached briefly)."""

    def busy(self, rep: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]: ...

    def external_busy(
        self, rep: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        """Only the rep's connected calendar (no database): what a booking reads before it
        takes its lock, to check inside it with the database's busy time."""
        ...


class RepCalendars(BusyCalendar, Protocol):
    """Busy time, and what is known of each rep's connected calendar."""

    def forget(self, rep: str) -> None:
        """Drop what is cached of the rep's calendar (after its settings changed)."""
        ...

    def problem(self, rep: str) -> str | None:
        """Why the rep's calendar could not be read the last time it was asked, or None."""
        ...
