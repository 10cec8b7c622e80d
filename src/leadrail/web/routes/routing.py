"""Routing endpoints: route a prospect, read the ledger."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from leadrail.app.errors import NotFound
from leadrail.app.route import route_prospect
from leadrail.web.deps import Admin, ContainerDep
from leadrail.web.schemas import DecisionOut, ErrorOut, ProspectIn, decision_json

router = APIRouter(prefix="/api/v1", tags=["routing"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut},
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


@router.post("/routers/{slug}/route", response_model=DecisionOut, responses=ERRORS)
def route_one(
    slug: str,
    c: ContainerDep,
    _: Admin,
    prospect: Annotated[ProspectIn, Body()],
    dry_run: Annotated[bool, Query(description="Decide without recording.")] = False,
) -> JSONResponse:
    """Route one prospect: the assignee(s), the rule that matched and the trace. Recorded in
    the assignment ledger unless ``dry_run``."""
    rec = route_prospect(
        c.store, slug, prospect.fields(), c.clock.now(), dry_run=dry_run, source="api"
    )
    return JSONResponse(decision_json(rec))  # already the documented shape: skip re-validation


@router.get("/decisions", responses=ERRORS)
def list_decisions(
    c: ContainerDep,
    _: Admin,
    router_slug: Annotated[str | None, Query(alias="router")] = None,
    email: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """The assignment ledger, newest first; filter by router and e-mail."""
    return [_row(r) for r in c.store.decisions(router_slug, email, limit)]


@router.get("/decisions/{decision_id}", responses=ERRORS)
def get_decision(decision_id: str, c: ContainerDep, _: Admin) -> dict[str, Any]:
    row = c.store.decision(decision_id)
    if row is None:
        raise NotFound(f"no decision {decision_id!r}", field="decision_id")
    return _row(row)


def _row(r: Any) -> dict[str, Any]:
    return {
        "decision_id": r.id,
        "router": r.router,
        "created_at": r.created_at.isoformat(),
        "email": r.email,
        "rule": r.rule,
        "via": r.via,
        "assignees": r.assignees,
        "trace": r.trace,
        "prospect": r.prospect,
    }
