"""The routing engine: one prospect in, one decision with a readable trace out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leadrail.routing.conditions import evaluate, explain
from leadrail.routing.distribution import choose_from_pool
from leadrail.routing.model import (
    Decision,
    Destination,
    OwnershipSpec,
    PoolState,
    Prospect,
    RouterSpec,
    RoutingContext,
    Rule,
    TraceStep,
    Via,
)
from leadrail.routing.ownership import find_owner, why_unavailable
from leadrail.routing.periods import period_key, require_aware

DEFAULT_RULE = "default"


@dataclass(frozen=True, slots=True)
class _Delivery:
    assignees: tuple[str, ...]
    via: Via
    pool_key: str | None = None
    pool_state: PoolState | None = None
    credit_spent: str | None = None
    category: str | None = None


def route(router: RouterSpec, prospect: Prospect, ctx: RoutingContext, now: datetime) -> Decision:
    """Decide who gets the prospect.

    1. Router-level ownership (when enabled): an available CRM owner gets it (``rule=None``).
    2. Rules top to bottom, first match wins; no match means the default route
       (``rule="default"``).
    3. The matched rule's own ownership check (when enabled): an available owner gets it.
    4. The destination: a pool (memory, credits, rotation), one user, a broadcast group or a
       category. When a rule's destination finds nobody available, the router's default
       destination is tried and ``Decision.rule`` stays the matched rule's name (the trace has
       a ``fallback`` step). When nobody at all is available: no assignee, ``via="none"``.

    Owners are passed over when known to be offline (``UserInfo.online is False``); unknown
    presence counts as online.
    """
    require_aware(now)
    trace: list[TraceStep] = []
    if router.ownership.enabled:
        owned = _owner_decision(router.ownership, None, router, ctx, now, trace)
        if owned is not None:
            return owned
    rule = _first_match(router, prospect, ctx, trace)
    name = rule.name if rule is not None else DEFAULT_RULE
    if rule is not None and rule.ownership is not None and rule.ownership.enabled:
        owned = _owner_decision(rule.ownership, rule.name, router, ctx, now, trace)
        if owned is not None:
            return owned
    delivery = _deliver(rule.route if rule else router.default, router, ctx, now, trace)
    if delivery is None and rule is not None:
        detail = f"rule '{name}' found nobody available: using the default route"
        trace.append(TraceStep("fallback", "default", detail, {"rule": name}))
        delivery = _deliver(router.default, router, ctx, now, trace)
    if delivery is None:
        detail = "nobody is available: the prospect is not assigned"
        trace.append(TraceStep("decision", "none", detail))
        return Decision((), name, "none", tuple(trace), decided_at=now)
    return Decision(
        assignees=delivery.assignees,
        rule=name,
        via=delivery.via,
        trace=tuple(trace),
        pool_key=delivery.pool_key,
        pool_state=delivery.pool_state,
        credit_spent=delivery.credit_spent,
        category=delivery.category,
        decided_at=now,
    )


def _owner_decision(
    spec: OwnershipSpec,
    rule: str | None,
    router: RouterSpec,
    ctx: RoutingContext,
    now: datetime,
    trace: list[TraceStep],
) -> Decision | None:
    match = find_owner(spec, ctx.crm, ctx.users, now=now, tz=router.timezone, require_online=True)
    trace.extend(match.trace)
    if match.user is None:
        return None
    return Decision(
        (match.user,), rule, "owner", tuple(trace), owner_record=match.record, decided_at=now
    )


def _first_match(
    router: RouterSpec, prospect: Prospect, ctx: RoutingContext, trace: list[TraceStep]
) -> Rule | None:
    for rule in router.rules:
        why = explain(rule.when, prospect, ctx.lists)
        data = {"rule": rule.name}
        if evaluate(rule.when, prospect, ctx.lists):
            trace.append(TraceStep("rule", "matched", f"rule '{rule.name}' matched: {why}", data))
            return rule
        detail = f"rule '{rule.name}' did not match: {why}"
        trace.append(TraceStep("rule", "no_match", detail, data))
    detail = "no rule matched" if router.rules else "the router has no rules"
    detail += ": the default route applies"
    trace.append(TraceStep("default", "matched", detail, {"rule": DEFAULT_RULE}))
    return None


def _deliver(
    dest: Destination,
    router: RouterSpec,
    ctx: RoutingContext,
    now: datetime,
    trace: list[TraceStep],
) -> _Delivery | None:
    if dest.kind == "category":
        detail = f"category '{dest.category}': sent to the category's lead addresses"
        trace.append(TraceStep("category", "chosen", detail, {"category": dest.category}))
        return _Delivery((), "category", category=dest.category)
    if dest.kind == "pool":
        return _pool(dest, router, ctx, now, trace)
    return _users(dest, router, ctx, now, trace)


def _pool(
    dest: Destination,
    router: RouterSpec,
    ctx: RoutingContext,
    now: datetime,
    trace: list[TraceStep],
) -> _Delivery | None:
    pool = dest.pool
    if pool is None:
        trace.append(TraceStep("rotation", "empty", "the route names no pool"))
        return None
    choice = choose_from_pool(
        pool,
        ctx,
        period=period_key(router.reset, now, router.timezone),
        now=now,
        tz=router.timezone,
        compensation=router.vacation_compensation,
    )
    trace.extend(choice.trace)
    if choice.assignee is None:
        return None
    return _Delivery(
        (choice.assignee,), choice.via, pool.key, choice.new_state, choice.credit_spent
    )


def _users(
    dest: Destination,
    router: RouterSpec,
    ctx: RoutingContext,
    now: datetime,
    trace: list[TraceStep],
) -> _Delivery | None:
    """One user (``kind="user"``), or everyone available in a broadcast group."""
    problems = {u: why_unavailable(ctx.users.get(u), now, router.timezone) for u in dest.users}
    ready = tuple(u for u, problem in problems.items() if problem is None)
    skipped = ", ".join(f"{u} ({problem})" for u, problem in problems.items() if problem)
    if dest.kind == "user":
        user = dest.users[0] if dest.users else None
        ready = ready[:1] if user in ready else ()
        if user is None:
            detail = "the route names no user"
        else:
            detail = f"user {user}: " + ("assigned" if ready else f"is {problems[user]}")
    else:
        detail = f"broadcast to {', '.join(ready) or 'nobody'}"
        detail += f"; skipped {skipped}" if skipped else ""
    outcome = "chosen" if ready else "empty"
    trace.append(TraceStep(dest.kind, outcome, detail, {"users": list(ready)}))
    if not ready:
        return None
    return _Delivery(ready, "user" if dest.kind == "user" else "broadcast")
