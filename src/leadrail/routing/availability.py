"""Why a user cannot take a prospect now: one answer, in one order, for every part of the
engine that passes users over (owners, pool members, a route's one user, broadcast groups).

The order, first reason wins: not a leadrail user, inactive, on vacation, at cap,
offline. A user on vacation is usually offline too; "on vacation" is the reason that tells an
admin more. A cap (meetings a day or a week, form leads a day: the user's, or the router's
override) is checked only when the application counted the load (``CapCheck``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from leadrail.routing.model import Caps, Load, UserInfo
from leadrail.routing.periods import AwayCheck

NOT_A_USER = "not a leadrail user"
INACTIVE = "inactive"
ON_VACATION = "on vacation"
OFFLINE = "offline"
CAP_REACHED = "at cap"


@dataclass(frozen=True, slots=True)
class CapCheck:
    """The load of each user (counted by the application) and the router's caps."""

    load: Mapping[str, Load]
    router: Caps | None = None

    def __call__(self, info: UserInfo) -> str | None:
        """ "at cap: 3 of 3 meetings today" (the first cap reached), or None."""
        caps = self.router.over(info.caps) if self.router else info.caps
        if caps is None:
            return None
        load = self.load.get(info.email, _NONE)
        for cap, have, what in (
            (caps.meetings_per_day, load.meetings_day, "meetings today"),
            (caps.meetings_per_week, load.meetings_week, "meetings this week"),
            (caps.leads_per_day, load.leads_day, "form leads today"),
        ):
            if cap is not None and have >= cap:
                return f"{CAP_REACHED}: {have} of {cap} {what}"
        return None


_NONE = Load()


def why_unavailable(
    info: UserInfo | None,
    away: AwayCheck,
    *,
    require_online: bool = True,
    capped: CapCheck | None = None,
) -> str | None:
    """Why this user cannot take a prospect at ``away.now`` (None when they can). Presence
    counts only when it is known (``online is False``: live routing) and ``require_online``."""
    if info is None:
        return NOT_A_USER
    if not info.active:
        return INACTIVE
    # a user with no vacations in a timezone already worked out is not away (no call)
    if (info.vacations or info.timezone not in away.dates) and away(info):
        return ON_VACATION
    if capped is not None and (reason := capped(info)) is not None:
        return reason
    if require_online and info.online is False:
        return OFFLINE
    return None
