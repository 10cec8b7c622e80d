"""Make the database match a workspace document."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.app.workspace import (
    CrmContactDoc,
    CrmDoc,
    CrmLeadDoc,
    CrmOpportunityDoc,
    DestinationDoc,
    RouterDoc,
    TeamDoc,
    UserDoc,
    WorkspaceDoc,
)
from leadrail.app.workspace.crm import amount_text

Row = TypeVar("Row", bound=t.Base)


def _by(s: Session, model: type[Row], key: str) -> dict[str, Row]:
    return {getattr(r, key): r for r in s.scalars(select(model))}


def save_workspace(s: Session, doc: WorkspaceDoc, now: datetime) -> int:
    """Make the database match ``doc`` (sections that are None are left alone). Runs inside
    the caller's transaction; returns the new revision."""
    meta = s.get_one(t.WorkspaceMeta, 1)
    meta.timezone = doc.timezone
    meta.settings = {
        **meta.settings,
        "nearest_store_routing": doc.nearest_store_routing,
        "nearest_store_max_km": doc.nearest_store_max_km,
        "language": doc.language,
        "branding": doc.branding.model_dump(exclude_defaults=True),
    }
    if doc.sites is not None:
        _replace_keyed(
            s,
            t.Site,
            "name",
            {
                x.name: {
                    "key": x.key,
                    "config": x.model_dump(
                        mode="json", exclude={"name", "key"}, exclude_defaults=True
                    ),
                }
                for x in doc.sites
            },
        )
    if doc.users is not None:
        _save_users(s, doc.users, now)
    if doc.teams is not None:
        _save_teams(s, doc.teams)
    if doc.lists is not None:
        _save_lists(s, doc)
    if doc.meeting_types is not None:
        _replace_keyed(
            s,
            t.MeetingType,
            "slug",
            {
                m.slug: {"config": m.model_dump(mode="json", exclude_defaults=True)}
                for m in doc.meeting_types
            },
        )
    if doc.routers is not None:
        _save_routers(s, doc.routers)
    if doc.categories is not None:
        _save_categories(s, doc)
    if doc.stores is not None:
        _save_stores(s, doc)
    if doc.crm is not None:
        _save_crm(s, doc.crm)
        meta.settings = {
            **meta.settings,
            "crm_provider": doc.crm.provider,
            "crm_connection": doc.crm.connection.model_dump(mode="json")
            if doc.crm.connection
            else None,
            "crm_mapping": doc.crm.mapping.model_dump(mode="json", exclude_defaults=True),
            "crm_enrichment": doc.crm.enrichment.model_dump(mode="json", exclude_defaults=True),
        }
    meta.revision += 1
    s.flush()
    return meta.revision


def _save_lists(s: Session, doc: WorkspaceDoc) -> None:
    """Lists by name. A query list saved without values keeps the values its last refresh
    found; a query that changed is read again at the worker's next look."""
    stored = {r.name: r.query for r in s.scalars(select(t.NamedList))}
    wanted: dict[str, dict[str, Any]] = {}
    for x in doc.lists or []:
        query = x.query.model_dump(mode="json") if x.query else None
        row: dict[str, Any] = {"query": query}
        if x.values or not query:
            row["values"] = x.values
        if query != stored.get(x.name):
            row["refreshed_at"] = None
        wanted[x.name] = row
    _replace_keyed(s, t.NamedList, "name", wanted)


def _replace_keyed(
    s: Session, model: type[Row], key: str, wanted: dict[str, dict[str, Any]]
) -> dict[str, Row]:
    existing = _by(s, model, key)
    for k, row in existing.items():
        if k not in wanted:
            s.delete(row)
    s.flush()  # deletes first: a renamed site keeps its unique key
    for k, values in wanted.items():
        found = existing.get(k)
        if found is None:
            found = model(**{key: k}, **values)
            s.add(found)
            existing[k] = found
        else:
            for attr, value in values.items():
                setattr(found, attr, value)
    s.flush()
    return {k: existing[k] for k in wanted}


def _save_users(s: Session, users: list[UserDoc], now: datetime) -> None:
    existing = _by(s, t.User, "email")
    wanted = {u.email for u in users}
    for email, row in existing.items():
        if email not in wanted and not row.is_admin:
            row.active = False  # kept for the ledger and history; an admin keeps its access
    for u in users:
        found = existing.get(u.email)
        if found is None:
            found = t.User(email=u.email, created_at=now, is_admin=False)
            s.add(found)
        row = found
        row.name, row.timezone, row.working_hours = u.name, u.timezone, u.working_hours
        row.crm_owner_id, row.credits, row.active = u.crm_owner_id, u.credits, u.active
        row.calendar = u.calendar.model_dump(mode="json") if u.calendar else None
        row.is_admin = row.is_admin or u.admin  # apply grants admin, never takes it away
        row.live = u.model_dump(
            mode="json", include={"max_chats", "aligned"}, exclude_defaults=True
        )
        row.caps = u.caps.model_dump(mode="json", exclude_none=True) if u.caps else None
        s.flush()
        s.execute(delete(t.Vacation).where(t.Vacation.user_id == row.id))
        s.add_all(t.Vacation(user_id=row.id, start=v.start, end=v.end) for v in u.vacations)


