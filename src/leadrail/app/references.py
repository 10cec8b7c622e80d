"""Cross-reference checks of a workspace document (what Pydantic cannot see alone), and who
refers to what.

Every name one item writes of another (a route's team, a rule's list, a site's router...) is
listed once, by ``references``, with where it is written and who writes it in words
("router 'q2-enterprise' (rule 'Target accounts')"). The check that refuses an unknown name and
the refusal to delete an item still in use both read that one list, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadrail.app.errors import Problem
from leadrail.routing.condition_schema import comparisons
from leadrail.routing.conditions import validate_condition

if TYPE_CHECKING:
    from leadrail.app.workspace import RouteDoc, RouterDoc, SiteDoc, WorkspaceDoc

NOUNS = {
    "users": "user", "teams": "team", "lists": "list", "meeting_types": "meeting type",
    "routers": "router", "categories": "category", "stores": "store", "sites": "site",
}  # fmt: skip
KNOWN_SHOWN = 12  # names listed after "known:" at most
# Comparisons an empty value makes pointless: what they would do with it.
_BLANK = {
    "equals": "never matches",
    "in": "never matches",
    "not_equals": "matches every prospect",
    "not_in": "matches every prospect",
}


@dataclass(frozen=True)
class Reference:
    path: str  # where the name is written: routers[5].rules[0].route.team
    section: str  # the section of the item it names: teams
    key: str  # the name: Inbound NA
    owner: str  # who writes it: router 'q2-enterprise' (rule 'Target accounts')


def references(doc: WorkspaceDoc) -> Iterator[Reference]:
    """Every reference the document makes, in document order."""
    for ti, team in enumerate(doc.teams or []):
        for mi, member in enumerate(team.members):
            yield Reference(
                f"teams[{ti}].members[{mi}].user", "users", member.user, f"team {team.name!r}"
            )
    for ui, user in enumerate(doc.users or []):
        owner = f"user {user.email!r} (aligned users)"
        for ai, email in enumerate(user.aligned):
            yield Reference(f"users[{ui}].aligned[{ai}]", "users", email, owner)
    for ri, router in enumerate(doc.routers or []):
        yield from _router_references(f"routers[{ri}]", router)
    for si, store in enumerate(doc.stores or []):
        for name in store.categories:
            path = f"stores[{si}].categories.{name}"
            yield Reference(path, "categories", name, f"store {store.name!r}")
    for si, site in enumerate(doc.sites or []):
        yield from _site_references(f"sites[{si}]", site)


def referrers(doc: WorkspaceDoc, section: str, key: str) -> list[Reference]:
    """The references to the item ``key`` of ``section`` (what stops it being deleted)."""
    return [r for r in references(doc) if r.section == section and r.key == key]


def _router_references(path: str, router: RouterDoc) -> Iterator[Reference]:
    owner = f"router {router.slug!r}"
    if router.meeting_type is not None:
        yield Reference(f"{path}.meeting_type", "meeting_types", router.meeting_type, owner)
    for i, rule in enumerate(router.rules):
        here = f"{owner} (rule {rule.name!r})"
        for leaf_path, leaf in comparisons(rule.when, f"{path}.rules[{i}].when"):
            value = leaf.get("value")
            if leaf.get("op") == "in_list" and isinstance(value, str) and value.strip():
                yield Reference(f"{leaf_path}.value", "lists", value, here)
        yield from _route_references(f"{path}.rules[{i}].route", rule.route, here)
    yield from _route_references(f"{path}.default", router.default, f"{owner} (default route)")


def _route_references(path: str, route: RouteDoc, owner: str) -> Iterator[Reference]:
    if route.team is not None:
        yield Reference(f"{path}.team", "teams", route.team, owner)
    if route.user is not None:
        yield Reference(f"{path}.user", "users", route.user, owner)
    for i, email in enumerate(route.broadcast or []):
        yield Reference(f"{path}.broadcast[{i}]", "users", email, owner)
    if route.category is not None:
        yield Reference(f"{path}.category", "categories", route.category, owner)
    if route.store is not None:
        yield Reference(f"{path}.store", "stores", route.store, owner)


def _site_references(path: str, site: SiteDoc) -> Iterator[Reference]:
    owner = f"site {site.name!r}"
    if site.router is not None:
        yield Reference(f"{path}.router", "routers", site.router, owner)
    live = site.live
    if live is None:
        return
    if live.pounce is not None:
        yield Reference(f"{path}.live.pounce.router", "routers", live.pounce.router,
                        f"{owner} (live pounce)")  # fmt: skip
    if live.chat is not None:
        chat, here = live.chat, f"{owner} (live chat)"
        yield Reference(f"{path}.live.chat.router", "routers", chat.router, here)
        if chat.booker_router is not None:
            yield Reference(f"{path}.live.chat.booker_router", "routers", chat.booker_router, here)
        if chat.message_category is not None:
            path_ = f"{path}.live.chat.message_category"
            yield Reference(path_, "categories", chat.message_category, here)


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


def _keys(doc: WorkspaceDoc) -> dict[str, list[str]]:
    return {
        "users": [u.email for u in doc.users or []],
        "teams": [t.name for t in doc.teams or []],
        "lists": [x.name for x in doc.lists or []],
        "meeting_types": [m.slug for m in doc.meeting_types or []],
        "routers": [r.slug for r in doc.routers or []],
        "categories": [c.name for c in doc.categories or []],
        "stores": [s.name for s in doc.stores or []],
        "sites": [s.name for s in doc.sites or []],
    }


def _unknown(ref: Reference, known: list[str]) -> Problem:
    noun = NOUNS[ref.section]
    if ref.path.startswith("users[") and ".aligned[" in ref.path:
        return Problem(ref.path, f"{ref.key!r} is not a user", where=ref.owner)
    message = f"unknown {noun} {ref.key!r}"
    if ref.section not in ("users", "stores", "categories", "meeting_types", "routers"):
        names = sorted(known)
        shown = ", ".join(names[:KNOWN_SHOWN]) + (", ..." if len(names) > KNOWN_SHOWN else "")
        message += f" (known: {shown or 'none defined'})"
    return Problem(ref.path, message, where=ref.owner)


def check_references(doc: WorkspaceDoc) -> list[Problem]:
    keys = _keys(doc)
    out = [
        problem
        for section, names in keys.items()
        if section != "sites"
        for problem in _duplicates(section, names, _key_field(section))
    ]
    out += _duplicates("sites", keys["sites"], "name")
    out += _duplicates("sites", [x.key for x in doc.sites or []], "key")
    teams = {t.name: {m.user for m in t.members} for t in doc.teams or []}
    for ti, team in enumerate(doc.teams or []):
        out += _duplicates(f"teams[{ti}].members", [m.user for m in team.members], "user")
    for ui, user in enumerate(doc.users or []):
        if user.email in user.aligned:
            at = user.aligned.index(user.email)
            out.append(Problem(f"users[{ui}].aligned[{at}]", f"{user.email!r} is this user"))
    known = {section: set(names) for section, names in keys.items()}
    for ref in references(doc):
        if ref.key not in known[ref.section]:
            out.append(_unknown(ref, keys[ref.section]))
    for ri, router in enumerate(doc.routers or []):
        out += _check_router(f"routers[{ri}]", router, teams)
    if doc.categories and doc.fallback_destination is None:
        out.append(
            Problem(
                "fallback_destination",
                "needed when there are categories: it is "
                "where a lead goes when nothing else matches (no lead is dropped)",
            )
        )
    return out


def _key_field(section: str) -> str:
    return {"users": "email", "meeting_types": "slug", "routers": "slug"}.get(section, "name")


def _check_router(path: str, router: RouterDoc, teams: dict[str, set[str]]) -> list[Problem]:
    """What a router's rules must hold besides their references."""
    out = _duplicates(f"{path}.rules", [r.name for r in router.rules], "name")
    for i, rule in enumerate(router.rules):
        here = f"{path}.rules[{i}]"
        if rule.name.lower() == "default":
            out.append(
                Problem(f"{here}.name", "'default' is reserved for the router's default route")
            )
        # unknown lists are reported with the other references
        out += [Problem(e.path, e.message) for e in validate_condition(rule.when, f"{here}.when")]
        out += _blank_values(rule.when, f"{here}.when")
        out += _members(f"{here}.route", rule.route, teams)
    return out + _members(f"{path}.default", router.default, teams)


