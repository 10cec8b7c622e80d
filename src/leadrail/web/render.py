"""The one way a handler renders a template.

A dashboard page (the default) gets ``account``, ``csrf`` and ``revision`` (the workspace's,
for forms that change it) besides its context, and headers that keep it out of caches and
frames. A public page (``public=True``: booking links, the form's answer, the home page)
gets its context only and no such headers (booking pages may be framed by a customer's site).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse

if TYPE_CHECKING:
    from leadrail.web.auth import Account


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    account: Account | None = None,
    public: bool = False,
) -> HTMLResponse:
    if public:
        ctx: dict[str, Any] = dict(context or {})
    else:
        acct = account if account is not None else request.state._state.get("account")
        revision = request.state._state.get("revision", "")  # see web/revision.py
        ctx = {"account": acct, "csrf": acct.csrf if acct else "", "revision": revision}
        ctx.update(context or {})
    page: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, ctx, status_code=status
    )
    if not public:
        page.headers.setdefault("Cache-Control", "no-store")
        page.headers.setdefault("X-Frame-Options", "DENY")  # no clickjacking of admin buttons
        page.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        page.headers.setdefault("Referrer-Policy", "no-referrer")  # reset links carry a token
    return page
