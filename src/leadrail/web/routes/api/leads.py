"""Form and offer leads: intake (JSON with a site key, or a plain HTML form), receipts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from leadrail.app.delivery.outcomes import STATUSES
from leadrail.app.errors import InvalidInput, LeadrailError, NotFound
from leadrail.app.leads import Taken, hints_from, site_for, take_lead
from leadrail.app.workspace import problems_from
from leadrail.bootstrap import Container
from leadrail.web.client import client_address
from leadrail.web.deps import Admin, ContainerDep
from leadrail.web.edge_middleware import SCOPE_KEY
from leadrail.web.lead_schemas import LeadIn, lead_from_form
from leadrail.web.ratelimit import public
from leadrail.web.render import render
from leadrail.web.routes.api.routing import ERRORS

router = APIRouter(tags=["leads"])


def lead_out(taken: Taken) -> dict[str, Any]:
    lead = taken.lead
    return {
        "id": lead.id,
        "created_at": lead.created_at.isoformat(),
        "site": lead.site,
        "category": lead.data.get("category"),
        "store": lead.data.get("store") or None,
        "replayed": not taken.created,
        "trace": lead.trace,
        "destinations": [
            {
                "delivery_id": d["id"],
                "address": d["destination"],
                "format": d["format"],
                "status": d["status"],
            }
            for d in lead.deliveries
        ],
    }


def _take(
    c: Container, body: LeadIn, site_key: str | None, key: str | None, ip: str | None
) -> Taken:
    taken = take_lead(
        c.leads,
        c.routing,
        c.locator,
        site_key=site_key or body.site_key,
        lead=body.to_lead(),
        hints=hints_from(body.model_dump(), ip),
        idempotency_key=key,
        now=c.clock.now(),
    )
    c.wake_worker()
    return taken


async def site_first(request: Request, c: ContainerDep) -> None:
    """The site key (``X-Site-Key`` or ``site_key`` in the body) is checked before the body is
    validated: a caller without a key learns nothing about the body (401)."""
    body = request.scope.get(SCOPE_KEY)
    key = request.headers.get("x-site-key") or (
        body.get("site_key") if isinstance(body, dict) else None
    )
    config = await run_in_threadpool(c.leads.lead_config)
    site_for(config, key if isinstance(key, str) else None)


@router.post(
    "/api/v1/leads",
    status_code=201,
    responses={**ERRORS, 200: {}},
    dependencies=[Depends(public), Depends(site_first)],
)
async def create_lead(
    request: Request,
    body: LeadIn,
    c: ContainerDep,
    x_site_key: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Take in a form or offer lead (*public with a site key*: the `X-Site-Key` header or
    `site_key` in the body). The same `Idempotency-Key` twice creates one lead (the second
    answer is 200 with the first lead). Answers with the lead and its destinations; the
    deliveries happen right after, retried until they succeed or go to the fallback."""
    ip = client_address(request)
    taken = await run_in_threadpool(_take, c, body, x_site_key, idempotency_key, ip)
    return JSONResponse(lead_out(taken), status_code=201 if taken.created else 200)


@router.post("/leads/form", include_in_schema=False, dependencies=[Depends(public)])
async def lead_form(request: Request, c: ContainerDep) -> Response:
    """A plain HTML form on the customer's website posts here (with `site_key` as a hidden
    field). Success: the site's thank-you page (set by the admin; never one from the form)."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        body = LeadIn.model_validate(lead_from_form(form))
    except ValidationError as err:
        problems = problems_from(err)
        return _page(request, 422, "Please check the form", "; ".join(str(p) for p in problems))
    ip = client_address(request)
    try:
        taken = await run_in_threadpool(_take, c, body, None, None, ip)
    except LeadrailError as err:
        return _page(request, err.status, "We could not take this request", err.message)
    if taken.site.thank_you_url:
        return RedirectResponse(taken.site.thank_you_url, 303)
    return _page(request, 200, "Thank you", "We received your request and will be in touch.")


def _page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    context = {"title": title, "message": message}
    return render(request, "message.html", context, status=status, public=True)


@router.get("/api/v1/leads/{lead_id}", responses=ERRORS)
def get_lead(lead_id: str, c: ContainerDep, _: Admin) -> dict[str, Any]:
    lead = c.leads.lead(lead_id)
    if lead is None:
        raise NotFound(f"no lead {lead_id!r}", field="lead_id")
    return {
        "id": lead.id,
        "site": lead.site,
        "created_at": lead.created_at.isoformat(),
        "lead": lead.data,
        "trace": lead.trace,
        "deliveries": lead.deliveries,
    }


@router.get("/api/v1/deliveries", responses=ERRORS)
def deliveries(
    c: ContainerDep,
    _: Admin,
    lead: str | None = None,
    status: str | None = None,
    destination: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Delivery receipts: every attempt (time, response, the rendered payload), filtered by
    lead, status or destination. Statuses: pending (being tried), delivered, waiting (for the
    server: past the retry budget, tried again every hour), failed (refused for good),
    fell_back (refused; sent to the fallback), stopped (by an admin)."""
    if status and status not in STATUSES:
        raise InvalidInput(f"status is one of {', '.join(STATUSES)}", field="status")
    return c.leads.deliveries(lead=lead, status=status, destination=destination, limit=limit)


@router.post("/api/v1/deliveries/{delivery_id}/stop", responses=ERRORS)
def stop(delivery_id: str, c: ContainerDep, admin: Admin) -> dict[str, Any]:
    """Stop retrying a delivery that is pending or waiting for the server (already delivered
    or ended: unchanged). Answers the delivery."""
    found = c.leads.stop(delivery_id, c.clock.now(), admin.email)
    if found is None:
        raise NotFound(f"no delivery {delivery_id!r}", field="delivery_id")
    return found


@router.post("/api/v1/deliveries/{delivery_id}/resend", status_code=201, responses=ERRORS)
def resend(delivery_id: str, c: ContainerDep, _: Admin) -> dict[str, Any]:
    """Send the lead to that destination again (a new delivery with its own receipts)."""
    new_id = c.leads.resend(delivery_id, c.clock.now())
    if new_id is None:
        raise NotFound(f"no delivery {delivery_id!r}", field="delivery_id")
    c.wake_worker()
    return {"delivery_id": new_id, "resent_from": delivery_id}
