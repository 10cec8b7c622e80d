"""Dashboard: lead categories (destinations, formats, the fallback destination and the
nearest-store settings), stores (list and map) and sites."""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from leadrail.app.apply import export_workspace
from leadrail.app.errors import InvalidWorkspace, Stale
from leadrail.app.workspace import SiteDoc
from leadrail.app.workspace_edit import put_settings, section_items
from leadrail.bootstrap import Container
from leadrail.web.auth import AdminAccountDep, CsrfDep
from leadrail.web.render import render
from leadrail.web.revision import STALE_FLASH, keep, sent_revision
from leadrail.web.routes.pages.dashboard.config.extras import Extras
from leadrail.web.routes.pages.dashboard.config.forms import (
    Section,
    checked,
    container,
    destination,
    field_name,
    register,
    rows,
    text,
)

router = APIRouter(include_in_schema=False)


def settings_view(c: Container) -> dict[str, Any]:
    ws = export_workspace(c.workspace, include_crm=False)
    return {
        "fallback_destination": ws.get("fallback_destination") or {},
        "nearest_store_routing": ws.get("nearest_store_routing", False),
        "nearest_store_max_km": ws.get("nearest_store_max_km"),
    }


def category_context(c: Container) -> dict[str, Any]:
    return {"settings": settings_view(c), "settings_errors": {}}


def category_from_form(
    form: Mapping[str, Any], current: dict[str, Any], c: Container
) -> dict[str, Any]:
    return {**current, "name": text(form, "name"),
            "destinations": [destination(r) for r in rows(form, "destinations")]}  # fmt: skip


CATEGORIES = Section(
    section="categories", url="categories", title="Category", key="name",
    template="dashboard/config/categories.html", from_form=category_from_form,
    context=category_context,
)  # fmt: skip


@router.post("/dashboard/lead-settings", dependencies=[CsrfDep])
async def save_lead_settings(request: Request, account: AdminAccountDep) -> Response:
    """The fallback destination and nearest-store routing (workspace-wide settings)."""
    c = container(request)
    form = await request.form()
    fb = {k: text(form, f"fallback_destination.{k}")
          for k in ("address", "format", "secret_env", "attach_xml")}  # fmt: skip
    values: dict[str, Any] = {
        "fallback_destination": destination(fb) if fb["address"] else None,
        "nearest_store_routing": checked(form, "nearest_store_routing"),
        "nearest_store_max_km": text(form, "nearest_store_max_km") or None,
    }
    try:
        revision = keep(request, sent_revision(form))
        await run_in_threadpool(
            functools.partial(put_settings, revision=revision), c.workspace, values
        )
    except Stale:
        shown = dict(values, fallback_destination=fb)
        ctx = CATEGORIES.ctx(c, request, settings=shown, settings_errors={})
        ctx.update(flash=STALE_FLASH, flash_kind="bad")
        return render(request, CATEGORIES.template, ctx, status=409)
    except InvalidWorkspace as err:
        errors: dict[str, str] = {}
        for p in err.problems:
            name = "fallback_destination.address" if p.path == "fallback_destination" else p.path
            errors.setdefault(field_name(name), p.message)
        shown = dict(values, fallback_destination=fb)
        ctx = CATEGORIES.ctx(c, request, settings=shown, settings_errors=errors)
        listed = "; ".join(str(p) for p in err.problems)
        ctx.update(flash=f"Settings not saved: {listed}", flash_kind="bad")
        return render(request, CATEGORIES.template, ctx, status=422)
    return RedirectResponse("/dashboard/categories?flash=Settings+saved", 303)


def store_from_form(
    form: Mapping[str, Any], current: dict[str, Any], c: Container
) -> dict[str, Any]:
    cats: dict[str, list[dict[str, Any]]] = {}
    for r in rows(form, "dest"):
        cats.setdefault(r.get("category", ""), []).append(destination(r))
    item = {**current, "name": text(form, "name"), "latitude": text(form, "latitude"),
            "longitude": text(form, "longitude"), "categories": cats}  # fmt: skip
    item["postal_code"] = text(form, "postal_code") or None
    return {k: v for k, v in item.items() if v is not None}


