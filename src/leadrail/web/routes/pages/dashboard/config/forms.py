"""What the configuration screens share: reading repeated rows and model fields from a form,
and the generic create / edit / delete pages of one workspace section.

Form field names are the paths of the workspace item (``vacations[0].to``), so the problems
``put_item`` reports (``item_problems``) mark the very fields that hold the bad values. Each
section only says how an item becomes a view (``to_view``) and back (``from_form``).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from leadrail.app.errors import InvalidWorkspace, NotFound, Stale
from leadrail.app.workspace_edit import (
    delete_or_deactivate,
    find_item,
    item_problems,
    put_item,
    section_items,
)
from leadrail.bootstrap import Container
from leadrail.web.auth import AdminAccountDep, CsrfDep
from leadrail.web.render import render
from leadrail.web.revision import STALE_FLASH, keep, sent_revision
from leadrail.web.routes.pages.dashboard.routers.form import Widget, widget_for

ROW = re.compile(r"^(?P<name>[a-z_]+)\[(?P<i>\d+)\]\.(?P<field>[a-z_]+)$")
TRUE = ("on", "true", "1", "yes")


def container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


def text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def checked(form: Mapping[str, Any], name: str) -> bool:
    return text(form, name).lower() in TRUE


def rows(form: Mapping[str, Any], name: str) -> list[dict[str, str]]:
    """Repeated rows ``name[i].field``, in index order; rows ticked ``remove`` and rows
    left entirely empty are dropped."""
    found: dict[int, dict[str, str]] = {}
    for key in form:
        m = ROW.match(key)
        if m and m["name"] == name:
            found.setdefault(int(m["i"]), {})[m["field"]] = text(form, key)
    out = []
    for i in sorted(found):
        row = found[i]
        if row.pop("remove", "").lower() in TRUE:
            continue
        if any(v for k, v in row.items() if k != "attach_xml"):
            out.append(row)
    return out


def destination(row: Mapping[str, str]) -> dict[str, Any]:
    """A destination as the workspace file holds it, from a row's fields."""
    out: dict[str, Any] = {"address": row.get("address", ""), "format": row.get("format") or "adf"}
    if row.get("secret_env"):
        out["secret_env"] = row["secret_env"]
    out["attach_xml"] = row.get("attach_xml", "").lower() in TRUE
    return out


def model_widgets(model: type[BaseModel], skip: tuple[str, ...] = ()) -> list[Widget]:
    """A form control per field of a flat model (names without a prefix)."""
    out = []
    for name, f in model.model_fields.items():
        if name in skip:
            continue
        w = widget_for("x", name, f.annotation)
        out.append(Widget(name, w.label, w.kind, w.choices, w.optional))
    return out


def widget_values(form: Mapping[str, Any], ws: list[Widget]) -> dict[str, Any]:
    """Values for ``model_widgets``: blank fields are left out (the model's default)."""
    out: dict[str, Any] = {}
    for w in ws:
        if w.kind == "checkbox":
            out[w.name] = checked(form, w.name)
        elif w.kind == "checkboxes":
            getlist = getattr(form, "getlist", None)
            out[w.name] = [str(v) for v in getlist(w.name)] if getlist else []
        elif w.kind == "list":
            out[w.name] = [v for v in re.split(r"[\s,;]+", text(form, w.name)) if v]
        elif text(form, w.name):
            out[w.name] = text(form, w.name)
    return out


def field_name(path: str) -> str:
    """The form field a problem path points at: ``vacations[0].to`` and ``calendar.url`` stay
    as they are; ``working_hours.mon-fri`` -> ``working_hours``."""
    if path.startswith("working_hours"):
        return "working_hours"
    m = re.match(r"^[a-z_]+(\[\d+\]\.[a-z_]+|\[\d+\](?!\.)|\.[a-z_]+)?", path)
    return m.group(0) if m else path


@dataclass
class Section:
    """One workspace section's screens: ``/dashboard/<url>`` (list + create) and
    ``/dashboard/<url>/<key>`` (edit, save, delete)."""

    section: str
    url: str
    title: str
    key: str
    template: str
    from_form: Callable[[Mapping[str, Any], dict[str, Any], Container], dict[str, Any]]
    to_view: Callable[[dict[str, Any]], dict[str, Any]] = lambda item: dict(item)
    fields_of: Callable[[dict[str, str], dict[str, Any]], dict[str, str]] = lambda errors, item: {
        field_name(k): v for k, v in reversed(errors.items())
    }
    context: Callable[[Container], dict[str, Any]] = lambda c: {}
    put: Callable[[Container, str | None, dict[str, Any], int | None], object] | None = None
    form_problems: Callable[[Mapping[str, Any]], dict[str, str]] = lambda form: {}
    extra: dict[str, Any] = field(default_factory=dict)

    def ctx(self, c: Container, request: Request, **more: Any) -> dict[str, Any]:
        out: dict[str, Any] = {
            "items": section_items(c.workspace, self.section),
            "s": self,
            "v": self.to_view({}),
            "key": None,
            "errors": {},
            "flash": request.query_params.get("flash"),
            "flash_kind": request.query_params.get("kind", "ok"),
        }
        out.update(self.context(c))
        out.update(more)
        return out


