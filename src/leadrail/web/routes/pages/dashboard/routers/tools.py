"""Dashboard: a router's link builder and its dry run ("test a router")."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from leadrail.app.errors import InvalidInput, NotFound
from leadrail.app.route import route_prospect
from leadrail.app.workspace_edit import find_item
from leadrail.bootstrap import Container
from leadrail.web.auth import AdminAccountDep, CsrfDep
from leadrail.web.render import render
from leadrail.web.routes.pages.dashboard.routers.shared import router_or_404

router = APIRouter(include_in_schema=False)

UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# Merge tags that prefill the link's name, email and company, per tool. Where the syntax comes
# from (the `search` tool, docs and pages corpora):
# - HubSpot personalization tokens `{{ contact.firstname }}`, `{{ contact.company }}`:
#   https://crmcurator.com/articles/hubspot/hubspot-smart-content-personalization-token-pitfalls/
#   (HubL contact properties; see also developers.hubspot.com "emails with programmable
#   content").
# - Outreach template variables `{{first_name}}` (named in the templates table of
#   https://developers.outreach.io/data-sharing/data-dictionary-v1/templates); `{{email}}` and
#   `{{account.name}}` follow Outreach's prospect/account variable names (not confirmed by a
#   page found in the corpus: check in your Outreach template editor).
# - Salesloft dynamic fields `{{first_name}}`, `{{email_address}}`, `{{company}}`: no Salesloft
#   page on them was found in the corpus; these are the names Salesloft's editor inserts for
#   the person's first name, e-mail address (the API's `email_address`) and company.
# - Marketo tokens `{{lead.First Name}}`, `{{lead.Email Address}}`, `{{company.Company Name}}`:
#   https://experienceleague.adobe.com/docs/marketo/using/product-docs/demand-generation/
#   landing-pages/personalizing-landing-pages/tokens-overview.html
MERGE_TAGS: dict[str, dict[str, str]] = {
    "HubSpot": {"name": "{{ contact.firstname }}", "email": "{{ contact.email }}",
                "company": "{{ contact.company }}"},
    "Outreach": {"name": "{{first_name}}", "email": "{{email}}", "company": "{{account.name}}"},
    "Salesloft": {"name": "{{first_name}}", "email": "{{email_address}}",
                  "company": "{{company}}"},
    "Marketo": {"name": "{{lead.First Name}}", "email": "{{lead.Email Address}}",
                "company": "{{company.Company Name}}"},
}  # fmt: skip
# Like JavaScript's encodeURIComponent, so the page's live preview and the server agree.
URL_SAFE = "!'()*~"
BUTTON_STYLE = (
    "display:inline-block;padding:12px 20px;background:#1f5eff;color:#fff;"
    "border-radius:6px;text-decoration:none;font:600 16px/1.2 system-ui,sans-serif"
)


def router_link(base: str, slug: str, tags: Mapping[str, str], utm: Mapping[str, str]) -> str:
    """The click link: merge tags verbatim (the sending tool replaces them), the admin's UTM
    values percent-encoded."""
    parts = [f"{k}={v}" for k, v in tags.items()]
    parts += [f"{k}={quote(v, safe=URL_SAFE)}" for k, v in utm.items() if v]
    query = "&".join(parts)
    return f"{base.rstrip('/')}/c/{quote(slug)}" + (f"?{query}" if query else "")


def button_snippet(link: str, label: str) -> str:
    """A website button: the link and the label HTML-escaped."""
    return (
        f'<a href="{html.escape(link)}" style="{BUTTON_STYLE}">'
        f"{html.escape(label or 'Book a meeting')}</a>"
    )


@router.get("/dashboard/routers/{slug}/links")
def links_page(slug: str, request: Request, account: AdminAccountDep) -> Response:
    c: Container = request.app.state.container
    try:
        _, item = find_item(c.workspace, "routers", slug)
    except NotFound:
        return router_or_404(request, None, slug)
    q = request.query_params
    utm = {k: q.get(k, "").strip()[:200] for k in UTM}
    label = q.get("label", "").strip()[:120] or "Book a meeting"
    base = c.settings.base_url
    plain = router_link(base, slug, {}, utm)
    tools = [
        {"tool": tool, "id": tool.lower(), "tags": tags, "link": router_link(base, slug, tags, utm)}
        for tool, tags in MERGE_TAGS.items()
    ]
    ctx = {
        "slug": slug, "r": item, "tab": "links", "utm": utm, "label": label, "plain": plain,
        "tools": tools, "snippet": button_snippet(plain, label),
        "base": f"{base.rstrip('/')}/c/{slug}", "style": BUTTON_STYLE,
    }  # fmt: skip
    return render(request, "dashboard/router_links.html", ctx)


PROSPECT_FIELDS = ("email", "name", "company", "country", "employee_count", *UTM)


def prospect_from_form(form: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The prospect the test form describes, and problems with the extra fields."""
    raw = {k: str(form.get(k, "")).strip() for k in PROSPECT_FIELDS}
    raw = {k: v for k, v in raw.items() if v}
    for n, line in enumerate(str(form.get("extra", "")).splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            return raw, {"extra": f"line {n}: write one field a line, as key=value"}
        raw[key.strip().lower()] = value.strip()
    return raw, {}


def _test_ctx(slug: str, form: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    values = {k: str(form.get(k, "")) for k in (*PROSPECT_FIELDS, "extra")}
    return {"slug": slug, "tab": "test", "v": values, "errors": {}, "result": None, **extra}


@router.get("/dashboard/routers/{slug}/test")
def test_page(slug: str, request: Request, account: AdminAccountDep) -> Response:
    c: Container = request.app.state.container
    try:
        find_item(c.workspace, "routers", slug)
    except NotFound:
        return router_or_404(request, None, slug)
    return render(request, "dashboard/router_test.html", _test_ctx(slug, {}))


@router.post("/dashboard/routers/{slug}/test", dependencies=[CsrfDep])
async def run_test(slug: str, request: Request, account: AdminAccountDep) -> Response:
    """Route the prospect with ``dry_run``: the decision and its trace; nothing recorded."""
    c: Container = request.app.state.container
    form = await request.form()
    raw, errors = prospect_from_form(form)
    if errors:
        ctx = _test_ctx(slug, form, errors=errors, flash="Check the marked field.")
        return render(
            request, "dashboard/router_test.html", ctx | {"flash_kind": "bad"}, status=422
        )
    try:
        rec = await run_in_threadpool(
            route_prospect, c.routing, slug, raw, c.clock.now(), dry_run=True, source="dashboard"
        )
    except NotFound:
        return router_or_404(request, None, slug)
    except InvalidInput as err:
        field = err.field if err.field in PROSPECT_FIELDS else "extra"
        message = err.message if field != "extra" else f"{err.field}: {err.message}"
        ctx = _test_ctx(slug, form, errors={field: message}, flash="Check the marked field.")
        return render(
            request, "dashboard/router_test.html", ctx | {"flash_kind": "bad"}, status=422
        )
    d = rec.decision
    result = {
        "assignees": list(d.assignees), "rule": d.rule, "via": d.via, "category": d.category,
        "store": d.store, "trace": d.trace.to_json(),
    }  # fmt: skip
    return render(request, "dashboard/router_test.html", _test_ctx(slug, form, result=result))
