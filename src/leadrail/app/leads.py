"""Taking in a form or offer lead: check the site, honour the Idempotency-Key, find the
store and the destinations, and write the lead with its deliveries in one transaction (the
worker delivers them)."""

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
    RoutingRepo,
    SiteInfo,
    StoredLead,
)
from leadrail.app.route import route_prospect
from leadrail.leads.destinations import StoreMatch, resolve
from leadrail.leads.model import Lead
from leadrail.leads.nearest import StorePlace, nearest_store


class Unauthorized(LeadrailError):
    code = "unauthorized"
    status = 401


@dataclass(frozen=True)
class Where:
    """Location hints sent with the lead (all optional; none is trusted beyond its shape)."""

    store: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    postal_code: str | None = None
    country: str | None = None
    ip: str | None = None


@dataclass(frozen=True)
class Taken:
    lead: StoredLead
    created: bool  # False: the Idempotency-Key had been seen; this is the first lead
    site: SiteInfo


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
    where: Where,
    trace: list[str],
    chosen_by: str = "the visitor chose it",
) -> StoreMatch | None:
    chosen = next(
        (
            s
            for n, s in config.stores.items()
            if where.store and n.casefold() == where.store.casefold()
        ),
        None,
    )
    if chosen is not None:
        return StoreMatch(chosen.name, chosen.categories, chosen_by)
    if not config.nearest:
        return None
    places = {n: (s.latitude, s.longitude) for n, s in config.stores.items()}
    point = locator.locate(
        store=None,
        latitude=where.latitude,
        longitude=where.longitude,
        postal_code=where.postal_code,
        country=where.country,
        ip=where.ip,
        stores=places,
    )
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


def _routed(
    store: RoutingRepo, site: SiteInfo, lead: Lead, now: datetime, trace: list[str]
) -> tuple[str, str | None]:
    """A site's router may pick the category (a rule whose route is a category), and a store
    for it ({category: Service, store: Downtown})."""
    if site.router is None:
        return lead.category, None
    fields: dict[str, Any] = {
        "email": lead.customer.email,
        "category": lead.category,
        "offer": lead.offer,
        "name": lead.customer.name,
    }
    fields.update(dict(lead.utm))
    decided = route_prospect(
        store, site.router, fields, now, source="lead", anonymous=True
    ).decision
    if not decided.category:
        return lead.category, None
    at = f" at store {decided.store}" if decided.store else ""
    trace.append(
        f"router {site.router} chose category {decided.category}{at} (rule {decided.rule})"
    )
    return decided.category, decided.store


def _writes_crm(routing: RoutingRepo, site: SiteInfo) -> bool:
    """A site's router with ``crm: {create_or_update: true}`` records its leads in the CRM."""
    snap = routing.router(site.router) if site.router else None
    return bool(snap and snap.doc.crm.create_or_update)


def take_lead(
    store: LeadRepo,
    routing: RoutingRepo,
    locator: Locator,
    *,
    site_key: str | None,
    lead: Lead,
    where: Where,
    idempotency_key: str | None,
    now: datetime,
) -> Taken:
    config = store.lead_config()
    site = site_for(config, site_key)
    if idempotency_key:
        seen = store.lead_by_key(site.name, idempotency_key)
        if seen is not None:
            return Taken(seen, False, site)
    trace: list[str] = []
    lead = replace(lead, id=uuid.uuid4().hex, created_at=now, site=site.name)
    category, ruled_store = _routed(routing, site, lead, now, trace)
    lead = replace(lead, category=category)
    chosen_by = "the visitor chose it"
    if ruled_store and not where.store:
        where, chosen_by = replace(where, store=ruled_store), "a routing rule chose it"
    match = _store_match(config, locator, where, trace, chosen_by)
    resolution = resolve(lead.category, config.categories, config.fallback, match)
    if match is not None and resolution.source.startswith("store"):
        lead = replace(lead, store=match.name)
    trace += resolution.trace
    try:
        store.save_lead(
            lead,
            key=idempotency_key,
            trace=trace,
            targets=resolution.targets,
            now=now,
            crm_sync=_writes_crm(routing, site),
        )
    except DuplicateLead:
        seen = store.lead_by_key(site.name, idempotency_key or "")
        if seen is None:
            raise
        return Taken(seen, False, site)
    saved = store.lead(lead.id)
    assert saved is not None
    return Taken(saved, True, site)


def where_from(data: Mapping[str, Any], ip: str | None) -> Where:
    def num(key: str) -> float | None:
        value = data.get(key)
        return float(value) if isinstance(value, int | float) else None

    return Where(
        store=data.get("store") or None,
        latitude=num("latitude"),
        longitude=num("longitude"),
        postal_code=data.get("postal_code") or None,
        country=((data.get("customer") or {}).get("address") or {}).get("country") or None,
        ip=ip,
    )
