"""Who in a pool gets the next prospect: recent-assignment memory, meeting credits, then a
weighted rotation over integer "currents" (``PoolState.current``).

Rotation. Each member's ``current`` is ``W`` times how far it is behind its weighted share
(``n*w/W - a``). For an assignment every *participating* member's current grows by its weight;
the chosen member's drops by ``W``, the sum of participating weights. Which eligible member is
chosen: the one *due first*. With ``k`` participants and ``D = 2(k-1)``, a member is due when it
is at least ``1/D`` of an assignment behind (``D*current >= W``); among those due, the one whose
lag would first exceed ``1 - 1/D`` at its own pace wins (smallest ``(W(D-1)/D - current)/w``;
ties: pool order); if nobody eligible is due, the same order among all eligible members.
This earliest-deadline order keeps every member within ``1 - 1/D < 1`` of its exact share
``n*w/W`` after every assignment when everyone is eligible (Tijdeman's bound), which the plain
"largest current" rule (nginx's smooth weighted round robin) only gets to ``<= 1`` plus a bit.

Participating: weight > 0, a known active user, and not on vacation unless vacation
compensation is on (then the vacationer keeps accruing and catches up when back; with it off its
current is frozen while away). Eligible: participating, not on vacation, and, for flexible
pools only, in ``ctx.available`` when that is given (strict pools ignore calendar availability).
Members of a flexible pool who are busy at the slot keep accruing, so the next slot favours
them. Currents restart at 0 when the stored state belongs to an earlier reset period.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from leadrail.routing.model import PoolSpec, PoolState, RoutingContext, TraceStep, UserInfo, Via
from leadrail.routing.periods import away_check


@dataclass(frozen=True, slots=True)
class PoolChoice:
    """The pool's pick. ``new_state`` is None when the rotation state did not change
    (memory, credit, nobody eligible)."""

    assignee: str | None
    via: Via
    new_state: PoolState | None
    credit_spent: str | None
    trace: tuple[TraceStep, ...]


@dataclass(slots=True)
class _Seat:
    """One member's standing for this assignment."""

    user: str
    weight: int
    participating: bool
    eligible: bool
    credits: int
    reason: str | None  # why it is not eligible


def choose_from_pool(
    pool: PoolSpec,
    ctx: RoutingContext,
    *,
    period: str,
    now: datetime,
    tz: str,
    compensation: bool,
) -> PoolChoice:
    """Pick the pool member for this prospect: memory, then credits, then rotation."""
    name = pool.team or pool.key
    away = away_check(now, tz)
    available = ctx.available if pool.round_robin == "flexible" else None
    seats = [
        _seat(m.user, m.weight, ctx.users.get(m.user), away, available, compensation)
        for m in pool.members
    ]
    trace: list[TraceStep] = []
    remembered = _remembered(name, seats, ctx.recent_assignee, trace)
    if remembered is not None:
        return PoolChoice(remembered, "memory", None, None, tuple(trace))
    currents = _currents(pool, ctx.rotation.get(pool.key), period, trace)
    eligible = [s for s in seats if s.eligible]
    skipped = _skipped(seats)
    if not eligible:
        detail = f"pool {name}: nobody is eligible" + (f" (skipped {skipped})" if skipped else "")
        trace.append(TraceStep("rotation", "empty", detail, {"pool": pool.key}))
        return PoolChoice(None, "none", None, None, tuple(trace))
    with_credits = [s for s in eligible if s.credits > 0]
    if with_credits:
        seat = max(with_credits, key=lambda s: currents.get(s.user, 0) + s.weight)
        detail = (
            f"pool {name}: {seat.user} has {_credits(seat.credits)}: assigned "
            "ahead of the rotation, one credit spent"
        )
        trace.append(TraceStep("credit", "chosen", detail, {"pool": pool.key, "user": seat.user}))
        return PoolChoice(seat.user, "credit", None, seat.user, tuple(trace))
    return _rotate(pool, name, seats, currents, period, skipped, trace)