def _save_teams(s: Session, teams: list[TeamDoc]) -> None:
    rows = _replace_keyed(s, t.Team, "name", {x.name: {} for x in teams})
    ids = {u.email: u.id for u in s.scalars(select(t.User))}
    for team in teams:
        tid = rows[team.name].id
        s.execute(delete(t.TeamMember).where(t.TeamMember.team_id == tid))
        s.add_all(
            t.TeamMember(team_id=tid, user_id=ids[m.user], weight=m.weight, position=i)
            for i, m in enumerate(team.members)
        )


def _save_routers(s: Session, routers: list[RouterDoc]) -> None:
    before = set(_by(s, t.Router, "slug"))
    _replace_keyed(
        s,
        t.Router,
        "slug",
        {
            r.slug: {
                "title": r.title,
                "position": i,
                "config": r.model_dump(mode="json", exclude_defaults=True, by_alias=True),
            }
            for i, r in enumerate(routers)
        },
    )
    for slug in before - {r.slug for r in routers}:
        s.execute(delete(t.RotationState).where(t.RotationState.pool_key.startswith(f"{slug}/")))


def _add_dests(
    s: Session, dests: list[DestinationDoc], *, category_id: int | None, store_id: int | None
) -> None:
    s.add_all(
        t.LeadDestination(
            category_id=category_id,
            store_id=store_id,
            address=d.address,
            format=d.format,
            secret_env=d.secret_env,
            attach_xml=d.attach_xml,
            position=i,
        )
        for i, d in enumerate(dests)
    )


def _save_categories(s: Session, doc: WorkspaceDoc) -> None:
    rows = _replace_keyed(s, t.Category, "name", {c.name: {} for c in doc.categories or []})
    s.execute(delete(t.LeadDestination).where(t.LeadDestination.store_id.is_(None)))
    for c in doc.categories or []:
        _add_dests(s, c.destinations, category_id=rows[c.name].id, store_id=None)
    if doc.fallback_destination is not None:
        _add_dests(s, [doc.fallback_destination], category_id=None, store_id=None)


def _save_stores(s: Session, doc: WorkspaceDoc) -> None:
    rows = _replace_keyed(
        s,
        t.Store,
        "name",
        {
            x.name: {"latitude": x.latitude, "longitude": x.longitude, "postal_code": x.postal_code}
            for x in doc.stores or []
        },
    )
    cats = {c.name: c.id for c in s.scalars(select(t.Category))}
    s.execute(delete(t.LeadDestination).where(t.LeadDestination.store_id.is_not(None)))
    for x in doc.stores or []:
        for name, dests in x.categories.items():
            _add_dests(s, dests, category_id=cats[name], store_id=rows[x.name].id)


Person = TypeVar("Person", t.CrmContact, t.CrmLead)


def _upsert_people(
    s: Session, model: type[Person], docs: list[CrmContactDoc] | list[CrmLeadDoc]
) -> None:
    emails = [d.email for d in docs]
    existing = {r.email: r for r in s.scalars(select(model).where(model.email.in_(emails)))}
    for d in docs:
        row = existing.get(d.email) or model(email=d.email)
        row.owner_id, row.name, row.company = d.owner, d.name, d.company
        row.properties = dict(d.properties) or None
        s.add(row)


def _save_crm(s: Session, crm: CrmDoc) -> None:
    """CRM records are upserted, never deleted by a workspace file (imports hold the rest)."""
    _upsert_people(s, t.CrmContact, crm.contacts)
    _upsert_people(s, t.CrmLead, crm.leads)
    for c in crm.companies:
        domains = [x.lower() for x in ([c.domain] if c.domain else []) + c.domains]
        found = s.scalar(
            select(t.CrmCompanyDomain.company_id)
            .where(t.CrmCompanyDomain.domain.in_(domains))
            .limit(1)
        )
        if found is None:
            company = t.CrmCompany(
                name=c.name, owner_id=c.owner, tier=c.tier, properties=dict(c.properties) or None
            )
            s.add(company)
            s.flush()
            found = company.id
        else:
            s.execute(
                update(t.CrmCompany)
                .where(t.CrmCompany.id == found)
                .values(
                    name=c.name,
                    owner_id=c.owner,
                    tier=c.tier,
                    properties=dict(c.properties) or None,
                )
            )
        s.execute(delete(t.CrmCompanyDomain).where(t.CrmCompanyDomain.domain.in_(domains)))
        s.add_all(t.CrmCompanyDomain(domain=d, company_id=found) for d in domains)
    _save_opportunities(s, crm.opportunities)


def _save_opportunities(s: Session, docs: list[CrmOpportunityDoc]) -> None:
    o = t.CrmOpportunity
    existing = {r.key: r for r in s.scalars(select(o).where(o.key.in_([d.id for d in docs])))}
    for d in docs:
        row = existing.get(d.id) or o(key=d.id)
        row.name, row.owner_id, row.stage = d.name, d.owner, d.stage
        row.amount = None if d.amount is None else amount_text(d.amount)
        row.is_open, row.email, row.domain = d.open, d.email, d.domain
        s.add(row)
