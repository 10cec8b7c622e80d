"""Turn workspace documents into the routing core's values."""

from __future__ import annotations

from leadrail.app.workspace import CapsDoc, OwnershipDoc, RouteDoc, RouterDoc, UserDoc, WorkspaceDoc
from leadrail.routing.conditions import load_condition
from leadrail.routing.model import (
    Caps,
    Destination,
    Member,
    OwnershipSpec,
    PoolSpec,
    RouterSpec,
    Rule,
    UserInfo,
    Vacation,
)

DEFAULT_RULE = "default"


def user_info(doc: UserDoc, workspace_tz: str) -> UserInfo:
    return UserInfo(
        email=doc.email,
        name=doc.name,
        active=doc.active,
        timezone=doc.timezone or workspace_tz,
        crm_owner_id=doc.crm_owner_id,
        vacations=tuple(Vacation(v.start, v.end) for v in doc.vacations),
        credits=doc.credits,
        caps=caps(doc.caps),
    )


def caps(doc: CapsDoc | None) -> Caps | None:
    if doc is None:
        return None
    return Caps(doc.meetings_per_day, doc.meetings_per_week, doc.leads_per_day)


def ownership_spec(doc: OwnershipDoc) -> OwnershipSpec:
    return OwnershipSpec(enabled=doc.enabled, match=tuple(doc.match), exact_match=doc.exact_match)


def destination(route: RouteDoc, pool_key: str, teams: dict[str, list[Member]]) -> Destination:
    if route.team is not None:
        members = teams.get(route.team, [])
        if route.members != "all":
            chosen = set(route.members)
            members = [m for m in members if m.user in chosen]
        if not route.weighted:
            members = [Member(m.user, 1 if m.weight > 0 else 0) for m in members]
        pool = PoolSpec(
            key=pool_key, team=route.team, members=tuple(members), round_robin=route.round_robin
        )
        return Destination(kind="pool", pool=pool)
    if route.user is not None:
        return Destination(kind="user", users=(route.user,))
    if route.opportunity_owner:
        return Destination(kind="opportunity_owner")
    if route.broadcast is not None:
        return Destination(kind="broadcast", users=tuple(route.broadcast))
    return Destination(kind="category", category=route.category, store=route.store)


def router_spec(router: RouterDoc, workspace: WorkspaceDoc) -> RouterSpec:
    teams = {t.name: [Member(m.user, m.weight) for m in t.members] for t in workspace.teams or []}
    rules = tuple(
        Rule(
            name=r.name,
            when=load_condition(r.when),
            route=destination(r.route, f"{router.slug}/{r.name}", teams),
            ownership=ownership_spec(r.ownership) if r.ownership else None,
            reason=r.reason or "",
        )
        for r in router.rules
    )
    return RouterSpec(
        slug=router.slug,
        timezone=router.timezone or workspace.timezone,
        rules=rules,
        default=destination(router.default, f"{router.slug}/{DEFAULT_RULE}", teams),
        ownership=ownership_spec(router.ownership),
        reset=router.reset,
        reset_hour=router.reset_hour,
        vacation_compensation=router.vacation_compensation,
        memory_hours=router.memory_hours,
        strip_emails=router.strip_emails,
        caps=caps(router.caps),
    )
