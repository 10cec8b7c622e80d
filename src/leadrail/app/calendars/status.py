"""*Calendar connection status*: every rep's calendar, whatever its kind, with what is known
of it (connected, disconnected, the last read's problem), and a "test" that reads it now."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from leadrail.app.calendars.ports import (
    DISCONNECTED,
    PROVIDERS,
    CalendarProbe,
    Connection,
    ConnectionRepo,
)
from leadrail.app.errors import NotFound
from leadrail.app.ports import RepCalendars
from leadrail.app.workspace import CalendarDoc

Calendars = Mapping[str, tuple[CalendarDoc, str]]


@dataclass(frozen=True)
class CalendarStatus:
    user: str
    kind: str  # builtin | caldav | google | microsoft
    state: str  # ok | disconnected | not connected | problem | built-in
    detail: str


def one_status(
    user: str, cal: CalendarDoc | None, connection: Connection | None, problem: str | None
) -> CalendarStatus:
    kind = cal.provider if cal else "builtin"
    if kind == "builtin":
        return CalendarStatus(user, kind, "built-in", "leadrail's own calendar: nothing to read")
    if kind in PROVIDERS:
        if connection is None or connection.provider != kind:
            text = "no grant: connect it from My settings (no slots until then)"
            return CalendarStatus(user, kind, "not connected", text)
        if connection.status == DISCONNECTED:
            text = f"calendar disconnected: {connection.problem or ''}".strip()
            return CalendarStatus(user, kind, "disconnected", text)
    if problem:
        return CalendarStatus(user, kind, "problem", f"the last read failed: {problem}")
    where = (cal.url or "") if cal and kind == "caldav" else ""
    who = connection.account if connection and kind in PROVIDERS else None
    return CalendarStatus(user, kind, "ok", " ".join(x for x in (where, who or "") if x) or "ok")


def calendar_statuses(
    users: list[str],
    calendars: Calendars,
    repo: ConnectionRepo,
    problem: Callable[[str], str | None],
) -> list[CalendarStatus]:
    """One line per user (``users``: the workspace's, in its order)."""
    grants = {c.user: c for c in repo.connections()}
    return [
        one_status(u, calendars[u][0] if u in calendars else None, grants.get(u), problem(u))
        for u in users
    ]


def test_calendar(
    calendar: RepCalendars, probe: CalendarProbe, calendars: Calendars, user: str, now: datetime
) -> tuple[bool, str]:
    """Read ``user``'s calendar now, past the cache: (worked, what was found or why not).
    A failure is remembered as the calendar's problem (the status page shows it)."""
    found = calendars.get(user)
    if found is None or found[0].provider == "builtin":
        return True, "built-in calendar: nothing to read"
    calendar.forget(user)
    busy = calendar.external_busy(user, now, now + timedelta(days=7))
    problem = calendar.problem(user)
    if problem:
        return False, problem
    away = len(probe.away(user)) if found[0].provider in PROVIDERS else 0
    extra = f", {away} out of office" if away else ""
    return True, f"read: {len(busy)} busy period(s) in the next 7 days{extra}"


def require_user(users: list[str], user: str) -> str:
    user = user.strip().lower()
    if user not in users:
        raise NotFound(f"no user {user!r}", field="user")
    return user
