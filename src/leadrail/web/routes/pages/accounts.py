"""Log in, log out, password reset by e-mail, change password, API tokens, the overview."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from leadrail.app.accounts import MIN_PASSWORD, RESET_MINUTES, SESSION_HOURS, LoginFailed
from leadrail.app.errors import LeadrailError
from leadrail.web.auth import (
    COOKIE,
    AccountDep,
    CsrfDep,
    OptionalAccountDep,
    safe_next,
)
from leadrail.web.deps import ContainerDep
from leadrail.web.params import RecordId
from leadrail.web.ratelimit import public
from leadrail.web.render import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=300)]


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, account: OptionalAccountDep, next: str = "") -> Response:
    if account is not None:
        return RedirectResponse(safe_next(next), 303)
    return render(request, "dashboard/login.html", {"next": safe_next(next), "email": ""})


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(public)])
async def login(
    request: Request,
    c: ContainerDep,
    email: Text = "",
    password: Text = "",
    next: Text = "",
) -> Response:
    try:
        done = await run_in_threadpool(c.accounts.login, email, password, _now())
    except LoginFailed as e:
        ctx = {"next": safe_next(next), "email": email, "error": str(e)}
        return render(request, "dashboard/login.html", ctx, status=401)
    response = RedirectResponse(safe_next(next), 303)
    response.set_cookie(
        COOKIE,
        done.token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=c.settings.base_url.startswith("https://"),
        path="/",
    )
    return response


@router.post("/logout", dependencies=[CsrfDep])
def logout(request: Request, c: ContainerDep) -> Response:
    c.accounts.logout(request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_page(request: Request) -> Response:
    return render(request, "dashboard/forgot.html", {"email": "", "minutes": RESET_MINUTES})


@router.post("/password/forgot", response_class=HTMLResponse, dependencies=[Depends(public)])
async def forgot(request: Request, c: ContainerDep, email: Text = "") -> Response:
    """The same work for every address: a job for the worker, which sends the link if the
    address has an account (no mail server is spoken to during the request)."""
    try:
        await run_in_threadpool(c.accounts.request_reset, email, _now())
    except LeadrailError as e:
        ctx = {"email": email, "minutes": RESET_MINUTES, "error": e.message}
        return render(request, "dashboard/forgot.html", ctx, status=422)
    c.wake_worker()
    ctx = {
        "email": "",
        "minutes": RESET_MINUTES,
        "flash": "If that address has an account, a reset link is on its way.",
    }
    return render(request, "dashboard/forgot.html", ctx)


@router.get("/password/reset/{token}", response_class=HTMLResponse)
def reset_page(request: Request, c: ContainerDep, token: str) -> Response:
    user = c.accounts.reset_user(token, _now()) if len(token) < 100 else None
    ctx = {"valid": user is not None, "token": token, "email": user.email if user else ""}
    return render(request, "dashboard/reset.html", {**ctx, "min_length": MIN_PASSWORD})


@router.post("/password/reset/{token}", response_class=HTMLResponse)
def reset(request: Request, c: ContainerDep, token: str, password: Text = "") -> Response:
    user = c.accounts.reset_user(token, _now()) if len(token) < 100 else None
    if user is None:
        return render(request, "dashboard/reset.html", {"valid": False}, status=400)
    try:
        c.accounts.finish_reset(token, password, _now())
    except LeadrailError as e:
        ctx = {"valid": True, "token": token, "email": user.email, "error": e.message}
        return render(
            request, "dashboard/reset.html", {**ctx, "min_length": MIN_PASSWORD}, status=422
        )
    ctx = {"next": "/dashboard", "email": user.email, "flash": "Password set. Log in with it."}
    return render(request, "dashboard/login.html", ctx)


@router.get("/dashboard/password", response_class=HTMLResponse)
def password_page(request: Request, account: AccountDep) -> Response:
    return render(request, "dashboard/password.html", {"min_length": MIN_PASSWORD})


@router.post("/dashboard/password", response_class=HTMLResponse, dependencies=[CsrfDep])
def change_password(
    request: Request,
    c: ContainerDep,
    account: AccountDep,
    current_password: Text = "",
    new_password: Text = "",
) -> Response:
    try:
        c.accounts.change_password(account.user, current_password, new_password)
    except LeadrailError as e:
        ctx = {"min_length": MIN_PASSWORD, "errors": {e.field: e.message}}
        return render(request, "dashboard/password.html", ctx, status=422)
    response = RedirectResponse("/login", 303)  # every session of the user ended
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/dashboard/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, c: ContainerDep, account: AccountDep) -> Response:
    rows = c.accounts.tokens(account.user)
    return render(request, "dashboard/tokens.html", {"tokens": rows, "new_token": None})


@router.post("/dashboard/tokens", response_class=HTMLResponse, dependencies=[CsrfDep])
def create_token(
    request: Request, c: ContainerDep, account: AccountDep, name: Text = ""
) -> Response:
    name = name.strip()
    if not name:
        rows = c.accounts.tokens(account.user)
        bad = {"tokens": rows, "errors": {"name": "give the token a name"}}
        return render(request, "dashboard/tokens.html", bad, status=422)
    secret = c.tokens.create_token(account.email, name)
    rows = c.accounts.tokens(account.user)
    ctx: dict[str, object] = {"tokens": rows, "new_token": secret, "flash": "Token created."}
    return render(request, "dashboard/tokens.html", ctx)


@router.post("/dashboard/tokens/{token_id}/revoke", dependencies=[CsrfDep])
def revoke_token(token_id: RecordId, c: ContainerDep, account: AccountDep) -> Response:
    c.accounts.revoke_token(account.user, token_id)
    return RedirectResponse("/dashboard/tokens", 303)


@router.get("/dashboard", response_class=HTMLResponse)
def overview(request: Request, c: ContainerDep, account: AccountDep) -> Response:
    routers = [r.doc for r in c.catalog.routers()] if account.is_admin else []
    return render(request, "dashboard/overview.html", {"routers": routers})
