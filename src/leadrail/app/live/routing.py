"""Live routing through the engine: the router's users carry their presence
(``UserInfo.online``), so owners and pool members who cannot take the visitor now are passed
over; the owner's aligned users come along when the ownership step says so."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from leadrail.app.ports import RouterSnapshot, RoutingRepo, RoutingTransaction
from leadrail.app.ports.live import LiveUser, VisitorRow
from leadrail.app.route import route_prospect
from leadrail.app.workspace import OwnershipDoc
from leadrail.routing.model import CrmRecord, Decision

_FIELD = re.compile(r"^[a-z0-9_.-]{1,64}$")


class PresenceStore:
    """A RoutingRepo whose users are online exactly when ``available(email)`` says so."""

    def __init__(self, store: RoutingRepo, available: Callable[[str], bool]) -> None:
        self._store = store
        self._available = available

    def router(self, slug: str, *, revision: int | None = None) -> RouterSnapshot | None:
        snap = self._store.router(slug, revision=revision)
        if snap is None:
            return None
        users = {e: replace(u, online=self._available(e)) for e, u in snap.users.items()}
        return replace(snap, users=users)

    def crm_records(self, email: str, domain: str) -> tuple[CrmRecord, ...]:
        return self._store.crm_records(email, domain)

    def transaction(
        self, slug: str, *, write: bool, wait: bool = True
    ) -> AbstractContextManager[RoutingTransaction]:
        return self._store.transaction(slug, write=write, wait=wait)


@dataclass(frozen=True)
class Routed:
    reps: tuple[str, ...]
    why: str
    decision_id: str | None
    crm: dict[str, str] | None


def prospect_fields(v: VisitorRow, extra: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What the engine sees of a visitor (field names it cannot read are left out)."""
    raw: dict[str, Any] = {}
    for key, value in {**v.fields, **(extra or {})}.items():
        name = key.strip().lower()
        if _FIELD.match(name) and value:
            raw[name] = value
    for key, value in (
        ("email", v.email),
        ("name", v.name),
        ("company", v.company),
        ("page_url", v.page_url),
        ("referrer", v.referrer),
        ("country", (v.location or {}).get("country", "")),
    ):
        if value:
            raw[key] = value
    return raw


def explain(decision: Decision) -> str:
    """The decision's trace in one line, without the rules that did not match."""
    parts = [
        s.detail for s in decision.trace if not (s.step == "rule" and s.outcome == "no_match")
    ] or ["no decision"]
    return "; ".join(parts)[:2000]


def _ownership(snap: RouterSnapshot, rule: str | None) -> OwnershipDoc | None:
    if rule is None:
        return snap.doc.ownership
    found = next((r for r in snap.doc.rules if r.name == rule), None)
    return found.ownership if found else None


def _aligned(
    snap: RouterSnapshot | None,
    decision: Decision,
    users: Mapping[str, LiveUser],
    available: Callable[[str], bool],
) -> tuple[tuple[str, ...], str]:
    owner = decision.assignee
    if snap is None or decision.via != "owner" or owner is None:
        return (), ""
    spec = _ownership(snap, decision.rule)
    if spec is None or not spec.include_aligned:
        return (), ""
    aligned = users[owner].aligned if owner in users else ()
    ready = tuple(e for e in aligned if available(e))
    skipped = [e for e in aligned if e not in ready]
    why = f"with the owner's aligned {', '.join(ready) or 'nobody'}"
    return ready, why + (f" (not available: {', '.join(skipped)})" if skipped else "")


def route_visitor(
    store: RoutingRepo,
    slug: str,
    v: VisitorRow,
    now: datetime,
    *,
    available: Callable[[str], bool],
    users: Mapping[str, LiveUser],
    extra: Mapping[str, str] | None = None,
) -> Routed:
    """Route a visitor with router ``slug``; the decision goes to the ledger (source
    ``live``)."""
    live = PresenceStore(store, available)
    recorded = route_prospect(
        live, slug, prospect_fields(v, extra), now, source="live", anonymous=True
    )
    decision = recorded.decision
    extra_reps, extra_why = _aligned(live.router(slug), decision, users, available)
    reps = tuple(dict.fromkeys((*decision.assignees, *extra_reps)))
    why = explain(decision) + (f"; {extra_why}" if extra_why else "")
    record = decision.owner_record
    crm = {"owner": record.owner_id or "", "record": record.kind} if record else None
    return Routed(reps, why, recorded.id, crm)


def iter_crm(records: tuple[CrmRecord, ...]) -> Iterator[dict[str, str]]:
    for r in records:
        yield {"owner": r.owner_id or "", "record": r.kind}
