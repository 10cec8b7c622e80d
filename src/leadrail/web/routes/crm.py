"""The built-in CRM's records over HTTP: list, read, create or update, delete."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.app.errors import InvalidInput, NotFound
from leadrail.routing.errors import ProspectError
from leadrail.routing.normalise import normalise_domain, normalise_email
from leadrail.web.deps import Admin, ContainerDep
from leadrail.web.params import After, RecordId
from leadrail.web.routes.routing import ERRORS

router = APIRouter(prefix="/api/v1/crm", tags=["crm"])
P = TypeVar("P", t.CrmContact, t.CrmLead)
People = Literal["contacts", "leads"]
MODELS: dict[str, type[t.CrmContact] | type[t.CrmLead]] = {
    "contacts": t.CrmContact,
    "leads": t.CrmLead,
}


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254)
    owner: str | None = Field(default=None, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    company: str | None = Field(default=None, max_length=200)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        try:
            email = normalise_email(v, strip=False)
        except ProspectError as e:
            raise ValueError(e.message) from None
        if not email:
            raise ValueError("an e-mail address is needed")
        return email


class CompanyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    domains: list[str] = Field(min_length=1, max_length=50)
    name: str | None = Field(default=None, max_length=200)
    owner: str | None = Field(default=None, max_length=64)
    tier: str | None = Field(default=None, max_length=64)

    @field_validator("domains")
    @classmethod
    def _domains(cls, v: list[str]) -> list[str]:
        out = []
        for raw in v:
            domain = normalise_domain(raw)
            if not domain:
                raise ValueError(f"{raw!r} is not a domain")
            out.append(domain)
        return list(dict.fromkeys(out))


def _person(r: Any) -> dict[str, Any]:  # a CrmContact or CrmLead row
    return {
        "id": str(r.id),
        "email": r.email,
        "owner": r.owner_id,
        "name": r.name,
        "company": r.company,
    }


def _company(s: Session, company: t.CrmCompany) -> dict[str, Any]:
    domains = s.scalars(
        select(t.CrmCompanyDomain.domain).where(t.CrmCompanyDomain.company_id == company.id)
    ).all()
    return {
        "id": str(company.id),
        "domains": sorted(domains),
        "name": company.name,
        "owner": company.owner_id,
        "tier": company.tier,
    }


@router.get("/companies", responses=ERRORS)
def list_companies(
    c: ContainerDep,
    _: Admin,
    domain: str | None = None,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Companies by id with their domains; `domain` finds the one that owns a domain (or a
    parent domain of it)."""
    q = select(t.CrmCompany).where(t.CrmCompany.id > after).order_by(t.CrmCompany.id)
    with Session(c.engine) as s:
        if domain:
            found = c.store.crm_records("", normalise_domain(domain))
            ids = [int(r.id) for r in found if r.kind == "company"]
            q = q.where(t.CrmCompany.id.in_(ids[:1]))
        rows = [_company(s, x) for x in s.scalars(q.limit(limit))]
    return {"results": rows, "next_after": int(rows[-1]["id"]) if len(rows) == limit else None}


@router.delete("/companies/{company_id}", status_code=204, responses=ERRORS)
def delete_company(company_id: RecordId, c: ContainerDep, _: Admin) -> None:
    with c.store.write_lock(), Session(c.engine) as s, s.begin():
        s.execute(delete(t.CrmCompanyDomain).where(t.CrmCompanyDomain.company_id == company_id))
        if s.execute(delete(t.CrmCompany).where(t.CrmCompany.id == company_id)).rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"no company {company_id}", field="company_id")


@router.put("/companies/by-domain", responses=ERRORS)
def put_company(body: CompanyIn, c: ContainerDep, _: Admin) -> JSONResponse:
    """Create the company that owns these domains, or update it (201 or 200)."""
    from leadrail.app.crm_import import CompanyRow

    created, _updated = c.crm.import_companies(
        [CompanyRow(tuple(body.domains), body.name, body.owner, body.tier)]
    )
    records = c.store.crm_records("", body.domains[0])
    if not records:
        raise InvalidInput("the company could not be written", field="domains")
    return JSONResponse(
        {
            "id": records[0].id,
            "domains": body.domains,
            "name": body.name,
            "owner": body.owner,
            "tier": body.tier,
        },
        status_code=201 if created else 200,
    )


@router.get("/{kind}", responses=ERRORS)
def list_people(
    kind: People,
    c: ContainerDep,
    _: Admin,
    email: str | None = None,
    owner: str | None = None,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Contacts or leads, by id; `after` pages (the last id of the previous page)."""
    model = MODELS[kind]
    q = select(model).where(model.id > after).order_by(model.id).limit(limit)
    if email:
        q = q.where(model.email == email.strip().lower())
    if owner:
        q = q.where(model.owner_id == owner)
    with Session(c.engine) as s:
        rows = [_person(r) for r in s.scalars(q)]
    return {"results": rows, "next_after": int(rows[-1]["id"]) if len(rows) == limit else None}


def _upsert(s: Session, model: type[P], body: PersonIn) -> tuple[dict[str, Any], bool]:
    row = s.scalar(select(model).where(model.email == body.email))
    created = row is None
    if row is None:
        row = model(email=body.email)
        s.add(row)
    row.owner_id, row.name, row.company = body.owner, body.name, body.company
    s.flush()
    return _person(row), created


@router.put("/{kind}", responses=ERRORS)
def put_person(kind: People, body: PersonIn, c: ContainerDep, _: Admin) -> JSONResponse:
    """Create the contact or lead with this e-mail, or update it (201 or 200)."""
    with c.store.write_lock(), Session(c.engine) as s, s.begin():
        if kind == "contacts":
            out, created = _upsert(s, t.CrmContact, body)
        else:
            out, created = _upsert(s, t.CrmLead, body)
    return JSONResponse(out, status_code=201 if created else 200)


@router.get("/{kind}/{record_id}", responses=ERRORS)
def get_person(kind: People, record_id: RecordId, c: ContainerDep, _: Admin) -> dict[str, Any]:
    with Session(c.engine) as s:
        row = s.get(t.CrmContact if kind == "contacts" else t.CrmLead, record_id)
        if row is None:
            raise NotFound(f"no {kind[:-1]} {record_id}", field="record_id")
        return _person(row)


@router.delete("/{kind}/{record_id}", status_code=204, responses=ERRORS)
def delete_person(kind: People, record_id: RecordId, c: ContainerDep, _: Admin) -> None:
    model = MODELS[kind]
    with c.store.write_lock(), Session(c.engine) as s, s.begin():
        if s.execute(delete(model).where(model.id == record_id)).rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"no {kind[:-1]} {record_id}", field="record_id")
