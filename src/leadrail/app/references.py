"""Cross-reference checks of a workspace document: what Pydantic cannot see alone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from leadrail.app.errors import Problem
from leadrail.routing.conditions import validate_condition

if TYPE_CHECKING:
    from leadrail.app.workspace import RouteDoc, RouterDoc, SiteDoc, WorkspaceDoc


def _duplicates(section: str, keys: Iterable[str], what: str) -> list[Problem]:
    seen: dict[str, int] = {}
    out = []
    for i, key in enumerate(keys):
        k = key.lower()
        if k in seen:
            out.append(
                Problem(
                    f"{section}[{i}].{what}",
                    f"duplicate {what} {key!r} (already at {section}[{seen[k]}])",
                )
            )
        else:
            seen[k] = i
    return out


def check_references(doc: WorkspaceDoc) -> list[Problem]:
    users = {u.email for u in doc.users or []}
    teams = {t.name: {m.user for m in t.members} for t in doc.teams or []}
    lists = {lst.name for lst in doc.lists or []}
    meeting_types = {m.slug for m in doc.meeting_types or []}
    categories = {c.name for c in doc.categories or []}
    stores = {s.name for s in doc.stores or []}
    out = [
        *_duplicates("users", [u.email for u in doc.users or []], "email"),
        *_duplicates("teams", [t.name for t in doc.teams or []], "name"),
        *_duplicates("lists", [x.name for x in doc.lists or []], "name"),
        *_duplicates("meeting_types", [m.slug for m in doc.meeting_types or []], "slug"),
        *_duplicates("routers", [r.slug for r in doc.routers or []], "slug"),
        *_duplicates("categories", [c.name for c in doc.categories or []], "name"),
        *_duplicates("stores", [s.name for s in doc.stores or []], "name"),
    ]
    for ti, team in enumerate(doc.teams or []):
        out += _duplicates(f"teams[{ti}].members", [m.user for m in team.members], "user")
        for mi, member in enumerate(team.members):
            if member.user not in users:
                out.append(
                    Problem(f"teams[{ti}].members[{mi}].user", f"unknown user {member.user!r}")
                )
    for ri, router in enumerate(doc.routers or []):
        out += _check_router(
            f"routers[{ri}]", router, users, teams, lists, meeting_types, (categories, stores)
        )
    out += _duplicates("sites", [x.name for x in doc.sites or []], "name")
    out += _duplicates("sites", [x.key for x in doc.sites or []], "key")
    routers = {r.slug for r in doc.routers or []}
    for si, site in enumerate(doc.sites or []):
        if site.router is not None and site.router not in routers:
            out.append(Problem(f"sites[{si}].router", f"unknown router {site.router!r}"))
        out += _check_live(f"sites[{si}].live", site, routers, categories)
    for ui, user in enumerate(doc.users or []):
        for ai, email in enumerate(user.aligned):
            if email not in users or email == user.email:
                why = "is this user" if email == user.email else "is not a user"
                out.append(Problem(f"users[{ui}].aligned[{ai}]", f"{email!r} {why}"))
    if doc.categories and doc.fallback_destination is None:
        out.append(
            Problem(
                "fallback_destination",
                "needed when there are categories: it is "
                "where a lead goes when nothing else matches (no lead is dropped)",
            )
        )
    for si, store in enumerate(doc.stores or []):
        for name in store.categories:
            if name not in categories:
                out.append(Problem(f"stores[{si}].categories.{name}", f"unknown category {name!r}"))
    return out


def _check_live(path: str, site: SiteDoc, routers: set[str], categories: set[str]) -> list[Problem]:
    live = site.live
    if live is None:
        return []
    wanted = [
        ("pounce.router", live.pounce.router if live.pounce else None),
        ("chat.router", live.chat.router if live.chat else None),
        ("chat.booker_router", live.chat.booker_router if live.chat else None),
    ]
    out = [
        Problem(f"{path}.{where}", f"unknown router {slug!r}")
        for where, slug in wanted
        if slug is not None and slug not in routers
    ]
    category = live.chat.message_category if live.chat else None
    if category is not None and category not in categories:
        out.append(Problem(f"{path}.chat.message_category", f"unknown category {category!r}"))
    return out


def _check_router(
    path: str,
    router: RouterDoc,
    users: set[str],
    teams: dict[str, set[str]],
    lists: set[str],
    meeting_types: set[str],
    places: tuple[set[str], set[str]],
) -> list[Problem]:
    out: list[Problem] = []
    if router.meeting_type is not None and router.meeting_type not in meeting_types:
        out.append(Problem(f"{path}.meeting_type", f"unknown meeting type {router.meeting_type!r}"))
    out += _duplicates(f"{path}.rules", [r.name for r in router.rules], "name")
    for i, rule in enumerate(router.rules):
        if rule.name.lower() == "default":
            out.append(
                Problem(
                    f"{path}.rules[{i}].name",
                    "'default' is reserved for the router's default route",
                )
            )
        for err in validate_condition(rule.when, f"{path}.rules[{i}].when", lists):
            out.append(Problem(err.path, err.message))
        out += _check_route(f"{path}.rules[{i}].route", rule.route, users, teams, places)
    out += _check_route(f"{path}.default", router.default, users, teams, places)
    return out


def _check_route(
    path: str,
    route: RouteDoc,
    users: set[str],
    teams: dict[str, set[str]],
    places: tuple[set[str], set[str]],
) -> list[Problem]:
    """``places``: the workspace's category names and store names."""
    categories, stores = places
    out: list[Problem] = []
    if route.team is not None:
        if route.team not in teams:
            known = ", ".join(sorted(teams)) or "none defined"
            out.append(Problem(f"{path}.team", f"unknown team {route.team!r} (known: {known})"))
        elif route.members != "all":
            for i, email in enumerate(route.members):
                if email not in teams[route.team]:
                    out.append(
                        Problem(
                            f"{path}.members[{i}]",
                            f"{email!r} is not a member of team {route.team!r}",
                        )
                    )
    if route.user is not None and route.user not in users:
        out.append(Problem(f"{path}.user", f"unknown user {route.user!r}"))
    for i, email in enumerate(route.broadcast or []):
        if email not in users:
            out.append(Problem(f"{path}.broadcast[{i}]", f"unknown user {email!r}"))
    if route.category is not None and route.category not in categories:
        out.append(Problem(f"{path}.category", f"unknown category {route.category!r}"))
    if route.store is not None and route.store not in stores:
        out.append(Problem(f"{path}.store", f"unknown store {route.store!r}"))
    return out