def _blank_values(when: object, path: str) -> list[Problem]:
    """Comparisons with an empty value (the dashboard's untouched new rule is one): refused,
    here and not in the engine, so routers stored before still route."""
    out = []
    for leaf_path, leaf in comparisons(when, path):
        op, value = leaf.get("op"), leaf.get("value")
        if not isinstance(op, str) or op not in _BLANK:
            continue
        many = isinstance(value, list | tuple)
        for i, item in enumerate(value if isinstance(value, list | tuple) else [value]):
            if isinstance(item, str) and not item.strip():
                hint = (
                    "for a missing field use 'exists' with false"
                    if _BLANK[op] == "never matches"
                    else "for a field that is there use 'exists'"
                )
                out.append(
                    Problem(
                        f"{leaf_path}.value" + (f"[{i}]" if many else ""),
                        f"enter a value: '{op}' with an empty value {_BLANK[op]} ({hint})",
                    )
                )
    return out


def _members(path: str, route: RouteDoc, teams: dict[str, set[str]]) -> list[Problem]:
    if route.team is None or route.team not in teams or route.members == "all":
        return []
    return [
        Problem(f"{path}.members[{i}]", f"{email!r} is not a member of team {route.team!r}")
        for i, email in enumerate(route.members)
        if email not in teams[route.team]
    ]
