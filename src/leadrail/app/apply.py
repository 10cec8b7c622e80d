"""Make the workspace match a document, and say what changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from leadrail.app.errors import Stale, Unavailable
from leadrail.app.ports import WorkspaceRepo
from leadrail.app.workspace import WorkspaceDoc, parse_workspace

KEYED: dict[str, str] = {
    "users": "email",
    "teams": "name",
    "lists": "name",
    "meeting_types": "slug",
    "routers": "slug",
    "categories": "name",
    "stores": "name",
    "sites": "name",
}
SAVE_ATTEMPTS = 5  # a save without a revision starts again after this many by others
SCALARS = (
    "timezone", "nearest_store_routing", "fallback_destination", "nearest_store_max_km",
    "language", "branding",
)  # fmt: skip


@dataclass(frozen=True)
class Change:
    op: str  # "+" added, "~" changed, "-" removed (or deactivated)
    section: str
    key: str
    detail: str = ""

    def __str__(self) -> str:
        tail = f" ({self.detail})" if self.detail else ""
        return f"{self.op} {self.section}: {self.key}{tail}"


def _dump(doc: Any) -> dict[str, Any]:
    out: dict[str, Any] = doc.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    return out


def _diff_section(
    section: str,
    key: str,
    old: list[Any],
    new: list[Any],
    removal: Callable[[dict[str, Any]], Change | None],
) -> list[Change]:
    before = {d[key]: d for d in map(_dump, old)}
    after = {d[key]: d for d in map(_dump, new)}
    changes = []
    for k, d in after.items():
        if k not in before:
            changes.append(Change("+", section, k))
        elif before[k] != d:
            fields = sorted(f for f in set(d) | set(before[k]) if d.get(f) != before[k].get(f))
            changes.append(Change("~", section, k, ", ".join(fields)))
    for k, d in before.items():
        if k not in after and (c := removal(d)) is not None:
            changes.append(c)
    return changes


def _user_removal(d: dict[str, Any]) -> Change | None:
    if d.get("admin") or d.get("active") is False:
        return None  # admins keep their access; inactive users are already out
    return Change("-", "users", d["email"], "deactivated: not in the file")


def _crm_changes(old: WorkspaceDoc, new: WorkspaceDoc) -> list[Change]:
    if new.crm is None:
        return []
    cur = old.crm
    out = []
    provider = (cur.provider, cur.connection) if cur else ("builtin", None)
    if (new.crm.provider, new.crm.connection) != provider:
        out.append(Change("~", "crm", "provider", new.crm.provider))
    if new.crm.mapping != (cur.mapping if cur else type(new.crm.mapping)()):
        out.append(Change("~", "crm", "mapping"))
    if new.crm.enrichment != (cur.enrichment if cur else type(new.crm.enrichment)()):
        out.append(Change("~", "crm", "enrichment", new.crm.enrichment.provider))
    for section, key in (("contacts", "email"), ("leads", "email")):
        before = {d[key]: d for d in map(_dump, getattr(cur, section) if cur else [])}
        for d in map(_dump, getattr(new.crm, section)):
            if d[key] not in before:
                out.append(Change("+", f"crm.{section}", d[key]))
            elif before[d[key]] != d:
                out.append(Change("~", f"crm.{section}", d[key]))
    known = {}
    for c in map(_dump, cur.companies if cur else []):
        for dom in [c.get("domain")] + c.get("domains", []):
            if dom:
                known[dom] = c
    for c in map(_dump, new.crm.companies):
        doms = [x for x in [c.get("domain")] + c.get("domains", []) if x]
        match = next((known[d] for d in doms if d in known), None)
        if match is None:
            out.append(Change("+", "crm.companies", doms[0]))
        elif match != c:
            out.append(Change("~", "crm.companies", doms[0]))
    return out


def diff(old: WorkspaceDoc, new: WorkspaceDoc) -> list[Change]:
    changes: list[Change] = []
    for name in SCALARS:
        a, b = getattr(old, name), getattr(new, name)
        if (a.model_dump() if hasattr(a, "model_dump") else a) != (
            b.model_dump() if hasattr(b, "model_dump") else b
        ):
            changes.append(Change("~", name, str(b.address if hasattr(b, "address") else b)))
    for section, key in KEYED.items():
        new_items = getattr(new, section)
        if new_items is None:
            continue
        if section == "users":
            old_admins = {u.email for u in old.users or [] if u.admin}
            new_items = [
                u.model_copy(update={"admin": True}) if u.email in old_admins else u
                for u in new_items
            ]
        removal = (
            _user_removal
            if section == "users"
            else (lambda d, s=section, k=key: Change("-", s, d[k]))
        )
        changes += _diff_section(section, key, getattr(old, section) or [], new_items, removal)
    return changes + _crm_changes(old, new)


def apply_workspace(
    store: WorkspaceRepo, data: object, *, dry_run: bool = False, revision: int | None = None
) -> list[Change]:
    """Validate ``data`` (raising InvalidWorkspace, with nothing written, when any path is
    wrong), then make the workspace match it in one transaction. Applying the same document
    twice changes nothing the second time. See ``apply_at`` for ``revision``."""
    return apply_at(store, data, dry_run=dry_run, revision=revision)[0]


def apply_at(
    store: WorkspaceRepo, data: object, *, dry_run: bool = False, revision: int | None = None
) -> tuple[list[Change], int]:
    """``apply_workspace``, also returning the workspace's revision afterwards.

    ``revision`` is the one the caller read before making ``data``: when the workspace was
    saved by someone else since, ``Stale`` (409) is raised and nothing is written. Without
    it the document is applied to the workspace as it is when saved: a save by someone else
    in between makes this one start again from theirs, so sections the document leaves out
    are never put back as they were."""
    include_crm = isinstance(data, dict) and "crm" in data
    for _ in range(SAVE_ATTEMPTS):
        at, current = store.load_revision(include_crm=include_crm)
        if revision is not None and revision != at:
            raise Stale(revision, at)
        doc = parse_workspace(data, base=current, url_problem=store.outbound_url_problem)
        changes = diff(current, doc)
        if not changes or dry_run:
            return changes, at
        try:
            return changes, store.save(doc, revision=at)
        except Stale:
            if revision is not None:
                raise
    raise Unavailable("the workspace is being changed by others right now; try again")


def workspace_is_empty(store: WorkspaceRepo) -> bool:
    """Nothing is configured yet (no user, team, router, ...): a fresh database."""
    doc = store.load(include_crm=False)
    return not any(getattr(doc, section) for section in KEYED)


def read_workspace(store: WorkspaceRepo, *, include_crm: bool = True) -> tuple[int, dict[str, Any]]:
    """The workspace's revision and its document (``export_workspace``) at that revision."""
    at, doc = store.load_revision(include_crm=include_crm)
    return at, _dump(doc)


def export_workspace(store: WorkspaceRepo, *, include_crm: bool = True) -> dict[str, Any]:
    return _dump(store.load(include_crm=include_crm))