def _flat(item: dict[str, Any]) -> list[tuple[str, int, dict[str, Any]]]:
    cats = item.get("categories") or {}
    return [(cat, j, d) for cat, ds in cats.items() for j, d in enumerate(ds or [])]


def store_view(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "dest": [{**d, "category": cat} for cat, _, d in _flat(item)]}


def store_fields(errors: dict[str, str], item: dict[str, Any]) -> dict[str, str]:
    """``categories.sales[0].address`` -> the row ``dest[k].address`` showing it."""
    index = {(cat, j): k for k, (cat, j, _) in enumerate(_flat(item))}
    out: dict[str, str] = {}
    for path, message in errors.items():
        name = field_name(path)
        m = re.match(r"^categories\.(.+?)(?:\[(\d+)\](?:\.(\w+))?)?$", path)
        if m:
            k = index.get((m.group(1), int(m.group(2) or 0)))
            if k is not None:
                name = f"dest[{k}].{m.group(3) or 'category'}"
                if m.group(2) and not m.group(3):
                    name = f"dest[{k}]"
        out.setdefault(name, message)
    return out


def store_map(
    stores: list[dict[str, Any]], width: int = 640, height: int = 320
) -> list[dict[str, Any]]:
    """Stores as points of an equirectangular plot fitted to their bounding box."""
    pts = []
    for s in stores:
        try:
            pts.append((float(s["longitude"]), float(s["latitude"]), str(s["name"])))
        except (KeyError, TypeError, ValueError):
            continue
    if not pts:
        return []
    lo_x, hi_x = min(p[0] for p in pts), max(p[0] for p in pts)
    lo_y, hi_y = min(p[1] for p in pts), max(p[1] for p in pts)
    span = max(hi_x - lo_x, hi_y - lo_y, 0.01)
    scale = min((width - 80) / span, (height - 40) / span)
    return [
        {"x": round(40 + (x - lo_x) * scale, 1), "y": round(height - 20 - (y - lo_y) * scale, 1),
         "name": name, "lon": x, "lat": y}
        for x, y, name in pts
    ]  # fmt: skip


def store_context(c: Container) -> dict[str, Any]:
    return {
        "points": store_map(section_items(c.workspace, "stores")),
        "categories": [x["name"] for x in section_items(c.workspace, "categories")],
    }


STORES = Section(
    section="stores", url="stores", title="Store", key="name",
    template="dashboard/config/stores.html", from_form=store_from_form, to_view=store_view,
    fields_of=store_fields, context=store_context,
)  # fmt: skip

SITE_KNOWN = ("name", "key", "thank_you_url", "router")
SITE_EXTRAS = Extras(SiteDoc, SITE_KNOWN)


def site_from_form(
    form: Mapping[str, Any], current: dict[str, Any], c: Container
) -> dict[str, Any]:
    names = SITE_EXTRAS.names
    item = {k: v for k, v in current.items() if k not in SITE_KNOWN and k not in names}
    item["name"] = text(form, "name")
    item["key"] = secrets.token_urlsafe(24) if checked(form, "generate") else text(form, "key")
    for name in ("thank_you_url", "router"):
        if text(form, name):
            item[name] = text(form, name)
    item.update(SITE_EXTRAS.values(form))
    return item


def site_view(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "extras": SITE_EXTRAS.view(item)}


def site_fields(errors: dict[str, str], item: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for path, message in errors.items():
        out.setdefault(*SITE_EXTRAS.mark(path, message))
    return out


SITES = Section(
    section="sites", url="sites", title="Site", key="name", template="dashboard/config/sites.html",
    from_form=site_from_form, to_view=site_view, fields_of=site_fields,
    context=lambda c: {"routers": [r["slug"] for r in section_items(c.workspace, "routers")],
                       "extras": SITE_EXTRAS.fields},
    form_problems=SITE_EXTRAS.problems,
)  # fmt: skip

for _section in (CATEGORIES, STORES, SITES):
    register(router, _section)
