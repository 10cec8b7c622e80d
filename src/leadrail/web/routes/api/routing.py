"""Routing endpoints: route a prospect, read the ledger."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from leadrail.app.errors import InvalidInput, NotFound
from leadrail.app.route import route_prospect
from leadrail.bootstrap import Container
from leadrail.web.deps import Admin, ContainerDep, admin_token
from leadrail.web.edge_middleware import json_body
from leadrail.web.schemas import DecisionOut, ErrorOut, ProspectIn, decision_body

router = APIRouter(prefix="/api/v1", tags=["routing"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut},
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


ROUTE_BODY: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"application/json": {
        "schema": ProspectIn.model_json_schema()}}},
    "security": [{"HTTPBearer": []}],
}  # fmt: skip


@router.post(
    "/routers/{slug}/route", response_model=DecisionOut, responses=ERRORS, openapi_extra=ROUTE_BODY
)
async def route_one(
    slug: str,
    request: Request,
    dry_run: Annotated[bool, Query(description="Decide without recording.")] = False,
) -> Response:
    """Route one prospect: the assignee(s), the rule that matched and the trace. Recorded in
    the assignment ledger unless ``dry_run``.

    The hottest endpoint: it reads its own body and token (the same checks as everywhere,
    without FastAPI's dependency and body machinery, which cost more than the decision)."""
    c: Container = request.app.state.container
    await admin_token(c, request.headers.get("authorization"))
    data = await json_body(request)  # the edge checked size, depth, text and numbers
    if not isinstance(data, dict):
        raise InvalidInput("the body is a JSON object: the prospect's fields", field="body")
    try:
        prospect = ProspectIn.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(f"{field}: {first['msg']}", field=field) from None
    rec = await run_in_threadpool(
        route_prospect,
        c.routing,
        slug,
        prospect.fields(),
        c.clock.now(),
        dry_run=dry_run,
        source="api",
    )
    return Response(decision_body(rec), media_type="application/json")


@router.get("/decisions", responses=ERRORS)
def list_decisions(
    c: ContainerDep,
    _: Admin,
    router_slug: Annotated[str | None, Query(alias="router")] = None,
    email: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """The assignment ledger, newest first; filter by router and e-mail."""
    return [_row(r) for r in c.ledger.decisions(router_slug, email, limit)]


@router.get("/decisions/{decision_id}", responses=ERRORS)
def get_decision(decision_id: str, c: ContainerDep, _: Admin) -> dict[str, Any]:
    row = c.ledger.decision(decision_id)
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
        "trace": r.trace.to_json(),
        "prospect": r.prospect,
    }