def _seat(
    user: str,
    weight: int,
    info: UserInfo | None,
    away: Callable[[UserInfo], bool],
    available: frozenset[str] | None,
    compensation: bool,
) -> _Seat:
    if info is None:
        return _Seat(user, weight, False, False, 0, "not a leadrail user")
    if not info.active:
        return _Seat(user, weight, False, False, 0, "inactive")
    if weight <= 0:
        return _Seat(user, weight, False, False, 0, "paused")
    if away(info):
        return _Seat(user, weight, compensation, False, 0, "on vacation")
    if available is not None and user not in available:
        return _Seat(user, weight, True, False, 0, "not available at the slot")
    return _Seat(user, weight, True, True, info.credits, None)


def _remembered(
    name: str, seats: Sequence[_Seat], recent: str | None, trace: list[TraceStep]
) -> str | None:
    if not recent:
        return None
    seat = next((s for s in seats if s.user == recent), None)
    if seat is None:
        detail = f"recent assignee {recent} is not a member of pool {name}"
        trace.append(TraceStep("memory", "skipped", detail, {"user": recent}))
        return None
    if not seat.eligible:
        detail = f"pool {name}: recent assignee {recent} is {seat.reason}: using the rotation"
        trace.append(TraceStep("memory", "skipped", detail, {"user": recent}))
        return None
    detail = f"pool {name}: {recent} had this prospect recently: same rep again"
    trace.append(TraceStep("memory", "chosen", detail, {"user": recent}))
    return recent


def _currents(
    pool: PoolSpec, state: PoolState | None, period: str, trace: list[TraceStep]
) -> dict[str, int]:
    if state is None:
        return {}
    if state.period != period:
        detail = (
            f"pool {pool.team or pool.key}: new period {period} "
            f"(was {state.period}): counts restart"
        )
        trace.append(TraceStep("reset", "restarted", detail, {"pool": pool.key}))
        return {}
    return dict(state.current)


def _rotate(
    pool: PoolSpec,
    name: str,
    seats: Sequence[_Seat],
    currents: dict[str, int],
    period: str,
    skipped: str,
    trace: list[TraceStep],
) -> PoolChoice:
    participants = [s for s in seats if s.participating]
    total = sum(s.weight for s in participants)
    for s in participants:
        currents[s.user] = currents.get(s.user, 0) + s.weight
    chosen = _due_first([s for s in seats if s.eligible], currents, total, len(participants))
    deficit = currents[chosen.user] / total
    currents[chosen.user] -= total
    kept = {s.user: currents[s.user] for s in seats if currents.get(s.user, 0) != 0}
    detail = f"pool {name}: {chosen.user} was furthest behind its weighted share"
    detail += f" (deficit {deficit:.1f})" + (f"; skipped {skipped}" if skipped else "")
    data = {"pool": pool.key, "user": chosen.user, "deficit": round(deficit, 3)}
    trace.append(TraceStep("rotation", "chosen", detail, data))
    return PoolChoice(chosen.user, "rotation", PoolState(period, kept), None, tuple(trace))


def _due_first(eligible: Sequence[_Seat], current: Mapping[str, int], total: int, k: int) -> _Seat:
    """The eligible member due first (see the module docstring); ties: pool order."""
    d = max(2 * (k - 1), 1)
    due = [s for s in eligible if d * current[s.user] >= total] or list(eligible)
    best = due[0]
    for seat in due[1:]:
        # deadline(seat) < deadline(best), cross-multiplied to stay in integers
        mine = ((d - 1) * total - d * current[seat.user]) * best.weight
        theirs = ((d - 1) * total - d * current[best.user]) * seat.weight
        if mine < theirs:
            best = seat
    return best


def _skipped(seats: Sequence[_Seat]) -> str:
    return ", ".join(f"{s.user} ({s.reason})" for s in seats if s.reason)


def _credits(n: int) -> str:
    return "1 meeting credit" if n == 1 else f"{n} meeting credits"
