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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from leadrail.routing.availability import ON_VACATION, CapCheck, why_unavailable
from leadrail.routing.model import Member, PoolSpec, PoolState, RoutingContext, UserInfo, Via
from leadrail.routing.periods import AwayCheck
from leadrail.routing.trace import TraceStep


@dataclass(frozen=True, slots=True)
class PoolChoice:
    """The pool's pick. ``new_state`` is None when the rotation state did not change
    (memory, credit, nobody eligible)."""

    assignee: str | None
    via: Via
    new_state: PoolState | None
    credit_spent: str | None
    trace: tuple[TraceStep, ...]


_BUSY = "not available at the slot"


@dataclass(slots=True)
class _Standing:
    """Where the pool's members stand for this assignment, each list in pool order."""

    participating: list[Member]  # their currents grow (see the module docstring)
    eligible: list[Member]  # may get this prospect
    credited: list[tuple[Member, int]]  # eligible members with meeting credits, and how many
    skipped: list[str]  # "user (why not eligible)"
    reasons: dict[str, str | None]  # every member: why not eligible (None: eligible)


def choose_from_pool(
    pool: PoolSpec,
    ctx: RoutingContext,
    *,
    period: str,
    now: datetime,
    tz: str,
    compensation: bool,
    capped: CapCheck | None = None,
) -> PoolChoice:
    """Pick the pool member for this prospect: memory, then credits, then rotation. A member
    at a cap (``capped``) is passed over like an unavailable one, without compensation."""
    name = pool.team or pool.key
    away = AwayCheck(now, tz)
    available = ctx.available if pool.round_robin == "flexible" else None
    standing = _standing(pool.members, ctx.users, away, available, compensation, capped)
    trace: list[TraceStep] = []
    if ctx.recent_assignee and _remembered(name, pool, ctx, away, available, trace, capped):
        return PoolChoice(ctx.recent_assignee, "memory", None, None, tuple(trace))
    currents = _currents(pool, ctx.rotation.get(pool.key), period, trace)
    trace.append(_candidates(pool, name, standing, ctx, currents, capped))
    skipped = ", ".join(standing.skipped)
    if not standing.eligible:
        detail = f"pool {name}: nobody is eligible" + (f" (skipped {skipped})" if skipped else "")
        trace.append(TraceStep("rotation", "empty", detail, {"pool": pool.key}))
        return PoolChoice(None, "none", None, None, tuple(trace))
    if standing.credited:
        member, credits = max(
            standing.credited, key=lambda mc: currents.get(mc[0].user, 0) + mc[0].weight
        )
        detail = (
            f"pool {name}: {member.user} has {_credits(credits)}: assigned "
            "ahead of the rotation, one credit spent"
        )
        data = {"pool": pool.key, "user": member.user}
        trace.append(TraceStep("credit", "chosen", detail, data))
        return PoolChoice(member.user, "credit", None, member.user, tuple(trace))
    return _rotate(pool, name, standing, currents, period, skipped, trace)


def _standing(
    members: Sequence[Member],
    users: Mapping[str, UserInfo],
    away: AwayCheck,
    available: frozenset[str] | None,
    compensation: bool,
    capped: CapCheck | None,
) -> _Standing:
    standing = _Standing([], [], [], [], {})
    for member in members:
        info = users.get(member.user)
        reason = _reason(member, info, away, available, capped)
        standing.reasons[member.user] = reason
        if reason is None and info is not None:  # (info is known when eligible)
            standing.participating.append(member)
            standing.eligible.append(member)
            if info.credits > 0:
                standing.credited.append((member, info.credits))
            continue
        standing.skipped.append(f"{member.user} ({reason})")
        if reason == _BUSY or (reason == ON_VACATION and compensation):
            standing.participating.append(member)
    return standing


def _reason(
    member: Member,
    info: UserInfo | None,
    away: AwayCheck,
    available: frozenset[str] | None,
    capped: CapCheck | None = None,
) -> str | None:
    """Why the member may not get this prospect (None: eligible): why the user is
    unavailable (see ``availability``), with "paused" (weight 0) after "inactive", and
    "not available at the slot" (flexible pools) last."""
    if member.weight <= 0 and info is not None and info.active:
        return "paused"
    reason = why_unavailable(info, away, capped=capped)
    if reason is None and available is not None and member.user not in available:
        return _BUSY
    return reason


