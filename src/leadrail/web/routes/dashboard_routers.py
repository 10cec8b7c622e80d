"""Dashboard: routers. The list, create and delete, and every setting of one router.

The rule stack editor, the link builder and the dry run live in ``dashboard_routers_rules``
and ``dashboard_routers_tools``, included into this module's ``router``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from leadrail.app.errors import InvalidWorkspace, NotFound
from leadrail.app.workspace_edit import delete_item, find_item, item_problems, put_item
from leadrail.bootstrap import Container
from leadrail.web.auth import AdminAccountDep, CsrfDep, render
from leadrail.web.routes import dashboard_routers_rules, dashboard_routers_tools
from leadrail.web.routes.dashboard_routers_form import (
    NESTED,
    field_of,
    route_kind,
    route_values,
    router_from_form,
    widgets,
)
from leadrail.web.routes.dashboard_routers_shared import options, router_or_404

router = APIRouter(include_in_schema=False)
router.include_router(dashboard_routers_rules.router)
router.include_router(dashboard_routers_tools.router)


def _container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


@router.get("/dashboard/routers")
def routers_page(request: Request, account: AdminAccountDep) -> Response:
    c = _container(request)
    return render(request, "dashboard/router_list.html", _list_ctx(c, request))


def _list_ctx(c: Container, request: Request, **extra: Any) -> dict[str, Any]:
    from leadrail.app.workspace_edit import section_items

    ctx: dict[str, Any] = {
        "routers": section_items(c.workspace, "routers"),
        "opts": options(c),
        "new": {"default": {}},
        "errors": {},
        "flash": request.query_params.get("flash"),
        "flash_kind": request.query_params.get("kind", "ok"),
        "route_kind": route_kind,
    }
    ctx.update(extra)
    return ctx


@router.post("/dashboard/routers", dependencies=[CsrfDep])
async def create_router(request: Request, account: AdminAccountDep) -> Response:
    c = _container(request)
    form = await request.form()
    item = {
        "slug": str(form.get("slug", "")).strip(),
        "title": str(form.get("title", "")).strip(),
        "default": route_values(form, "default"),
    }
    try:
        index, _ = await run_in_threadpool(put_item, c.workspace, "routers", None, item)
    except InvalidWorkspace as err:
        index = _index_for_new(c)
        errors = {field_of(k): v for k, v in item_problems(err, "routers", index).items()}
        ctx = _list_ctx(c, request, new=item, errors=errors)
        ctx.update(flash="The router was not created: see the marked fields.", flash_kind="bad")
        return render(request, "dashboard/router_list.html", ctx, status=422)
    return RedirectResponse(f"/dashboard/routers/{item['slug']}?flash=Router+created", 303)


def _index_for_new(c: Container) -> int:
    from leadrail.app.workspace_edit import section_items

    return len(section_items(c.workspace, "routers"))


@router.post("/dashboard/routers/{slug}/delete", dependencies=[CsrfDep])
async def delete_router(slug: str, request: Request, account: AdminAccountDep) -> Response:
    c = _container(request)
    try:
        await run_in_threadpool(delete_item, c.workspace, "routers", slug)
    except NotFound:
        return router_or_404(request, None, slug)
    except InvalidWorkspace as err:
        ctx = _list_ctx(c, request, flash=f"Not deleted: {err.message}", flash_kind="bad")
        return render(request, "dashboard/router_list.html", ctx, status=409)
    return RedirectResponse("/dashboard/routers?flash=Router+deleted", 303)


@router.get("/dashboard/routers/{slug}")
def settings_page(slug: str, request: Request, account: AdminAccountDep) -> Response:
    c = _container(request)
    try:
        _, item = find_item(c.workspace, "routers", slug)
    except NotFound:
        return router_or_404(request, None, slug)
    ctx = _settings_ctx(c, slug, item, {})
    ctx["flash"] = request.query_params.get("flash")
    return render(request, "dashboard/router_settings.html", ctx)


def _settings_ctx(
    c: Container, slug: str, item: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    from leadrail.web.routes.dashboard_routers_form import form_view

    view = form_view(item)
    return {
        "slug": slug,
        "r": view,
        "opts": options(c),
        "errors": errors,
        "nested": {p: widgets(p, m) for p, m in NESTED.items()},
        "route_kind": route_kind,
        "tab": "settings",
    }


@router.post("/dashboard/routers/{slug}", dependencies=[CsrfDep])
async def save_settings(slug: str, request: Request, account: AdminAccountDep) -> Response:
    c = _container(request)
    try:
        index, current = await run_in_threadpool(find_item, c.workspace, "routers", slug)
    except NotFound:
        return router_or_404(request, None, slug)
    form = await request.form()
    item = router_from_form(form, current)
    try:
        await run_in_threadpool(put_item, c.workspace, "routers", slug, item)
    except InvalidWorkspace as err:
        errors: dict[str, str] = {}
        for path, message in item_problems(err, "routers", index).items():
            errors.setdefault(field_of(path), message)
        ctx = _settings_ctx(c, slug, item, errors)
        ctx.update(flash="Not saved: see the marked fields.", flash_kind="bad")
        return render(request, "dashboard/router_settings.html", ctx, status=422)
    return RedirectResponse(f"/dashboard/routers/{item['slug']}?flash=Saved", 303)
