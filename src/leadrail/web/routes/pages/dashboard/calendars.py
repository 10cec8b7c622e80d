"""Dashboard: connecting a Google / Microsoft 365 calendar (OAuth 2.0 with PKCE: a rep for
themselves from *My settings*, an admin for anyone from the user's page), disconnecting it,
and *Calendar connection status* (admins: every rep's calendar of any kind, with a "test"
that reads it now; a rep tests their own from *My settings*)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from leadrail.app.calendars.connect import Actor, disconnect, finish_connect, start_connect
from leadrail.app.calendars.status import (
    calendar_statuses,
    one_status,
    require_user,
    test_calendar,
)
from leadrail.app.errors import LeadrailError
from leadrail.app.workspace_edit import section_items
from leadrail.bootstrap import Container
from leadrail.web.auth import Account, AccountDep, AdminAccountDep, CsrfDep
from leadrail.web.render import render

router = APIRouter(include_in_schema=False)
HOME = "/dashboard/me"


def _c(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


def _actor(account: Account) -> Actor:
    return Actor(account.email, account.is_admin)


def _back(path: str) -> str:
    """Only our own dashboard pages are places to come back to."""
    return path if path.startswith("/dashboard/") and "//" not in path else HOME


def _flash(path: str, text: str, kind: str = "ok") -> RedirectResponse:
    sep = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{sep}flash={quote(text)}&flash_kind={kind}", 303)


def _problem(request: Request, e: LeadrailError) -> Response:
    return render(request, "dashboard/forbidden.html", {"message": e.message}, status=e.status)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/dashboard/calendar/connect/{provider}", dependencies=[CsrfDep])
async def connect(request: Request, provider: str, account: AccountDep) -> Response:
    c = _c(request)
    form = await _form(request)
    user = form.get("user") or account.email
    back = _back(form.get("return_to") or HOME)
    try:
        url = await run_in_threadpool(
            lambda: start_connect(
                c.calendars.providers,
                c.calendars.connections,
                provider,
                user=user,
                by=_actor(account),
                base_url=c.settings.base_url,
                return_to=back,
                now=c.clock.now(),
            )  # fmt: skip
        )
    except LeadrailError as e:
        return _problem(request, e)
    return RedirectResponse(url, 303)


@router.get("/dashboard/calendar/oauth/{provider}/callback")
async def callback(request: Request, provider: str, account: AccountDep) -> Response:
    c = _c(request)
    params = {k: v for k, v in request.query_params.items() if k in
              ("state", "code", "error", "error_description")}  # fmt: skip
    try:
        auth = await run_in_threadpool(
            lambda: finish_connect(
                c.calendars.providers,
                c.calendars.connections,
                c.credentials,
                c.workspace,
                provider,
                params=params,
                by=_actor(account),
                base_url=c.settings.base_url,
                now=c.clock.now(),
            )  # fmt: skip
        )
    except LeadrailError as e:
        return _problem(request, e)
    c.calendar.forget(auth.user)
    return _flash(_back(auth.return_to), f"{provider.title()} calendar connected")


@router.post("/dashboard/calendar/disconnect", dependencies=[CsrfDep])
async def disconnect_calendar(request: Request, account: AccountDep) -> Response:
    c = _c(request)
    form = await _form(request)
    user = form.get("user") or account.email
    try:
        await run_in_threadpool(
            disconnect, c.calendars.connections, c.workspace, user=user, by=_actor(account)
        )
    except LeadrailError as e:
        return _problem(request, e)
    c.calendar.forget(user.lower())
    return _flash(_back(form.get("return_to") or HOME), "Calendar disconnected")


def _users(c: Container) -> list[str]:
    return [str(u.get("email", "")).lower() for u in section_items(c.workspace, "users")]


def status_of(c: Container, user: str) -> Any:
    """One user's calendar status (for *My settings* and the user's page)."""
    found = c.catalog.calendars().get(user)
    grant = c.calendars.connections.connection(user)
    return one_status(user, found[0] if found else None, grant, c.calendar.problem(user))


@router.get("/dashboard/calendars")
async def status_page(request: Request, account: AdminAccountDep) -> Response:
    c = _c(request)

    def build() -> list[Any]:
        return calendar_statuses(
            _users(c), c.catalog.calendars(), c.calendars.connections, c.calendar.problem
        )

    rows = await run_in_threadpool(build)
    ctx = {"rows": rows, "flash": request.query_params.get("flash"),
           "flash_kind": request.query_params.get("flash_kind") or "ok"}  # fmt: skip
    return render(request, "dashboard/calendars.html", ctx)


@router.post("/dashboard/calendars/test", dependencies=[CsrfDep])
async def test(request: Request, account: AccountDep) -> Response:
    """Read one calendar now. An admin tests anyone's; a rep only their own."""
    c = _c(request)
    form = await _form(request)
    user = (form.get("user") or account.email).strip().lower()
    if user != account.email.lower() and not account.is_admin:
        text = "Only an admin tests another user's calendar."
        return render(request, "dashboard/forbidden.html", {"message": text}, status=403)
    try:
        user = require_user(await run_in_threadpool(_users, c), user)
    except LeadrailError as e:
        return _problem(request, e)
    ok, text = await run_in_threadpool(
        test_calendar, c.calendar, c.calendars.probe, c.catalog.calendars(), user,
        datetime.now(UTC),
    )  # fmt: skip
    back = _back(form.get("return_to") or ("/dashboard/calendars" if account.is_admin else HOME))
    return _flash(back, f"{user}: {'OK, ' if ok else 'failed: '}{text}", "ok" if ok else "bad")
