"""Taking in a form or offer lead: check the site, honour the Idempotency-Key, find the
store and the destinations, and write the lead with its deliveries in one transaction (the
worker delivers them). When the site has a router, that transaction is the one that records
the routing decision: a lead and the decision that sent it are kept together or not at all
(a duplicate Idempotency-Key that lost a race leaves nothing of its own)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from leadrail.app.errors import LeadrailError
from leadrail.app.ports import (
    DuplicateLead,
    LeadConfig,
    LeadRepo,
    Locator,
    RecordedDecision,
    RoutingRepo,
    RoutingTransaction,
    SiteInfo,
    StoredLead,
)
from leadrail.app.route import route_prospect
from leadrail.leads.destinations import StoreMatch, Target, resolve
from leadrail.leads.model import Lead
from leadrail.leads.nearest import LocationHints, StorePlace, nearest_store

CHOSEN_BY_VISITOR, CHOSEN_BY_RULE = "the visitor chose it", "a routing rule chose it"


class Unauthorized(LeadrailError):
    code = "unauthorized"
    status = 401


@dataclass(frozen=True)
class Taken:
    lead: StoredLead
    created: bool  # False: the Idempotency-Key had been seen; this is the first lead
    site: SiteInfo


@dataclass(frozen=True)
class _Placed:
    """A lead ready to write: its store and category settled, where it goes, and why."""

    lead: Lead
    trace: list[str]
    targets: tuple[Target, ...]


def site_for(config: LeadConfig, key: str | None) -> SiteInfo:
    site = config.sites.get(key or "")
    if site is None:
        raise Unauthorized(
            "unknown site key: send the key of a site in the workspace", field="site_key"
        )
    return site


def _store_match(
    config: LeadConfig,
    locator: Locator,
    hints: LocationHints,
    trace: list[str],
    chosen_by: str = CHOSEN_BY_VISITOR,
) -> StoreMatch | None:
    chosen = next(
        (
            s
            for n, s in config.stores.items()
            if hints.store and n.casefold() == hints.store.casefold()
        ),
        None,
    )
    if chosen is not None:
        return StoreMatch(chosen.name, chosen.categories, chosen_by)
    if not config.nearest:
        return None
    places = {n: (s.latitude, s.longitude) for n, s in config.stores.items()}
    point = locator.locate(replace(hints, store=None), places)
    if point is None:
        trace.append("nearest store: the visitor's location is unknown")
        return None
    found = nearest_store(
        point, [StorePlace(n, la, lo) for n, (la, lo) in places.items()], max_km=config.max_km
    )
    if found is None:
        trace.append(f"nearest store: none within {config.max_km} km of {point.source}")
        return None
    place, km = found
    return StoreMatch(
        place.name, config.stores[place.name].categories, f"nearest to {point.source} ({km:.1f} km)"
    )


def _placed(
    config: LeadConfig,
    locator: Locator,
    lead: Lead,
    hints: LocationHints,
    routed: RecordedDecision | None,
) -> _Placed:
    """Where the lead goes. A site's router may have picked the category (a rule whose route
    is a category), and a store for it ({category: Service, store: Downtown}); a store the
    visitor chose comes first."""
    trace: list[str] = []
    chosen_by = CHOSEN_BY_VISITOR
    decided = routed.decision if routed is not None else None
    if routed is not None and decided is not None and decided.category:
        at = f" at store {decided.store}" if decided.store else ""
        why = f"(rule {decided.rule})"
        trace.append(f"router {routed.router} chose category {decided.category}{at} {why}")
        lead = replace(lead, category=decided.category)
        if decided.store and not hints.store:
            hints, chosen_by = replace(hints, store=decided.store), CHOSEN_BY_RULE
    match = _store_match(config, locator, hints, trace, chosen_by)
    resolution = resolve(lead.category, config.categories, config.fallback, match)
    if match is not None and resolution.source.startswith("store"):
        lead = replace(lead, store=match.name)
    return _Placed(lead, trace + list(resolution.trace), tuple(resolution.targets))


def _routing_fields(lead: Lead) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "email": lead.customer.email,
        "category": lead.category,
        "offer": lead.offer,
        "name": lead.customer.name,
    }
    fields.update(dict(lead.utm))
    return fields


def _writes_crm(routing: RoutingRepo, site: SiteInfo) -> bool:
    """A site's router with ``crm: {create_or_update: true}`` records its leads in the CRM."""
    snap = routing.router(site.router) if site.router else None
    return bool(snap and snap.doc.crm.create_or_update)


def take_lead(
    repo: LeadRepo,
    routing: RoutingRepo,
    locator: Locator,
    *,
    site_key: str | None,
    lead: Lead,
    hints: LocationHints,
    idempotency_key: str | None,
    now: datetime,
) -> Taken:
    config = repo.lead_config()
    site = site_for(config, site_key)
    if idempotency_key:
        seen = repo.lead_by_key(site.name, idempotency_key)
        if seen is not None:
            return Taken(seen, False, site)
    lead = replace(lead, id=uuid.uuid4().hex, created_at=now, site=site.name)
    try:
        if site.router is None:
            placed = _placed(config, locator, lead, hints, None)
            saved = repo.save_lead(
                placed.lead, key=idempotency_key, trace=placed.trace, targets=placed.targets,
                now=now,
            )  # fmt: skip
        else:
            saved = _route_and_save(
                routing, locator, config, site, lead, hints, idempotency_key, now
            )
    except DuplicateLead:
        seen = repo.lead_by_key(site.name, idempotency_key or "")
        if seen is None:
            raise
        return Taken(seen, False, site)
    return Taken(saved, True, site)  # as written (and committed): no second read


def _route_and_save(
    routing: RoutingRepo,
    locator: Locator,
    config: LeadConfig,
    site: SiteInfo,
    lead: Lead,
    hints: LocationHints,
    key: str | None,
    now: datetime,
) -> StoredLead:
    """Route the lead through its site's router and write it, with its deliveries, in the
    transaction that records the decision (DuplicateLead: nothing of either is kept)."""
    assert site.router is not None
    crm_sync = _writes_crm(routing, site)
    saved: list[StoredLead] = []

    def then(tx: RoutingTransaction, routed: RecordedDecision) -> None:
        placed = _placed(config, locator, lead, hints, routed)
        saved[:] = [
            tx.save_lead(
                placed.lead, key=key, trace=placed.trace, targets=placed.targets, now=now,
                crm_sync=crm_sync,
            )
        ]  # fmt: skip

    fields = _routing_fields(lead)
    route_prospect(routing, site.router, fields, now, source="lead", anonymous=True, then=then)
    return saved[0]


def hints_from(data: Mapping[str, Any], ip: str | None) -> LocationHints:
    """The location hints sent with a lead (its body as data) and the client's address."""

    def num(key: str) -> float | None:
        value = data.get(key)
        return float(value) if isinstance(value, int | float) else None

    return LocationHints(
        store=data.get("store") or None,
        latitude=num("latitude"),
        longitude=num("longitude"),
        postal_code=data.get("postal_code") or None,
        country=((data.get("customer") or {}).get("address") or {}).get("country") or None,
        ip=ip,
    )
