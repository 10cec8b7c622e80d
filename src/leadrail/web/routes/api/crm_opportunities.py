"""The built-in CRM's opportunities over HTTP: list, create or update by id, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from leadrail.app import crm_records
from leadrail.app.crm_import import OpportunityRow
from leadrail.app.workspace.crm import CrmOpportunityDoc, amount_text
from leadrail.web.deps import Admin, ContainerDep
from leadrail.web.params import After
from leadrail.web.routes.api.routing import ERRORS

router = APIRouter(prefix="/api/v1/crm/opportunities", tags=["crm"])
Key = Annotated[str, Path(min_length=1, max_length=64, description="The opportunity's id.")]


@router.get("", responses=ERRORS)
def list_opportunities(
    c: ContainerDep,
    _: Admin,
    email: str | None = None,
    domain: str | None = None,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Opportunities in the order written; `next_after` pages (pass it as `after`)."""
    page = crm_records.list_opportunities(
        c.crm, email=email, domain=domain, after=after, limit=limit
    )
    return {"results": page.results, "next_after": page.next_after}


@router.put("", responses=ERRORS)
def put_opportunity(doc: CrmOpportunityDoc, c: ContainerDep, _: Admin) -> JSONResponse:
    """Create the opportunity with this id, or update it (201 or 200): the workspace file's
    ``crm.opportunities`` entry."""
    amount = None if doc.amount is None else amount_text(doc.amount)
    row = OpportunityRow(
        doc.id, doc.name, doc.owner, doc.stage, amount, doc.open, doc.email, doc.domain
    )
    out, created = crm_records.put_opportunity(c.crm, row)
    return JSONResponse(out, status_code=201 if created else 200)


@router.delete("/{opportunity_id}", status_code=204, responses=ERRORS)
def delete_opportunity(opportunity_id: Key, c: ContainerDep, _: Admin) -> None:
    crm_records.delete_opportunity(c.crm, opportunity_id)
