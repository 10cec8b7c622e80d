"""The router catalog: the workspace's routers ready for the engine, built once per revision.

Routing reads a router from here on every request, without I/O while the snapshot is current.
A decision re-checks the revision inside its own transaction (``route_prospect``) and asks for
that revision when it moved on; a save in this process drops the snapshot (``forget``)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from leadrail.app.calendars.away import away_days
from leadrail.app.ports import RouterSnapshot
from leadrail.app.specs import router_spec, user_info
from leadrail.app.workspace import BrandingDoc, CalendarDoc, WorkspaceDoc
from leadrail.routing.model import Vacation

Calendars = Mapping[str, tuple[CalendarDoc, str]]  # rep -> (calendar settings, timezone)
Away = Mapping[str, tuple[Vacation, ...]]  # rep -> days out of office (their cloud calendar)


class WorkspaceReader(Protocol):
    """The part of the workspace repo the catalog reads."""

    def revision(self) -> int: ...

    def load_revision(self, *, include_crm: bool = True) -> tuple[int, WorkspaceDoc]: ...


@dataclass(frozen=True)
class Snapshot:
    """Every router of the workspace at one revision, and the reps' calendars."""

    revision: int
    routers: Mapping[str, RouterSnapshot]
    calendars: Calendars
    branding: BrandingDoc = field(default_factory=BrandingDoc)


def snapshot(revision: int, doc: WorkspaceDoc, away: Away | None = None) -> Snapshot:
    users = {u.email: user_info(u, doc.timezone) for u in doc.users or []}
    for rep, days in (away or {}).items():  # out of office in their cloud calendar
        if rep in users and days:
            users[rep] = replace(users[rep], vacations=(*users[rep].vacations, *days))
    lists = {x.name: frozenset(x.values) for x in doc.lists or []}
    meetings = {m.slug: m for m in doc.meeting_types or []}
    user_docs = {u.email: u for u in doc.users or []}
    routers = {
        r.slug: RouterSnapshot(
            revision,
            r,
            router_spec(r, doc),
            users,
            lists,
            meetings.get(r.meeting_type) if r.meeting_type else None,
            user_docs,
            doc.branding,
            doc.language,
        )
        for r in doc.routers or []
    }
    calendars = {
        u.email: (u.calendar, u.timezone or doc.timezone)
        for u in doc.users or []
        if u.calendar is not None
    }
    return Snapshot(revision, routers, calendars, doc.branding)


class RouterCatalog:
    def __init__(self, workspace: WorkspaceReader) -> None:
        self._workspace = workspace
        self._current: Snapshot | None = None
        self._lock = threading.Lock()
        self._away: dict[str, tuple[Vacation, ...]] = {}

    def set_away(self, rep: str, intervals: Sequence[tuple[datetime, datetime]]) -> None:
        """The rep's out-of-office time, as just read from their cloud calendar: the days it
        covers count as vacation. The snapshot is rebuilt only when those days change."""
        found = self.calendars().get(rep)
        days = away_days(intervals, found[1] if found else "UTC")
        with self._lock:
            if self._away.get(rep, ()) == days:
                return
            self._away[rep] = days
        self.forget()

    def router(self, slug: str, *, revision: int | None = None) -> RouterSnapshot | None:
        """The router, from the snapshot. The snapshot is rebuilt when ``revision`` (read by
        the caller's transaction) differs from it, or when the slug is unknown to it and the
        workspace has moved on (a router created by another process)."""
        cached = self._current
        if cached is not None and (revision is None or cached.revision == revision):
            found = cached.routers.get(slug)
            if found is not None or cached.revision == self._workspace.revision():
                return found
        return self._rebuilt(revision).routers.get(slug)

    def routers(self) -> list[RouterSnapshot]:
        """Every router of the current workspace (checks the revision: one query)."""
        cached = self._current
        if cached is None or cached.revision != self._workspace.revision():
            cached = self._rebuilt(None)
        return list(cached.routers.values())

    def calendars(self) -> Calendars:
        """The reps' connected calendars and timezones, from the snapshot (built when there is
        none yet; no I/O otherwise: this runs for every rep on every page of slots)."""
        cached = self._current
        return (cached or self._rebuilt(None)).calendars

    def branding(self) -> BrandingDoc:
        """The workspace's company name and accent colour (checks the revision: one query)."""
        cached = self._current
        if cached is None or cached.revision != self._workspace.revision():
            cached = self._rebuilt(None)
        return cached.branding

    def forget(self) -> None:
        """The workspace was saved: the next read builds a new snapshot (a rebuild under way
        finishes first, so it cannot put back what it read before the save)."""
        with self._lock:
            self._current = None

    def _rebuilt(self, revision: int | None) -> Snapshot:
        with self._lock:
            cached = self._current
            if cached is None or cached.revision != (revision or self._workspace.revision()):
                cached = snapshot(
                    *self._workspace.load_revision(include_crm=False), dict(self._away)
                )
                self._current = cached
        return cached
