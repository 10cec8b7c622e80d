"""Edit one item of the workspace (a user, a team, a router, ...) the way ``leadrail apply``
does: the changed section goes through the same validation and the same transaction, so the
dashboard and the per-entity API can never store what a workspace file could not.

Problems come back as InvalidWorkspace whose paths start at the workspace root
(``routers[2].rules[0].when.op``); ``item_problems`` turns them into paths relative to the
edited item (``rules[0].when.op``) for marking form fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from leadrail.app.apply import KEYED, SAVE_ATTEMPTS, Change, _dump, apply_workspace
from leadrail.app.errors import InUse, InvalidWorkspace, NotFound, Problem, Stale, Unavailable
from leadrail.app.ports import WorkspaceRepo
from leadrail.app.references import NOUNS, referrers
from leadrail.app.workspace import WorkspaceDoc

T = TypeVar("T")
SETTINGS = ("timezone", "nearest_store_routing", "nearest_store_max_km", "fallback_destination")


def section_items(store: WorkspaceRepo, section: str) -> list[dict[str, Any]]:
    """The section's items as the workspace file shows them (defaults left out)."""
    return read_section(store, section)[1]


def read_section(store: WorkspaceRepo, section: str) -> tuple[int, list[dict[str, Any]]]:
    """The workspace's revision and the section's items at that revision."""
    _check_section(section)
    at, doc = store.load_revision(include_crm=False)
    return at, _items(doc, section)


def read_sections(
    store: WorkspaceRepo, sections: tuple[str, ...], *, revision: int | None = None
) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    """The revision and these sections' items, read together; ``Stale`` when ``revision``
    is given and the workspace is not at it any more."""
    for section in sections:
        _check_section(section)
    at, doc = store.load_revision(include_crm=False)
    if revision is not None and revision != at:
        raise Stale(revision, at)
    return at, {section: _items(doc, section) for section in sections}


def find_item(store: WorkspaceRepo, section: str, key: str) -> tuple[int, dict[str, Any]]:
    return _find(section_items(store, section), section, key)


def read_item(store: WorkspaceRepo, section: str, key: str) -> tuple[int, int, dict[str, Any]]:
    """The workspace's revision, and the item's index and value at that revision."""
    at, items = read_section(store, section)
    return (at, *_find(items, section, key))


def put_item(
    store: WorkspaceRepo,
    section: str,
    key: str | None,
    item: dict[str, Any],
    *,
    dry_run: bool = False,
    revision: int | None = None,
) -> tuple[int, list[Change]]:
    """Create (``key`` None or unknown) or replace (and possibly rename) one item. Returns
    the item's index in its section and the changes (nothing written when invalid).
    ``revision``: the one the caller read the item at (see ``apply_at``)."""

    def attempt(expected: int | None) -> tuple[int, list[Change]]:
        at, items = _read(store, section, expected)
        index = _index(items, section, key)
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
        return index, apply_workspace(store, {section: items}, dry_run=dry_run, revision=at)

    return pinned(revision, attempt)


def deactivate_user(
    store: WorkspaceRepo, email: str, *, revision: int | None = None
) -> tuple[list[Change], list[str]]:
    """Users are deactivated, never deleted (their history stays; routing skips them).
    Returns the changes and who still names the user (``team 'SDR'``, ``router 'x' (...)``)."""

    def attempt(expected: int | None) -> tuple[int, list[Change]]:
        at, items = _read(store, "users", expected)
        item = items[_found(items, "users", email)]
        return put_item(store, "users", email, {**item, "active": False}, revision=at)

    changes = pinned(revision, attempt)[1]
    named = referrers(store.load(include_crm=False), "users", _norm("users", email))
    return changes, list(dict.fromkeys(r.owner for r in named))


def delete_item(
    store: WorkspaceRepo, section: str, key: str, *, revision: int | None = None
) -> list[Change]:
    """Remove one item. Refused (InUse, naming each referrer by slug and rule name) while
    something else still refers to it."""

    def attempt(expected: int | None) -> list[Change]:
        _check_section(section)
        at, doc = store.load_revision(include_crm=False)
        if expected is not None and expected != at:
            raise Stale(expected, at)
        items = _items(doc, section)
        index = _found(items, section, key)
        name = str(items[index][KEYED[section]])
        users = referrers(doc, section, name)
        if users:
            noun = NOUNS[section]
            owners = ", ".join(dict.fromkeys(r.owner for r in users))
            raise InUse(
                f"{noun} {name!r} is still used by {owners}: change or remove those first",
                [Problem(r.path, f"uses {noun} {name!r}", where=r.owner) for r in users],
            )
        del items[index]
        return apply_workspace(store, {section: items}, revision=at)

    return pinned(revision, attempt)


def delete_or_deactivate(
    store: WorkspaceRepo, section: str, key: str, *, revision: int | None = None
) -> tuple[list[Change], list[str]]:
    """Remove one item, as the dashboard and the per-item API do: users are deactivated
    (``active: false``: their teams and history keep referring to them; returned: who still
    names them); other items are removed, refused while something refers to them."""
    if section != "users":
        return delete_item(store, section, key, revision=revision), []
    return deactivate_user(store, key, revision=revision)


def put_settings(
    store: WorkspaceRepo, values: dict[str, Any], *, revision: int | None = None
) -> list[Change]:
    """Workspace-wide settings (timezone, nearest-store routing, fallback destination)."""
    unknown = set(values) - set(SETTINGS)
    if unknown:
        raise InvalidWorkspace([Problem(k, "unknown setting") for k in sorted(unknown)])
    return apply_workspace(store, dict(values), revision=revision)


def pinned(revision: int | None, attempt: Callable[[int | None], T]) -> T:
    """Run ``attempt`` (a read, a change, a save at the revision read). With ``revision``
    (the caller's read) a workspace that moved on raises ``Stale``; without, a save by
    someone else in between makes the attempt start again from theirs."""
    for _ in range(SAVE_ATTEMPTS):
        try:
            return attempt(revision)
        except Stale:
            if revision is not None:
                raise
    raise Unavailable("the workspace is being changed by others right now; try again")


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


def _items(doc: WorkspaceDoc, section: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = _dump(doc).get(section) or []
    return items


def _read(
    store: WorkspaceRepo, section: str, expected: int | None
) -> tuple[int, list[dict[str, Any]]]:
    at, found = read_sections(store, (section,), revision=expected)
    return at, found[section]


def _index(items: list[dict[str, Any]], section: str, key: str | None) -> int:
    """The index of the item keyed ``key``; ``len(items)`` (a new one) when there is none."""
    if key is not None:
        for i, existing in enumerate(items):
            if _key_of(section, existing) == _norm(section, key):
                return i
    return len(items)


def _found(items: list[dict[str, Any]], section: str, key: str) -> int:
    index = _index(items, section, key)
    if index == len(items):
        raise NotFound(f"no {section[:-1].replace('_', ' ')} {key!r}", field=KEYED[section])
    return index


def _find(items: list[dict[str, Any]], section: str, key: str) -> tuple[int, dict[str, Any]]:
    index = _found(items, section, key)
    return index, items[index]
