"""Dashboard: the decision audit, no-shows, and a user's own stats."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from leadrail.app.analytics import conversion
from leadrail.app.errors import InvalidInput
from leadrail.bootstrap import Container
from leadrail.routing.errors import ProspectError
from leadrail.routing.normalise import normalise_email
from leadrail.web.auth import AccountDep, AdminAccountDep, CsrfDep
from leadrail.web.render import render
from leadrail.web.routes.pages.dashboard.analytics.support import now_utc, range_of

router = APIRouter(include_in_schema=False)
PAGE = 25


def _container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


def _emails(c: Container, raw: str, router_slug: str) -> list[str]:
    """The forms the ledger may hold for ``raw``: normalised as the engine does (trimmed and
    lower-cased; with ``+tag`` dropped for routers that strip e-mails)."""
    if not raw.strip():
        return []
    out = {normalise_email(raw, strip=False)}
    routers = [s for s in c.catalog.routers() if not router_slug or s.doc.slug == router_slug]
    if any(s.spec.strip_emails for s in routers):
        out.add(normalise_email(raw, strip=True))
    return sorted(out)


def _search_ctx(c: Container, request: Request) -> dict[str, Any]:
    q = request.query_params
    values = {k: q.get(k, "") for k in ("email", "router", "from", "to")}
    errors: dict[str, str] = {}
    routers = [s.doc.slug for s in c.catalog.routers()]
    try:
        emails = _emails(c, values["email"], values["router"])
    except ProspectError as err:
        emails, errors["email"] = [], err.message
    if values["router"] and values["router"] not in routers:
        errors["router"] = f"no router {values['router']!r}"
    try:
        r = range_of(c, values["from"] or None, values["to"] or None, "day")
    except InvalidInput as err:
        errors[err.field or "from"] = err.message
        r = range_of(c, None, None, "day")
    try:
        page = max(1, int(q.get("page", "1")))
    except ValueError:
        page = 1
    rows: list[dict[str, Any]] = []
    if not errors:
        rows = c.audit.search(
            routers=[values["router"]] if values["router"] else routers, emails=emails,
            start=r.start, end=r.end, offset=(page - 1) * PAGE, limit=PAGE,
        )  # fmt: skip
    keep = {k: v for k, v in values.items() if v}
    return {
        "values": values, "errors": errors, "routers": routers, "range": r,
        "rows": rows[:PAGE], "page": page,
        "prev": urlencode({**keep, "page": page - 1}) if page > 1 else None,
        "next": urlencode({**keep, "page": page + 1}) if len(rows) > PAGE else None,
    }  # fmt: skip


@router.get("/dashboard/decisions")
def decisions_page(request: Request, account: AdminAccountDep) -> Response:
    ctx = _search_ctx(_container(request), request)
    return render(request, "dashboard/decisions.html", ctx, status=422 if ctx["errors"] else 200)


@router.get("/dashboard/decisions/{decision_id}")
def decision_page(request: Request, decision_id: str, account: AdminAccountDep) -> Response:
    c = _container(request)
    found = c.audit.decision(decision_id[:64])
    if found is None:
        return render(request, "dashboard/decision.html", {"missing": decision_id}, status=404)
    names = {}
    snap = c.catalog.router(found["router"])
    if snap is not None:
        names = {e: u.name for e, u in snap.users.items() if u.name}
    ctx = {
        "d": found, "followed": c.audit.followed(found), "names": names,
        "now": now_utc(c), "flash": request.query_params.get("flash"),
        "flash_kind": request.query_params.get("kind", "ok"),
    }  # fmt: skip
    return render(request, "dashboard/decision.html", ctx)


def _back(request: Request, meeting_decision: str | None, message: str, kind: str) -> Response:
    """Back to the page the form was on (a local path we build, never one sent to us)."""
    q = urlencode({"flash": message, "kind": kind})
    to = request.query_params.get("back", "")
    if to == "stats" or not meeting_decision:
        return RedirectResponse(f"/dashboard/stats/me?{q}", status_code=303)
    return RedirectResponse(f"/dashboard/decisions/{meeting_decision}?{q}", status_code=303)


def _no_show(request: Request, meeting_id: str, account: Any, on: bool) -> Response:
    c = _container(request)
    meeting = c.routing.meeting(meeting_id[:64])
    if meeting is None:
        return render(
            request, "dashboard/forbidden.html", {"message": "No such meeting."}, status=404
        )
    if not account.is_admin and meeting.rep != account.email:
        return render(
            request, "dashboard/forbidden.html",
            {"message": "Only an admin or the meeting's rep can change this."}, status=403,
        )  # fmt: skip
    changed = c.audit.set_no_show(meeting.id, on, now_utc(c))
    if on:
        message = (
            "Marked as a no-show."
            if changed
            else ("Only a booked meeting whose start is past can be a no-show.")
        )
    else:
        message = "No-show undone." if changed else "That meeting is not marked as a no-show."
    return _back(request, meeting.decision_id, message, "ok" if changed else "bad")


@router.post("/dashboard/meetings/{meeting_id}/no-show", dependencies=[CsrfDep])
def mark_no_show(request: Request, meeting_id: str, account: AccountDep) -> Response:
    return _no_show(request, meeting_id, account, True)


@router.post("/dashboard/meetings/{meeting_id}/no-show/undo", dependencies=[CsrfDep])
def undo_no_show(request: Request, meeting_id: str, account: AccountDep) -> Response:
    return _no_show(request, meeting_id, account, False)


@router.get("/dashboard/stats/me")
def my_stats(request: Request, account: AccountDep) -> Response:
    """The logged-in user's own numbers; nothing here takes another user's address."""
    c = _container(request)
    q = request.query_params
    values = {k: q.get(k, "") for k in ("from", "to")}
    errors: dict[str, str] = {}
    try:
        r = range_of(c, values["from"] or None, values["to"] or None, "day")
    except InvalidInput as err:
        errors[err.field or "from"] = err.message
        r = range_of(c, None, None, "day")
    routers = [s.doc.slug for s in c.catalog.routers()]
    data = c.analytics
    assigned = dict(data.rep_assignments(account.email, routers, r.start, r.end))
    rows: dict[str, dict[str, int]] = {}
    for slug, status, n in data.rep_meetings(account.email, r.start, r.end):
        rows.setdefault(slug, {})[status] = n
    table: list[dict[str, Any]] = [
        {"router": slug, "assignments": assigned.get(slug, 0),
         "meetings": sum(rows.get(slug, {}).values()),
         "cancelled": rows.get(slug, {}).get("cancelled", 0),
         "no_shows": rows.get(slug, {}).get("no_show", 0)}
        for slug in sorted(set(assigned) | set(rows))
    ]  # fmt: skip
    totals: dict[str, int] = {
        k: sum(int(x[k]) for x in table) for k in ("assignments", "meetings", "no_shows")
    }
    totals_rate = conversion(totals["no_shows"], totals["meetings"])
    ctx = {
        "values": values if any(values.values()) else r.query(), "errors": errors, "range": r,
        "table": table, "totals": totals, "no_show_rate": totals_rate,
        "past": _past_meetings(c, account.email, r),
        "flash": q.get("flash"), "flash_kind": q.get("kind", "ok"),
    }  # fmt: skip
    return render(request, "dashboard/stats_me.html", ctx, status=422 if errors else 200)


def _past_meetings(c: Container, email: str, r: Any) -> list[dict[str, Any]]:
    """The user's meetings in the range whose start is past (to mark no-shows)."""
    return c.analytics.rep_past_meetings(email, r.start, min(r.end, now_utc(c)))
