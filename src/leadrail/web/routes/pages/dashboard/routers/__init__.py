"""Dashboard: routers. The list, create and delete, and every setting of one router.

The rule stack editor, the link builder and the dry run live in ``rules``
and ``tools``, included into this module's ``router``."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from leadrail.app.errors import InvalidWorkspace, NotFound, Stale
from leadrail.app.workspace_edit import delete_item, find_item, item_problems, put_item, read_item
from leadrail.bootstrap import Container
from leadrail.web.auth import AdminAccountDep, CsrfDep
from leadrail.web.render import render
from leadrail.web.revision import STALE_FLASH, at_read, keep, read_revision, sent_revision
from leadrail.web.routes.pages.dashboard.routers import rules as rule_pages
from leadrail.web.routes.pages.dashboard.routers import tools as tool_pages
from leadrail.web.routes.pages.dashboard.routers.form import (
    NESTED,
    field_of,
    route_kind,
    route_values,
    router_from_form,
    widgets,
)
from leadrail.web.routes.pages.dashboard.routers.shared import options, router_or_404

# every page reads the workspace's revision first: its forms carry it (see web/revision.py)
router = APIRouter(include_in_schema=False, dependencies=[Depends(read_revision)])
router.include_router(rule_pages.router)
router.include_router(tool_pages.router)


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
    put = functools.partial(put_item, revision=keep(request, sent_revision(form)))
    try:
        index, _ = await run_in_threadpool(put, c.workspace, "routers", None, item)
    except InvalidWorkspace as err:
        index = _index_for_new(c)
        errors = {field_of(k): v for k, v in item_problems(err, "routers", index).items()}
        ctx = _list_ctx(c, request, new=item, errors=errors)
        ctx.update(flash="The router was not created: see the marked fields.", flash_kind="bad")
        return render(request, "dashboard/router_list.html", ctx, status=422)
    except Stale:
        ctx = _list_ctx(c, request, new=item, flash=STALE_FLASH, flash_kind="bad")
        return render(request, "dashboard/router_list.html", ctx, status=409)
    return RedirectResponse(f"/dashboard/routers/{item['slug']}?flash=Router+created", 303)


def _index_for_new(c: Container) -> int:
    from leadrail.app.workspace_edit import section_items

    return len(section_items(c.workspace, "routers"))


@router.post("/dashboard/routers/{slug}/delete", dependencies=[CsrfDep])
async def delete_router(slug: str, request: Request, account: AdminAccountDep) -> Response:
    c = _container(request)
    delete = functools.partial(
        delete_item, revision=keep(request, sent_revision(await request.form()))
    )
    try:
        await run_in_threadpool(delete, c.workspace, "routers", slug)
    except NotFound:
        return router_or_404(request, None, slug)
    except (InvalidWorkspace, Stale) as err:
        why = STALE_FLASH if isinstance(err, Stale) else f"Not deleted: {err.message}"
        ctx = _list_ctx(c, request, flash=why, flash_kind="bad")
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
    from leadrail.web.routes.pages.dashboard.routers.form import form_view

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
    form = await request.form()
    sent = keep(request, sent_revision(form))
    try:
        at, index, current = await run_in_threadpool(read_item, c.workspace, "routers", slug)
    except NotFound:
        return router_or_404(request, None, slug)
    item = router_from_form(form, current)
    try:
        put = functools.partial(put_item, revision=at_read(sent, at))
        await run_in_threadpool(put, c.workspace, "routers", slug, item)
    except InvalidWorkspace as err:
        errors: dict[str, str] = {}
        for path, message in item_problems(err, "routers", index).items():
            errors.setdefault(field_of(path), message)
        ctx = _settings_ctx(c, slug, item, errors)
        ctx.update(flash="Not saved: see the marked fields.", flash_kind="bad")
        return render(request, "dashboard/router_settings.html", ctx, status=422)
    except Stale:
        ctx = _settings_ctx(c, slug, item, {})
        ctx.update(flash=STALE_FLASH, flash_kind="bad")
        return render(request, "dashboard/router_settings.html", ctx, status=409)
    return RedirectResponse(f"/dashboard/routers/{item['slug']}?flash=Saved", 303)
