"""A rep's busy time: booked meetings, built-in busy blocks, and the rep's connected
calendar: CalDAV, Google or Microsoft 365 (cached for a short while so a page of slots does
not query the calendar server per rep per request; dropped when leadrail writes an event)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import text

from leadrail.adapters.db.database import Database
from leadrail.app.workspace import CalendarDoc

Intervals = list[tuple[datetime, datetime]]
RemoteBusy = Callable[[str, CalendarDoc, str, datetime, datetime], Intervals]  # rep, cal, tz
log = logging.getLogger(__name__)
REMOTE = frozenset({"caldav", "google", "microsoft"})


class BusyTimesRepo:
    """Implements the RepCalendars port (busy time: the database's and the connected
    calendar's)."""

    def __init__(
        self,
        db: Database,
        calendars: Callable[[], Mapping[str, tuple[CalendarDoc, str]]],
        remote: RemoteBusy | None,
        cache_seconds: float = 60.0,
    ) -> None:
        self.engine = db.engine
        self.sql = db.sql
        self.calendars = calendars  # the reps' calendar settings (the router catalog's)
        self.remote = remote
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, datetime, datetime, Intervals]] = {}
        self._errors: dict[str, str] = {}  # rep -> why their calendar could not be read
        self._lock = threading.Lock()

    def busy(self, rep: str, start: datetime, end: datetime) -> Intervals:
        sql = self.sql
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            a, b = sql.when(end), sql.when(start)
            cur.execute(sql.busy, (rep, a, b, rep, a, b))
            rows = cur.fetchall()
            cur.close()
            raw.rollback()
        finally:
            raw.close()
        out: Intervals = [(sql.parse_when(x), sql.parse_when(y)) for x, y in rows]
        return out + self.external_busy(rep, start, end)

    def meeting_starts(self, rep: str, start: datetime, end: datetime) -> list[datetime]:
        """Starts of the rep's booked meetings in [start, end) (for meeting caps)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT start FROM meetings WHERE rep = :rep AND status = 'booked' "
                     "AND start >= :lo AND start < :hi"),
                {"rep": rep, "lo": self.sql.when(start), "hi": self.sql.when(end)},
            ).all()  # fmt: skip
        return [self.sql.parse_when(r[0]) for r in rows]

    def external_busy(self, rep: str, start: datetime, end: datetime) -> Intervals:
        """The rep's connected calendar's busy time (no database connection)."""
        found = self.calendars().get(rep)
        if found is None or found[0].provider not in REMOTE or self.remote is None:
            return []
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(rep)
        if hit and hit[0] > now and hit[1] <= start and end <= hit[2]:
            return [(a, b) for a, b in hit[3] if a < end and b > start]
        # fetch a wider window once, so the next pages of slots come from the cache
        wide_start, wide_end = start - timedelta(days=1), max(end, start + timedelta(days=45))
        try:
            fetched = self.remote(rep, found[0], found[1], wide_start, wide_end)
        except Exception as e:  # the calendar server is down or refused us
            problem = str(e)[:500]
            with self._lock:
                known, self._errors[rep] = self._errors.get(rep), problem
            if known != problem:  # once per new problem, not per page of slots
                log.warning("calendar of %s unavailable: %s", rep, problem)
            if hit and getattr(e, "retryable", True):  # stale but known: better than nothing
                return [(a, b) for a, b in hit[3] if a < end and b > start]
            # unknown, or refused for good (a calendar disconnected): treat the rep as busy
            # rather than double-book
            return [(start, end)]
        with self._lock:
            self._cache[rep] = (now + self.cache_seconds, wide_start, wide_end, fetched)
            self._errors.pop(rep, None)
        return [(a, b) for a, b in fetched if a < end and b > start]

    def forget(self, rep: str) -> None:
        """Drop the cached remote busy time of a rep (after writing an event to it, or after
        they changed their calendar settings)."""
        with self._lock:
            self._cache.pop(rep, None)
            self._errors.pop(rep, None)

    def problem(self, rep: str) -> str | None:
        """Why the rep's calendar could not be read the last time it was asked (in this
        process), or None."""
        with self._lock:
            return self._errors.get(rep)
