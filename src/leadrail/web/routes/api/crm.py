"""The built-in CRM's records over HTTP: list, read, create or update, delete."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from leadrail.app import crm_records
from leadrail.app.crm_import import CompanyRow, PersonRow
from leadrail.routing.errors import ProspectError
from leadrail.routing.normalise import normalise_domain, normalise_email
from leadrail.web.deps import Admin, ContainerDep
from leadrail.web.params import After, RecordId
from leadrail.web.routes.api.routing import ERRORS

router = APIRouter(prefix="/api/v1/crm", tags=["crm"])
People = Literal["contacts", "leads"]


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


def _page(page: crm_records.Page) -> dict[str, Any]:
    return {"results": page.results, "next_after": page.next_after}


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
    return _page(crm_records.list_companies(c.crm, domain=domain, after=after, limit=limit))


@router.delete("/companies/{company_id}", status_code=204, responses=ERRORS)
def delete_company(company_id: RecordId, c: ContainerDep, _: Admin) -> None:
    crm_records.delete_company(c.crm, company_id)


@router.put("/companies/by-domain", responses=ERRORS)
def put_company(body: CompanyIn, c: ContainerDep, _: Admin) -> JSONResponse:
    """Create the company that owns these domains, or update it (201 or 200)."""
    row = CompanyRow(tuple(body.domains), body.name, body.owner, body.tier)
    out, created = crm_records.put_company(c.crm, row)
    return JSONResponse(out, status_code=201 if created else 200)


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
    page = crm_records.list_people(c.crm, kind, email=email, owner=owner, after=after, limit=limit)
    return _page(page)


@router.put("/{kind}", responses=ERRORS)
def put_person(kind: People, body: PersonIn, c: ContainerDep, _: Admin) -> JSONResponse:
    """Create the contact or lead with this e-mail, or update it (201 or 200)."""
    row = PersonRow(body.email, body.owner, body.name, body.company)
    out, created = crm_records.put_person(c.crm, kind, row)
    return JSONResponse(out, status_code=201 if created else 200)


@router.get("/{kind}/{record_id}", responses=ERRORS)
def get_person(kind: People, record_id: RecordId, c: ContainerDep, _: Admin) -> dict[str, Any]:
    return crm_records.get_person(c.crm, kind, record_id)


@router.delete("/{kind}/{record_id}", status_code=204, responses=ERRORS)
def delete_person(kind: People, record_id: RecordId, c: ContainerDep, _: Admin) -> None:
    crm_records.delete_person(c.crm, kind, record_id)