def _remembered(
    name: str,
    pool: PoolSpec,
    ctx: RoutingContext,
    away: AwayCheck,
    available: frozenset[str] | None,
    trace: list[TraceStep],
    capped: CapCheck | None,
) -> bool:
    """Whether the recent assignee gets the prospect again (it is an eligible member)."""
    recent = ctx.recent_assignee
    member = next((m for m in pool.members if m.user == recent), None)
    if member is None:
        detail = f"recent assignee {recent} is not a member of pool {name}"
        trace.append(TraceStep("memory", "skipped", detail, {"user": recent}))
        return False
    reason = _reason(member, ctx.users.get(member.user), away, available, capped)
    if reason is not None:
        detail = f"pool {name}: recent assignee {recent} is {reason}: using the rotation"
        trace.append(TraceStep("memory", "skipped", detail, {"user": recent}))
        return False
    detail = f"pool {name}: {recent} had this prospect recently: same rep again"
    trace.append(TraceStep("memory", "chosen", detail, {"user": recent}))
    return True


def _currents(
    pool: PoolSpec, state: PoolState | None, period: str, trace: list[TraceStep]
) -> dict[str, int]:
    if state is None:
        return {}
    if state.given_back and state.period == period:
        for user, why in state.given_back:
            detail = f"pool {pool.team or pool.key}: {user} got a turn back ({why})"
            trace.append(TraceStep("turn", "given_back", detail, {"user": user, "why": why}))
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
    standing: _Standing,
    currents: dict[str, int],
    period: str,
    skipped: str,
    trace: list[TraceStep],
) -> PoolChoice:
    total = 0
    for member in standing.participating:
        total += member.weight
        currents[member.user] = currents.get(member.user, 0) + member.weight
    chosen = _due_first(standing.eligible, currents, total, len(standing.participating))
    deficit = currents[chosen.user] / total
    currents[chosen.user] -= total
    kept = {m.user: currents[m.user] for m in pool.members if currents.get(m.user, 0) != 0}
    detail = f"pool {name}: {chosen.user} is due next by its weighted share"
    detail += f" (deficit {deficit:.1f})" + (f"; skipped {skipped}" if skipped else "")
    data = {"pool": pool.key, "user": chosen.user, "deficit": round(deficit, 3)}
    trace.append(TraceStep("rotation", "chosen", detail, data))
    return PoolChoice(chosen.user, "rotation", PoolState(period, kept), None, tuple(trace))


def _due_first(
    eligible: Sequence[Member], current: Mapping[str, int], total: int, k: int
) -> Member:
    """The eligible member due first (see the module docstring); ties: pool order."""
    d = max(2 * (k - 1), 1)
    due = [m for m in eligible if d * current[m.user] >= total] or eligible
    # deadline(m) = (W(D-1)/D - current)/w: compare gap(m) / w(m), gap = W(D-1) - D*current,
    # cross-multiplied to stay in integers
    slack = (d - 1) * total
    best = due[0]
    best_gap = slack - d * current[best.user]
    for member in due[1:]:
        gap = slack - d * current[member.user]
        if gap * best.weight < best_gap * member.weight:
            best, best_gap = member, gap
    return best


def _credits(n: int) -> str:
    return "1 meeting credit" if n == 1 else f"{n} meeting credits"


def give_back_turn(
    state: PoolState | None, pool: PoolSpec, user: str, why: str, period: str
) -> PoolState | None:
    """The pool's state with ``user``'s turn returned (a cancelled or no-show meeting): the
    weight total the rotation took when it chose them is added back, so they are due again
    as if that turn had not been spent. None when there is nothing to return (another
    period since, or not a member any more)."""
    total = sum(m.weight for m in pool.members if m.weight > 0)
    if state is None or state.period != period or total <= 0:
        return None
    if not any(m.user == user and m.weight > 0 for m in pool.members):
        return None
    current = dict(state.current)
    current[user] = current.get(user, 0) + total
    return PoolState(period, current, (*state.given_back, (user, why)))


def _candidates(
    pool: PoolSpec,
    name: str,
    standing: _Standing,
    ctx: RoutingContext,
    currents: Mapping[str, int],
    capped: CapCheck | None,
) -> TraceStep:
    """Every member of the pool, eligible or not and why, with their standing: weight,
    rotation current (weight units ahead of their share: higher is due sooner), meeting
    credits, and what the caps counted (when caps are on)."""
    rows: list[dict[str, object]] = []
    for m in pool.members:
        info = ctx.users.get(m.user)
        why = standing.reasons.get(m.user)
        row: dict[str, object] = {"user": m.user, "eligible": why is None, "why": why,
                                  "weight": m.weight, "current": currents.get(m.user, 0),
                                  "credits": info.credits if info else 0}  # fmt: skip
        load = capped.load.get(m.user) if capped is not None else None
        if load is not None:
            row["meetings_today"] = load.meetings_day
            row["meetings_this_week"] = load.meetings_week
            row["leads_today"] = load.leads_day
        rows.append(row)
    n = sum(1 for r in rows if r["eligible"])
    detail = f"pool {name}: {n} of {len(rows)} members eligible"
    return TraceStep("candidates", "listed", detail, {"pool": pool.key, "candidates": rows})
