"""Why a user cannot take a prospect now: one answer, in one order, for every part of the
engine that passes users over (owners, pool members, a route's one user, broadcast groups).

The order, first reason wins: not a leadrail user, inactive, on vacation, offline. A user on
vacation is usually offline too; "on vacation" is the reason that tells an admin more."""

from __future__ import annotations

from leadrail.routing.model import UserInfo
from leadrail.routing.periods import AwayCheck

NOT_A_USER = "not a leadrail user"
INACTIVE = "inactive"
ON_VACATION = "on vacation"
OFFLINE = "offline"


def why_unavailable(
    info: UserInfo | None, away: AwayCheck, *, require_online: bool = True
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
    if require_online and info.online is False:
        return OFFLINE
    return None
