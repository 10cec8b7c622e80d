"""Dashboard sessions: who is logged in, role checks, CSRF.

- The session cookie (``leadrail_session``) is HttpOnly, SameSite=Lax, Secure when the
  public base URL is https, and holds a random token; the database keeps its SHA-256.
- Every state change (POST, PUT, PATCH, DELETE) from a dashboard page needs the session's CSRF
  token: a form field ``csrf`` or an ``X-CSRF-Token`` header (for fetch calls).
- Pages answer a missing login with a redirect to ``/login?next=...`` (a local path only) and a
  missing role with a 403 page; neither ever reveals data.

Use in routes::

    @router.get("/dashboard/x")
    def x(request: Request, account: AccountDep) -> Response: ...

    @router.post("/dashboard/x", dependencies=[Depends(csrf_protect)])
    def save(request: Request, account: AdminAccountDep) -> Response: ...
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from leadrail.app.ports import AccountUser
from leadrail.bootstrap import Container
from leadrail.web.render import render

COOKIE = "leadrail_session"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Account:
    """The logged-in user of a dashboard request."""

    user: AccountUser
    csrf: str

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def name(self) -> str:
        return self.user.name or self.user.email

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageForbidden(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def safe_next(value: str | None) -> str:
    """A local path to go to after login; anything else (other hosts, ``//x``, ``/\\x``,
    schemes) becomes the dashboard home."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/dashboard"
    if any(ch in value for ch in "\r\n\t") or "\\" in value:
        return "/dashboard"
    return value


async def optional_account(request: Request) -> Account | None:
    if "account" in request.state._state:
        cached: Account | None = request.state.account
        return cached
    token = request.cookies.get(COOKIE, "")
    found = None
    if token and len(token) < 200:
        c: Container = request.app.state.container
        found = await run_in_threadpool(c.accounts.session, token, datetime.now(UTC))
    account = Account(found[0], found[1]) if found else None
    request.state.account = account
    return account


async def require_account(request: Request) -> Account:
    account = await optional_account(request)
    if account is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return account


async def require_admin_account(request: Request) -> Account:
    account = await require_account(request)
    if not account.is_admin:
        raise PageForbidden("This page is for admins.")
    return account


async def csrf_protect(request: Request) -> None:
    """The request must carry the session's CSRF token (form field or header)."""
    account = await require_account(request)
    if request.method not in UNSAFE:
        return
    sent = request.headers.get("x-csrf-token", "")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf")
            sent = value if isinstance(value, str) else ""
    if not sent or not hmac.compare_digest(sent.encode(), account.csrf.encode()):
        raise PageForbidden("The form expired or came from another site. Reload and try again.")


OptionalAccountDep = Annotated[Account | None, Depends(optional_account)]
AccountDep = Annotated[Account, Depends(require_account)]
AdminAccountDep = Annotated[Account, Depends(require_admin_account)]
CsrfDep = Depends(csrf_protect)


def install(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            from leadrail.web.errors import error

            return error(401, "unauthorized", "log in first")
        return RedirectResponse(f"/login?next={quote(safe_next(exc.next_path))}", 303)

    @app.exception_handler(PageForbidden)
    async def _forbidden(request: Request, exc: PageForbidden) -> Response:
        if request.url.path.startswith("/api/"):
            from leadrail.web.errors import error

            return error(403, "forbidden", exc.message)
        return render(request, "dashboard/forbidden.html", {"message": exc.message}, status=403)
