"""Analytics: the JSON API, the dashboard pages with SVG charts, and CSV downloads.

The decision audit, no-shows and a rep's own stats live in ``audit`` (included)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from leadrail.app.analytics import Range
from leadrail.app.analytics_report import leads_report, router_report
from leadrail.app.errors import InvalidInput, NotFound
from leadrail.app.ports import RouterSnapshot
from leadrail.bootstrap import Container
from leadrail.web.auth import AdminAccountDep
from leadrail.web.deps import Admin, ContainerDep
from leadrail.web.render import render
from leadrail.web.routes.pages.dashboard.analytics import audit as audit_pages
from leadrail.web.routes.pages.dashboard.analytics.support import (
    lead_tables,
    pct,
    range_of,
    router_charts,
    router_tables,
    sites_of,
    to_csv,
)

router = APIRouter()
router.include_router(audit_pages.router)

FROM = Query(None, alias="from", description="first day, YYYY-MM-DD (default: 30 days ago)")
TO = Query(None, alias="to", description="last day, YYYY-MM-DD, inclusive (default: today)")
BUCKET = Query("day", description="day or week")


def _snap(c: Container, slug: str) -> RouterSnapshot:
    snap = c.catalog.router(slug)
    if snap is None:
        raise NotFound(f"no router with slug {slug!r}", field="slug")
    return snap


def report_for(c: Container, slug: str, r: Range) -> dict[str, Any]:
    snap = _snap(c, slug)
    return router_report(c.analytics, snap, sites_of(c, slug), r)


@router.get("/api/v1/analytics/routers/{slug}", tags=["analytics"])
def router_analytics(
    slug: str,
    c: ContainerDep,
    _: Admin,
    start: str | None = FROM,
    end: str | None = TO,
    bucket: str | None = BUCKET,
) -> dict[str, Any]:
    """Clicks, bookings and conversion over time, distribution accuracy per pool, rule
    matches and conversion, per-user numbers and the router's form leads."""
    snap = _snap(c, slug)
    r = range_of(c, start, end, bucket)
    return router_report(c.analytics, snap, sites_of(c, slug), r)


@router.get("/api/v1/analytics/leads", tags=["analytics"])
def leads_analytics(
    c: ContainerDep, _: Admin, start: str | None = FROM, end: str | None = TO
) -> dict[str, Any]:
    """Every form lead (all sites) by category, store and delivery status."""
    r = range_of(c, start, end, "day")
    return {
        "from": r.first.isoformat(),
        "to": r.last.isoformat(),
        **leads_report(c.analytics, None, r),
    }


# --- dashboard ----------------------------------------------------------------------------
def _container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


def _form_range(c: Container, request: Request) -> tuple[Range, dict[str, str], dict[str, str]]:
    """The range asked for, the values to put back in the form, and field errors (the
    default range is used while a field is wrong)."""
    q = request.query_params
    values = {k: q.get(k, "") for k in ("from", "to", "bucket")}
    try:
        return range_of(c, values["from"], values["to"], values["bucket"] or "day"), values, {}
    except InvalidInput as err:
        return range_of(c, None, None, "day"), values, {err.field or "from": err.message}


def _csv_links(slug: str, tables: dict[str, Any], r: Range) -> dict[str, str]:
    return {
        name: f"/dashboard/analytics/{quote(slug)}.csv?" + urlencode({"table": name, **r.query()})
        for name in tables
    }


@router.get("/dashboard/analytics", include_in_schema=False)
def analytics_home(request: Request, account: AdminAccountDep) -> Response:
    c = _container(request)
    r, values, errors = _form_range(c, request)
    leads = leads_report(c.analytics, None, r)
    ctx = {
        "routers": [s.doc for s in c.catalog.routers()],
        "range": r, "values": values or r.query(), "errors": errors,
        "leads": leads, "tables": lead_tables(leads), "query": r.query(),
        "csv_links": _csv_links("_leads", lead_tables(leads), r), "missing": None,
    }  # fmt: skip
    return render(request, "dashboard/analytics_home.html", ctx, status=422 if errors else 200)


@router.get("/dashboard/analytics/{slug}.csv", include_in_schema=False)
def analytics_csv(request: Request, slug: str, account: AdminAccountDep) -> Response:
    c = _container(request)
    q = request.query_params
    r = range_of(c, q.get("from"), q.get("to"), q.get("bucket") or "day")
    name = q.get("table", "timeline")
    if slug == "_leads":
        tables = lead_tables(leads_report(c.analytics, None, r))
    else:
        tables = router_tables(report_for(c, slug, r))
    if name not in tables:
        raise InvalidInput(f"table must be one of: {', '.join(tables)}", field="table")
    filename = f"{slug}-{name}-{r.first}-{r.last}.csv".replace('"', "")
    return Response(
        to_csv(tables[name]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/dashboard/analytics/{slug}", include_in_schema=False)
def analytics_router(request: Request, slug: str, account: AdminAccountDep) -> Response:
    c = _container(request)
    if c.catalog.router(slug) is None:
        return render(request, "dashboard/forbidden.html",
                      {"message": f"There is no router {slug!r}."}, status=404)  # fmt: skip
    r, values, errors = _form_range(c, request)
    report = report_for(c, slug, r)
    ctx = {
        "routers": [s.doc for s in c.catalog.routers()], "slug": slug, "report": report,
        "range": r, "values": values if any(values.values()) else r.query(),
        "errors": errors, "tables": router_tables(report), "charts": router_charts(report),
        "pct": pct, "query": r.query(), "csv_links": _csv_links(slug, router_tables(report), r),
    }  # fmt: skip
    return render(request, "dashboard/analytics_router.html", ctx, status=422 if errors else 200)