def link(section: Section, key: str) -> str:
    return f"/dashboard/{section.url}/{quote(key, safe='@')}"


def register(router: APIRouter, s: Section) -> None:
    """The list, create, edit, save and delete routes of one section."""
    base = f"/dashboard/{s.url}"

    @router.get(base, name=f"{s.section}_list")
    def list_page(request: Request, account: AdminAccountDep) -> Response:
        return render(request, s.template, s.ctx(container(request), request))

    @router.post(base, dependencies=[CsrfDep], name=f"{s.section}_create")
    async def create(request: Request, account: AdminAccountDep) -> Response:
        return await save(request, s, None)

    @router.get(base + "/{key:path}", name=f"{s.section}_edit")
    def edit_page(key: str, request: Request, account: AdminAccountDep) -> Response:
        c = container(request)
        try:
            _, item = find_item(c.workspace, s.section, key)
        except NotFound:
            return missing(request, s, key)
        return render(request, s.template, s.ctx(c, request, v=s.to_view(item), key=key))

    @router.post(base + "/{key:path}", dependencies=[CsrfDep], name=f"{s.section}_save")
    async def save_existing(key: str, request: Request, account: AdminAccountDep) -> Response:
        return await save(request, s, key)


async def save(request: Request, s: Section, key: str | None) -> Response:
    """Create (``key`` None) or replace one item from its form; delete with ``_action``."""
    c = container(request)
    form = await request.form()
    revision = keep(request, sent_revision(form))
    if key is not None and text(form, "_action") == "delete":
        return await remove(request, c, s, key, revision)
    current: dict[str, Any] = {}
    if key is not None:
        try:
            _, current = await run_in_threadpool(find_item, c.workspace, s.section, key)
        except NotFound:
            return missing(request, s, key)
    item = await run_in_threadpool(s.from_form, form, current, c)
    bad = s.form_problems(form)
    try:
        if bad:
            raise InvalidWorkspace([])
        if s.put is not None:
            await run_in_threadpool(s.put, c, key, item, revision)
        else:
            put = functools.partial(put_item, revision=revision)
            await run_in_threadpool(put, c.workspace, s.section, key, item)
    except InvalidWorkspace as err:
        return await run_in_threadpool(rejected, request, c, s, key, item, err, bad)
    except Stale:
        stale = InvalidWorkspace([])
        again = functools.partial(rejected, status=409, flash=STALE_FLASH)
        return await run_in_threadpool(again, request, c, s, key, item, stale, {})
    saved = str(item.get(s.key, key or ""))
    return RedirectResponse(link(s, saved) + "?flash=Saved", 303)


async def remove(
    request: Request, c: Container, s: Section, key: str, revision: int | None
) -> Response:
    try:
        remove_one = functools.partial(delete_or_deactivate, revision=revision)
        _, named = await run_in_threadpool(remove_one, c.workspace, s.section, key)
    except NotFound:
        return missing(request, s, key)
    except (InvalidWorkspace, Stale) as err:
        why = STALE_FLASH.removeprefix("Not saved: ") if isinstance(err, Stale) else err.message
        ctx = s.ctx(c, request, flash=f"Not deleted: {why}", flash_kind="bad")
        return render(request, s.template, ctx, status=409)
    done = "deactivated" if s.section == "users" else "deleted"
    if named:
        done += f" (still named by {', '.join(named)}: routing skips them while inactive)"
    return RedirectResponse(f"/dashboard/{s.url}?flash={quote(f'{key} {done}')}", 303)


def rejected(
    request: Request,
    c: Container,
    s: Section,
    key: str | None,
    item: dict[str, Any],
    err: InvalidWorkspace,
    bad: dict[str, str],
    status: int = 422,
    flash: str | None = None,
) -> Response:
    """The form again, status 422, with what the user typed and the bad fields marked (409
    and ``flash`` when the page was stale)."""
    index = len(section_items(c.workspace, s.section))
    if key is not None:
        with contextlib.suppress(NotFound):
            index, _ = find_item(c.workspace, s.section, key)
    problems = item_problems(err, s.section, index) if err.problems else {}
    errors = s.fields_of(problems, item) | bad
    listed = [f"{p or s.key}: {m}" for p, m in (problems | bad).items()]
    ctx = s.ctx(c, request, v=s.to_view(item), key=key, errors=errors)
    ctx.update(flash=flash or "Not saved: " + "; ".join(listed), flash_kind="bad")
    return render(request, s.template, ctx, status=status)


def missing(request: Request, s: Section, key: str) -> Response:
    ctx = {"flash": f"No {s.title.lower()} {key!r}.", "flash_kind": "bad", "back": s.url}
    return render(request, "dashboard/config/missing.html", ctx, status=404)
