"""*Calendar connection status*: every rep's calendar, whatever its kind, with what is known
of it (connected, disconnected, the last read's problem), and a "test" that reads it now."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from leadrail.app.calendars.ports import (
    DISCONNECTED,
    PROVIDERS,
    CalendarProbe,
    Connection,
    ConnectionRepo,
)
from leadrail.app.errors import NotFound
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
    probe: CalendarProbe,
    calendars: Calendars,
    user: str,
    now: datetime,
    forget: Callable[[str], None],
) -> tuple[bool, str]:
    """Read ``user``'s calendar now: (worked, what was found or why not)."""
    found = calendars.get(user)
    if found is None or found[0].provider == "builtin":
        return True, "built-in calendar: nothing to read"
    cal, tz = found
    forget(user)  # the next page of slots reads it again too
    try:
        return True, probe.test(user, cal, tz, now)
    except Exception as e:  # the reason is what the admin needs
        return False, str(e)[:500] or type(e).__name__


def require_user(users: list[str], user: str) -> str:
    user = user.strip().lower()
    if user not in users:
        raise NotFound(f"no user {user!r}", field="user")
    return user
