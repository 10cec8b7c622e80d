"""The receipts page: delivered (and undelivered) leads, each attempt, and a resend button.

Until the dashboard has accounts, an admin opens it with HTTP Basic authentication: any user
name, an admin's API token as the password. Resending needs the page's CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from leadrail.app.ports import TokenOwner
from leadrail.bootstrap import Container
from leadrail.web.deps import ContainerDep

router = APIRouter(prefix="/admin", include_in_schema=False)
basic = HTTPBasic(realm="leadrail admin (password: an admin API token)", auto_error=False)
STATUSES = ("pending", "delivered", "failed", "fell_back")


def page_admin(
    c: ContainerDep, creds: Annotated[HTTPBasicCredentials | None, Depends(basic)]
) -> TokenOwner:
    owner = c.store.token_owner(creds.password) if creds else None
    if owner is None or not owner.is_admin:
        raise HTTPException(
            401,
            "an admin's API token is needed (as the password)",
            headers={"WWW-Authenticate": 'Basic realm="leadrail admin"'},
        )
    return owner


PageAdmin = Annotated[TokenOwner, Depends(page_admin)]


def csrf_token(c: Container, owner: TokenOwner) -> str:
    key = c.signer.token(f"csrf:{owner.user_id}", "cancel").encode()
    return hmac.new(key, b"receipts", hashlib.sha256).hexdigest()


@router.get("/receipts", response_class=HTMLResponse)
def receipts(
    request: Request, c: ContainerDep, owner: PageAdmin, status: str = "", destination: str = ""
) -> Response:
    rows = c.leads.deliveries(
        status=status if status in STATUSES else None,
        destination=destination or None,
        limit=200,
        with_attempts=False,
    )
    page: HTMLResponse = request.app.state.templates.TemplateResponse(
        request,
        "receipts.html",
        {
            "rows": rows,
            "status": status,
            "statuses": STATUSES,
            "destination": destination,
            "detail": None,
        },
    )
    return page


@router.get("/receipts/{lead_id}", response_class=HTMLResponse)
def receipt(lead_id: str, request: Request, c: ContainerDep, owner: PageAdmin) -> Response:
    lead = c.leads.lead(lead_id)
    if lead is None:
        raise HTTPException(404, "no such lead")
    rows = c.leads.deliveries(lead=lead_id, limit=100)
    page: HTMLResponse = request.app.state.templates.TemplateResponse(
        request,
        "receipts.html",
        {
            "rows": rows,
            "detail": lead,
            "statuses": STATUSES,
            "csrf": csrf_token(c, owner),
            "status": "",
            "destination": "",
        },
    )
    return page


@router.post("/receipts/{lead_id}/resend/{delivery_id}")
def resend(
    lead_id: str,
    delivery_id: str,
    c: ContainerDep,
    owner: PageAdmin,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if not secrets.compare_digest(csrf, csrf_token(c, owner)):
        raise HTTPException(403, "the form is stale: reload the page and try again")
    if c.leads.resend(delivery_id, c.clock.now()) is None:
        raise HTTPException(404, "no such delivery")
    c.wake_worker()
    return RedirectResponse(f"/admin/receipts/{lead_id}", 303)
