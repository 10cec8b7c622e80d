"""Turns given back: with ``give_back_turn_on: [cancel, no_show]`` on a router, a meeting of
that router that is cancelled (or marked a no-show) returns its rep's rotation turn in the
pool that chose them, under the router's lock, as long as the rotation's period has not
changed since (the next rotation's trace says so)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from leadrail.app.ports import MeetingRow, RoutingRepo
from leadrail.routing.distribution import give_back_turn
from leadrail.routing.model import PoolSpec, RouterSpec

Why = Literal["cancel", "no_show"]
_SAID = {"cancel": "meeting cancelled", "no_show": "no-show"}


def _pool(spec: RouterSpec, key: str) -> PoolSpec | None:
    for dest in (*(r.route for r in spec.rules), spec.default):
        if dest.pool is not None and dest.pool.key == key:
            return dest.pool
    return None


def give_back(repo: RoutingRepo, meeting: MeetingRow, why: Why, now: datetime) -> str | None:
    """The rep whose turn was returned, or None (not asked for by the router, the meeting
    was not a rotation's turn, the period changed, the rep left the pool)."""
    snap = repo.router(meeting.router)
    if snap is None or why not in snap.doc.give_back_turn_on or not meeting.decision_id:
        return None
    with repo.transaction(meeting.router, write=True) as tx:
        turn = tx.decision_turn(meeting.decision_id)
        if turn is None or turn[2] != meeting.rep:
            return None
        key, period, rep = turn
        pool = _pool(snap.spec, key)
        if pool is None:
            return None
        state = give_back_turn(tx.rotation([key]).get(key), pool, rep, _SAID[why], period)
        if state is None:
            return None
        tx.save_rotation(key, state)
    return rep
