"""The routing engine: one prospect in, one decision with a readable trace out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from leadrail.routing.availability import CapCheck, why_unavailable
from leadrail.routing.conditions import explain
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
    Via,
)
from leadrail.routing.ownership import find_owner, owner_user
from leadrail.routing.periods import AwayCheck, period_key, require_aware
from leadrail.routing.trace import LaterSteps, Trace, TraceStep

DEFAULT_RULE = "default"
_Steps = list[TraceStep | LaterSteps]  # the trace being written (see Trace)


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What a destination gave: who gets the prospect (or which category's addresses), and
    the rotation state and credit that choice changed."""

    assignees: tuple[str, ...]
    via: Via
    pool_key: str | None = None
    pool_state: PoolState | None = None
    credit_spent: str | None = None
    category: str | None = None
    store: str | None = None


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

    Owners, users, broadcast members and pool members are passed over when known to be
    offline (``UserInfo.online is False``: live routing); unknown presence counts as online.
    """
    require_aware(now)
    trace: _Steps = []
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
    outcome = _assign(rule.route if rule else router.default, router, ctx, now, trace)
    if outcome is None and rule is not None:
        detail = f"rule '{name}' found nobody available: using the default route"
        trace.append(TraceStep("fallback", "default", detail, {"rule": name}))
        outcome = _assign(router.default, router, ctx, now, trace)
    if outcome is None:
        detail = "nobody is available: the prospect is not assigned"
        trace.append(TraceStep("decision", "none", detail))
        return Decision((), name, "none", Trace(trace), decided_at=now)
    return Decision(
        assignees=outcome.assignees,
        rule=name,
        via=outcome.via,
        trace=Trace(trace),
        pool_key=outcome.pool_key,
        pool_state=outcome.pool_state,
        credit_spent=outcome.credit_spent,
        category=outcome.category,
        store=outcome.store,
        decided_at=now,
    )


def _owner_decision(
    spec: OwnershipSpec,
    rule: str | None,
    router: RouterSpec,
    ctx: RoutingContext,
    now: datetime,
    trace: _Steps,
) -> Decision | None:
    match = find_owner(spec, ctx.crm, ctx.users, now=now, tz=router.timezone, require_online=True)
    trace.extend(match.trace)
    if match.user is None:
        return None
    return Decision(
        (match.user,), rule, "owner", Trace(trace), owner_record=match.record, decided_at=now
    )


def _first_match(
    router: RouterSpec, prospect: Prospect, ctx: RoutingContext, trace: _Steps
) -> Rule | None:
    """The first rule whose condition holds (its compiled matcher: no sentences). The
    sentences of the rules before it are written only if the trace is read."""
    fields, lists, rules = prospect.fields, ctx.lists, router.rules
    index = 0
    for check in router.checks:
        if check(fields, lists):
            break
        index += 1
    if index:
        trace.append(_not_matched(rules[:index], prospect, lists))
    if index < len(rules):
        rule = rules[index]
        why = explain(rule.when, prospect, lists)
        detail = f"rule '{rule.name}' matched: {why}"
        trace.append(TraceStep("rule", "matched", detail, {"rule": rule.name}))
        if rule.reason:
            data = {"rule": rule.name, "reason": rule.reason}
            trace.append(TraceStep("reason", "given", rule.reason, data))
        return rule
    detail = "no rule matched" if rules else "the router has no rules"
    detail += ": the default route applies"
    trace.append(TraceStep("default", "matched", detail, {"rule": DEFAULT_RULE}))
    return None


def _not_matched(
    rules: tuple[Rule, ...], prospect: Prospect, lists: Mapping[str, frozenset[str]]
) -> LaterSteps:
    """Writes the ``no_match`` steps of ``rules`` when called, from copies of the prospect's
    fields and of the lists taken now."""
    seen = Prospect(prospect.email, prospect.domain, prospect.free_mail, dict(prospect.fields))
    named = dict(lists)

    def steps() -> list[TraceStep]:
        return [
            TraceStep(
                "rule",
                "no_match",
                f"rule '{rule.name}' did not match: {explain(rule.when, seen, named)}",
                {"rule": rule.name},
            )
            for rule in rules
        ]

    return steps


def _assign(
    dest: Destination,
    router: RouterSpec,
    ctx: RoutingContext,
    now: datetime,
    trace: _Steps,
) -> _Outcome | None:
    """Who at ``dest`` gets the prospect (None: nobody there is available)."""
    if dest.kind == "category":
        where = f"store {dest.store}'s" if dest.store else "the category's"
        detail = f"category '{dest.category}': sent to {where} lead addresses"
        data = {"category": dest.category, "store": dest.store}
        trace.append(TraceStep("category", "chosen", detail, data))
        return _Outcome((), "category", category=dest.category, store=dest.store)
    if dest.kind == "pool":
        return _pool(dest, router, ctx, now, trace)
    if dest.kind == "opportunity_owner":
        return _opportunity_owner(router, ctx, now, trace)
    return _users(dest, router, ctx, now, trace)


def _opportunity_owner(
    router: RouterSpec, ctx: RoutingContext, now: datetime, trace: _Steps
) -> _Outcome | None:
    """The owner of the first open opportunity whose owner is an available user."""
    if not ctx.opportunities:
        detail = "opportunity owner: the prospect has no open opportunity"
        trace.append(TraceStep("opportunity", "empty", detail))
        return None
    away = AwayCheck(now, router.timezone)
    for opp in ctx.opportunities:
        label = f"opportunity {opp.name or opp.id}"
        data = {"opportunity": opp.id, "owner_id": opp.owner_id}
        if not opp.owner_id:
            trace.append(TraceStep("opportunity", "skipped", f"{label} has no owner", data))
            continue
        info = owner_user(opp.owner_id, ctx.users)
        problem = why_unavailable(info, away)
        if info is None or problem:
            detail = f"owner {opp.owner_id} of {label} is {problem}"
            trace.append(TraceStep("opportunity", "skipped", detail, data))
            continue
        detail = f"{label} is owned by {info.email}: assigned"
        trace.append(TraceStep("opportunity", "chosen", detail, {**data, "user": info.email}))
        return _Outcome((info.email,), "opportunity")
    detail = "opportunity owner: no open opportunity has an available owner"
    trace.append(TraceStep("opportunity", "empty", detail))
    return None


def _pool(
    dest: Destination,
    router: RouterSpec,
    ctx: RoutingContext,
    now: datetime,
    trace: _Steps,
) -> _Outcome | None:
    pool = dest.pool
    if pool is None:
        trace.append(TraceStep("rotation", "empty", "the route names no pool"))
        return None
    choice = choose_from_pool(
        pool,
        ctx,
        period=period_key(router.reset, now, router.timezone, router.reset_hour),
        now=now,
        tz=router.timezone,
        compensation=router.vacation_compensation,
        capped=CapCheck(ctx.load, router.caps) if ctx.load is not None else None,
    )
    trace.extend(choice.trace)
    if choice.assignee is None:
        return None
    return _Outcome((choice.assignee,), choice.via, pool.key, choice.new_state, choice.credit_spent)


def _users(
    dest: Destination,
    router: RouterSpec,
    ctx: RoutingContext,
    now: datetime,
    trace: _Steps,
) -> _Outcome | None:
    """One user (``kind="user"``), or everyone available in a broadcast group."""
    away = AwayCheck(now, router.timezone)
    capped = CapCheck(ctx.load, router.caps) if ctx.load is not None else None
    problems = {u: why_unavailable(ctx.users.get(u), away, capped=capped) for u in dest.users}
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
    return _Outcome(ready, "user" if dest.kind == "user" else "broadcast")
