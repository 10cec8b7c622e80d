"""Read the workspace document out of the database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.app.workspace import (
    STORED,
    BrandingDoc,
    CalendarDoc,
    CategoryDoc,
    CrmCompanyDoc,
    CrmConnectionDoc,
    CrmContactDoc,
    CrmDoc,
    CrmEnrichmentDoc,
    CrmLeadDoc,
    CrmMappingDoc,
    CrmOpportunityDoc,
    DestinationDoc,
    ListDoc,
    MeetingTypeDoc,
    RouterDoc,
    SiteDoc,
    StoreDoc,
    TeamDoc,
    TeamMemberDoc,
    UserDoc,
    VacationDoc,
    WorkspaceDoc,
)


def _dest(d: t.LeadDestination) -> DestinationDoc:
    return DestinationDoc.model_validate(
        {
            "address": d.address,
            "format": d.format,
            "secret_env": d.secret_env,
            "attach_xml": d.attach_xml,
        },
        context=STORED,
    )


def load_workspace(s: Session, *, include_crm: bool) -> WorkspaceDoc:
    meta = s.get_one(t.WorkspaceMeta, 1)
    users = s.scalars(select(t.User).order_by(t.User.id)).all()
    vacations: dict[int, list[VacationDoc]] = {}
    for v in s.scalars(select(t.Vacation).order_by(t.Vacation.start)):
        vacations.setdefault(v.user_id, []).append(VacationDoc(start=v.start, end=v.end))
    emails = {u.id: u.email for u in users}
    members: dict[int, list[TeamMemberDoc]] = {}
    for m in s.scalars(select(t.TeamMember).order_by(t.TeamMember.position)):
        members.setdefault(m.team_id, []).append(
            TeamMemberDoc(user=emails[m.user_id], weight=m.weight)
        )
    dests = s.scalars(select(t.LeadDestination).order_by(t.LeadDestination.position)).all()
    cats = {c.id: c.name for c in s.scalars(select(t.Category))}
    fallback = [d for d in dests if d.category_id is None and d.store_id is None]
    return WorkspaceDoc(
        timezone=meta.timezone,
        language=meta.settings.get("language", "en"),
        branding=BrandingDoc.model_validate(meta.settings.get("branding") or {}),
        users=[
            UserDoc(
                email=u.email,
                name=u.name,
                timezone=u.timezone,
                working_hours=u.working_hours,
                crm_owner_id=u.crm_owner_id,
                vacations=vacations.get(u.id, []),
                calendar=(
                    CalendarDoc.model_validate(u.calendar, context=STORED) if u.calendar else None
                ),
                credits=u.credits,
                active=u.active,
                admin=u.is_admin,
                caps=u.caps,
                **(u.live or {}),
            )
            for u in users
        ],
        teams=[
            TeamDoc(name=x.name, members=members.get(x.id, []))
            for x in s.scalars(select(t.Team).order_by(t.Team.id))
        ],
        lists=[
            ListDoc(name=x.name, values=x.values, query=x.query)
            for x in s.scalars(select(t.NamedList).order_by(t.NamedList.id))
        ],
        meeting_types=[
            MeetingTypeDoc.model_validate(x.config)
            for x in s.scalars(select(t.MeetingType).order_by(t.MeetingType.id))
        ],
        routers=[
            RouterDoc.model_validate(x.config)
            for x in s.scalars(select(t.Router).order_by(t.Router.position, t.Router.id))
        ],
        crm=_load_crm(s, meta.settings) if include_crm else None,
        categories=[
            CategoryDoc(
                name=name,
                destinations=[
                    _dest(d) for d in dests if d.category_id == cid and d.store_id is None
                ],
            )
            for cid, name in sorted(cats.items())
        ],
        fallback_destination=_dest(fallback[0]) if fallback else None,
        stores=[
            StoreDoc(
                name=x.name,
                latitude=x.latitude,
                longitude=x.longitude,
                postal_code=x.postal_code,
                categories=_store_categories(x.id, dests, cats),
            )
            for x in s.scalars(select(t.Store).order_by(t.Store.id))
        ],
        nearest_store_routing=bool(meta.settings.get("nearest_store_routing", False)),
        nearest_store_max_km=meta.settings.get("nearest_store_max_km"),
        sites=[
            SiteDoc.model_validate({"name": x.name, "key": x.key, **x.config})
            for x in s.scalars(select(t.Site).order_by(t.Site.id))
        ],
    )


def _store_categories(
    store_id: int, dests: Iterable[t.LeadDestination], cats: dict[int, str]
) -> dict[str, list[DestinationDoc]]:
    out: dict[str, list[DestinationDoc]] = {}
    for d in dests:
        if d.store_id == store_id and d.category_id is not None:
            out.setdefault(cats[d.category_id], []).append(_dest(d))
    return out


def _load_crm(s: Session, settings: dict[str, Any]) -> CrmDoc:
    domains: dict[int, list[str]] = {}
    for d in s.scalars(select(t.CrmCompanyDomain).order_by(t.CrmCompanyDomain.domain)):
        domains.setdefault(d.company_id, []).append(d.domain)
    connection = settings.get("crm_connection")
    return CrmDoc(
        provider=settings.get("crm_provider") or "builtin",
        connection=(
            CrmConnectionDoc.model_validate(connection, context=STORED) if connection else None
        ),
        mapping=CrmMappingDoc.model_validate(settings.get("crm_mapping") or {}),
        enrichment=CrmEnrichmentDoc.model_validate(
            settings.get("crm_enrichment") or {}, context=STORED
        ),
        contacts=_people(s, t.CrmContact, CrmContactDoc),
        leads=_people(s, t.CrmLead, CrmLeadDoc),
        opportunities=[
            CrmOpportunityDoc(
                id=o.key,
                name=o.name,
                owner=o.owner_id,
                stage=o.stage,
                amount=o.amount,
                open=o.is_open,
                email=o.email,
                domain=o.domain,
            )
            for o in s.scalars(select(t.CrmOpportunity).order_by(t.CrmOpportunity.id))
        ],
        companies=[
            _company_doc(c, domains.get(c.id, []))
            for c in s.scalars(select(t.CrmCompany).order_by(t.CrmCompany.id))
        ],
    )


def _company_doc(c: t.CrmCompany, domains: list[str]) -> CrmCompanyDoc:
    one = len(domains) == 1
    return CrmCompanyDoc(
        domain=domains[0] if one else None,
        domains=[] if one else domains,
        name=c.name,
        owner=c.owner_id,
        tier=c.tier,
        properties=c.properties or {},
    )


D = TypeVar("D", CrmContactDoc, CrmLeadDoc)


def _people(s: Session, table: type[t.CrmContact] | type[t.CrmLead], doc: type[D]) -> list[D]:
    """The built-in CRM's contacts or leads, as the workspace document lists them."""
    rows: Iterable[t.CrmContact | t.CrmLead] = s.scalars(select(table).order_by(table.id))
    return [
        doc(email=c.email, owner=c.owner_id, name=c.name, company=c.company,
            properties=c.properties or {})
        for c in rows
    ]  # fmt: skip
