"""Edit one item of the workspace (a user, a team, a router, ...) the way ``leadrail apply``
does: the changed section goes through the same validation and the same transaction, so the
dashboard and the per-entity API can never store what a workspace file could not.

Problems come back as InvalidWorkspace whose paths start at the workspace root
(``routers[2].rules[0].when.op``); ``item_problems`` turns them into paths relative to the
edited item (``rules[0].when.op``) for marking form fields."""

from __future__ import annotations

from typing import Any

from leadrail.app.apply import KEYED, Change, _dump, apply_workspace
from leadrail.app.errors import InUse, InvalidWorkspace, NotFound, Problem
from leadrail.app.ports import WorkspaceRepo
from leadrail.app.references import NOUNS, referrers

SETTINGS = ("timezone", "nearest_store_routing", "nearest_store_max_km", "fallback_destination")


def section_items(store: WorkspaceRepo, section: str) -> list[dict[str, Any]]:
    """The section's items as the workspace file shows them (defaults left out)."""
    _check_section(section)
    items: list[dict[str, Any]] = _dump(store.load(include_crm=False)).get(section) or []
    return items


def find_item(store: WorkspaceRepo, section: str, key: str) -> tuple[int, dict[str, Any]]:
    for i, item in enumerate(section_items(store, section)):
        if _key_of(section, item) == _norm(section, key):
            return i, item
    raise NotFound(f"no {section[:-1].replace('_', ' ')} {key!r}", field=KEYED[section])


def put_item(
    store: WorkspaceRepo,
    section: str,
    key: str | None,
    item: dict[str, Any],
    *,
    dry_run: bool = False,
) -> tuple[int, list[Change]]:
    """Create (``key`` None or unknown) or replace (and possibly rename) one item. Returns
    the item's index in its section and the changes (nothing written when invalid)."""
    items = section_items(store, section)
    index = len(items)
    if key is not None:
        for i, existing in enumerate(items):
            if _key_of(section, existing) == _norm(section, key):
                index = i
                break
    if index == len(items):
        new_key = _key_of(section, item)
        if new_key and any(_key_of(section, x) == new_key for x in items):
            field = KEYED[section]
            raise InvalidWorkspace(
                [Problem(f"{section}[{index}].{field}", f"{new_key!r} exists already")]
            )
        items.append(item)
    else:
        items[index] = item
    return index, apply_workspace(store, {section: items}, dry_run=dry_run)


def deactivate_user(store: WorkspaceRepo, email: str) -> tuple[list[Change], list[str]]:
    """Users are deactivated, never deleted (their history stays; routing skips them).
    Returns the changes and who still names the user (``team 'SDR'``, ``router 'x' (...)``)."""
    _, item = find_item(store, "users", email)
    changes = put_item(store, "users", email, {**item, "active": False})[1]
    named = referrers(store.load(include_crm=False), "users", str(item["email"]))
    return changes, list(dict.fromkeys(r.owner for r in named))


def delete_item(store: WorkspaceRepo, section: str, key: str) -> list[Change]:
    """Remove one item. Refused (InUse, naming each referrer by slug and rule name) while
    something else still refers to it."""
    index, item = find_item(store, section, key)
    name = str(item[KEYED[section]])
    users = referrers(store.load(include_crm=False), section, name)
    if users:
        noun = NOUNS[section]
        owners = ", ".join(dict.fromkeys(r.owner for r in users))
        raise InUse(
            f"{noun} {name!r} is still used by {owners}: change or remove those first",
            [Problem(r.path, f"uses {noun} {name!r}", where=r.owner) for r in users],
        )
    items = section_items(store, section)
    del items[index]
    return apply_workspace(store, {section: items})


def put_settings(store: WorkspaceRepo, values: dict[str, Any]) -> list[Change]:
    """Workspace-wide settings (timezone, nearest-store routing, fallback destination)."""
    unknown = set(values) - set(SETTINGS)
    if unknown:
        raise InvalidWorkspace([Problem(k, "unknown setting") for k in sorted(unknown)])
    return apply_workspace(store, dict(values))


def relative_problems(err: InvalidWorkspace, section: str, index: int) -> list[Problem]:
    """The problems with paths relative to the edited item (``rules[0].when.op``); problems
    elsewhere in the workspace (another item that refers to this one, say) keep their full
    path and say, in ``where``, whose they are."""
    prefix = f"{section}[{index}]"
    out: list[Problem] = []
    for p in err.problems:
        if p.path == prefix:
            out.append(Problem("", p.message))
        elif p.path.startswith(prefix + "."):
            out.append(Problem(p.path[len(prefix) + 1 :], p.message))
        elif p.path.startswith(prefix + "["):
            out.append(Problem(p.path[len(prefix) :], p.message))
        else:
            out.append(p)
    return out


def item_problems(err: InvalidWorkspace, section: str, index: int) -> dict[str, str]:
    """``{path inside the item: message}`` for marking form fields; a problem elsewhere in
    the workspace is keyed by whose it is (``router 'q2' (rule 'X')``), or its full path."""
    out: dict[str, str] = {}
    for p in relative_problems(err, section, index):
        out.setdefault(p.where or p.path, p.message)
    return out


def _check_section(section: str) -> None:
    if section not in KEYED:
        raise NotFound(f"no section {section!r}", field="section")


def _key_of(section: str, item: dict[str, Any]) -> str:
    return _norm(section, str(item.get(KEYED[section], "")))


def _norm(section: str, key: str) -> str:
    return key.strip().lower() if section == "users" else key.strip()
