"""Dashboard: a router's rule stack. ``static/rules.js`` builds the editor (condition builder,
drag and keyboard reordering) from the stack as JSON and keeps the posted ``rules_json`` field
in step; without JavaScript the same field is edited by hand (JSON or YAML). Either way the
stack is saved through ``put_item``: apply's validation, problems as ``rules[2].when.op``."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from leadrail.app.errors import InvalidWorkspace, NotFound, Stale
from leadrail.app.workspace import OwnershipDoc
from leadrail.app.workspace_edit import (
    find_item,
    item_problems,
    put_item,
    read_item,
    section_items,
)
from leadrail.bootstrap import Container
from leadrail.routing.condition_schema import COMPOSITES
from leadrail.routing.conditions import describe, load_condition
from leadrail.routing.normalise import normalise_prospect
from leadrail.routing.operators import OPERATORS
from leadrail.web.auth import AdminAccountDep, CsrfDep
from leadrail.web.edge import Refused, load_document
from leadrail.web.render import render
from leadrail.web.revision import STALE_FLASH, at_read, keep, sent_revision
from leadrail.web.routes.pages.dashboard.routers.form import ROUTE_KINDS, schema_of
from leadrail.web.routes.pages.dashboard.routers.shared import options, router_or_404

router = APIRouter(include_in_schema=False)
COMMON_FIELDS = ("name", "company", "country", "employee_count", "website", "utm_source",
                 "utm_medium", "utm_campaign", "utm_term", "utm_content")  # fmt: skip


def derived_fields() -> list[str]:
    """The fields the engine derives for every prospect (email, domain, free_mail...), asked
    of the engine itself."""
    return sorted(normalise_prospect({"email": "a@example.test"}, strip_emails=False).fields)


def used_fields(routers: Iterable[dict[str, Any]]) -> set[str]:
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("field"), str):
                found.add(node["field"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for r in routers:
        for rule in r.get("rules") or []:
            walk(rule.get("when"))
    return found


def editor_schema(c: Container) -> dict[str, Any]:
    """What the editor offers, from the engine and the workspace (nothing written twice)."""
    routers = section_items(c.workspace, "routers")
    fields = [*derived_fields(), *COMMON_FIELDS]
    fields += sorted(used_fields(routers) - set(fields))
    return {
        "operators": list(OPERATORS),
        "groups": [k for k in COMPOSITES if k != "always"],
        "fields": fields,
        "route_kinds": list(ROUTE_KINDS),
        "ownership": schema_of(OwnershipDoc),
        **options(c),
    }


def summary(rule: dict[str, Any]) -> str:
    try:
        return describe(load_condition(rule.get("when")))
    except Exception:  # noqa: BLE001 - an invalid condition is shown as it is
        return json.dumps(rule.get("when"), ensure_ascii=False)


def _ctx(c: Container, slug: str, rules: Any, text: str, errors: dict[str, str]) -> dict[str, Any]:
    """``rules``: the stack as read (the editor shows it, errors marked), None when the text
    could not be read as one (the text box alone shows it then, with the reason)."""
    return {
        "slug": slug,
        "rules": rules if isinstance(rules, list) else [],
        "rules_data": rules if isinstance(rules, list) else None,
        "rules_text": text,
        "errors": errors,
        "schema": editor_schema(c),
        "summary": summary,
        "tab": "rules",
    }


@router.get("/dashboard/routers/{slug}/rules")
def rules_page(slug: str, request: Request, account: AdminAccountDep) -> Response:
    c: Container = request.app.state.container
    try:
        _, item = find_item(c.workspace, "routers", slug)
    except NotFound:
        return router_or_404(request, None, slug)
    rules = item.get("rules") or []
    ctx = _ctx(c, slug, rules, json.dumps(rules, indent=2, ensure_ascii=False), {})
    ctx["flash"] = request.query_params.get("flash")
    return render(request, "dashboard/router_rules.html", ctx)


def parse_stack(text: str) -> tuple[Any, str | None]:
    """The posted stack (JSON, or YAML by hand), or the reason it cannot be read. What YAML
    reads beyond JSON (dates, say) comes back as text, so the stack is plain JSON data."""
    if not text.strip():
        return [], None
    try:
        data = load_document(text, kind="JSON or YAML")  # checked like any request body
    except Refused as err:
        return None, err.message
    if not isinstance(data, list):
        return None, "the rule stack is a list of rules"
    try:
        return json.loads(json.dumps(data, default=str, allow_nan=False)), None
    except ValueError:
        return None, "numbers must be finite (not .nan or .inf)"


@router.post("/dashboard/routers/{slug}/rules/read", dependencies=[CsrfDep])
async def read_rules(slug: str, request: Request, account: AdminAccountDep) -> Response:
    """The JSON / YAML box read as a rule stack, for the editor's "Load into the editor"
    button: the same reading as a save's, so what loads is what would be saved."""
    rules, problem = parse_stack(str((await request.form()).get("rules_json", "")))
    if problem:
        body = {"code": "invalid", "message": problem, "field": "rules_json"}
        return JSONResponse({"error": body}, status_code=422)
    return JSONResponse({"rules": rules})


@router.post("/dashboard/routers/{slug}/rules", dependencies=[CsrfDep])
async def save_rules(slug: str, request: Request, account: AdminAccountDep) -> Response:
    c: Container = request.app.state.container
    form = await request.form()
    sent = keep(request, sent_revision(form))
    try:
        at, index, current = await run_in_threadpool(read_item, c.workspace, "routers", slug)
    except NotFound:
        return router_or_404(request, None, slug)
    text = str(form.get("rules_json", ""))
    rules, problem = parse_stack(text)
    errors: dict[str, str] = {"rules": problem} if problem else {}
    flash, status = "Not saved: see the marked rules.", 422
    if not problem:
        item = {k: v for k, v in current.items() if k != "rules"}
        if rules:
            item["rules"] = rules
        try:
            put = functools.partial(put_item, revision=at_read(sent, at))
            await run_in_threadpool(put, c.workspace, "routers", slug, item)
        except InvalidWorkspace as err:
            errors = item_problems(err, "routers", index)
        except Stale:
            flash, status = STALE_FLASH, 409
        else:
            return RedirectResponse(f"/dashboard/routers/{slug}/rules?flash=Rules+saved", 303)
    ctx = _ctx(c, slug, rules, text, errors)
    ctx.update(flash=flash, flash_kind="bad")
    return render(request, "dashboard/router_rules.html", ctx, status=status)
