"""The receipts page: delivered (and undelivered) leads, each attempt, and a resend button.
For logged-in admins; resending needs the session's CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from leadrail.app.delivery.outcomes import STATUSES
from leadrail.web.auth import AdminAccountDep, CsrfDep
from leadrail.web.deps import ContainerDep
from leadrail.web.render import render

router = APIRouter(prefix="/admin", include_in_schema=False)


@router.get("/receipts", response_class=HTMLResponse)
def receipts(
    request: Request,
    c: ContainerDep,
    account: AdminAccountDep,
    status: str = "",
    destination: str = "",
) -> Response:
    rows = c.leads.deliveries(
        status=status if status in STATUSES else None,
        destination=destination or None,
        limit=200,
        with_attempts=False,
    )
    waiting = c.leads.deliveries(status="waiting", limit=1000, with_attempts=False)
    page: HTMLResponse = render(
        request,
        "receipts.html",
        {
            "rows": rows,
            "status": status,
            "statuses": STATUSES,
            "destination": destination,
            "detail": None,
            "waiting": len(waiting),
        },
    )
    return page


@router.get("/receipts/{lead_id}", response_class=HTMLResponse)
def receipt(lead_id: str, request: Request, c: ContainerDep, account: AdminAccountDep) -> Response:
    lead = c.leads.lead(lead_id)
    if lead is None:
        raise HTTPException(404, "no such lead")
    rows = c.leads.deliveries(lead=lead_id, limit=100)
    page: HTMLResponse = render(
        request,
        "receipts.html",
        {
            "rows": rows,
            "detail": lead,
            "statuses": STATUSES,
            "status": "",
            "destination": "",
            "waiting": 0,
        },
    )
    return page


@router.post("/receipts/{lead_id}/resend/{delivery_id}", dependencies=[CsrfDep])
def resend(
    lead_id: str,
    delivery_id: str,
    c: ContainerDep,
    account: AdminAccountDep,
) -> Response:
    if c.leads.resend(delivery_id, c.clock.now()) is None:
        raise HTTPException(404, "no such delivery")
    c.wake_worker()
    return RedirectResponse(f"/admin/receipts/{lead_id}", 303)


@router.post("/receipts/{lead_id}/stop/{delivery_id}", dependencies=[CsrfDep])
def stop(
    lead_id: str,
    delivery_id: str,
    c: ContainerDep,
    account: AdminAccountDep,
) -> Response:
    if c.leads.stop(delivery_id, c.clock.now(), account.email) is None:
        raise HTTPException(404, "no such delivery")
    return RedirectResponse(f"/admin/receipts/{lead_id}", 303)
