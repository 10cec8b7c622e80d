"""What every page a prospect sees shares: their language (``?lang=``, else the browser's
``Accept-Language``; a switch on the page), the workspace's branding, the rep's photo."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from leadrail.app.images import LOGO, rep_key, url
from leadrail.bootstrap import Container
from leadrail.i18n import LANGUAGES, gettext_for, negotiate, supported
from leadrail.web.render import render

ACCENT = re.compile(r"^#[0-9a-fA-F]{6}$")


def page_language(request: Request, chosen: str | None = None) -> str:
    """The page's language: the one chosen on the page, else the browser's."""
    return (
        supported(chosen)
        or supported(request.query_params.get("lang"))
        or negotiate(request.headers.get("accept-language"))
    )


def _switch(request: Request, lang: str) -> list[dict[str, Any]]:
    """Links to this page in every language (GET pages only: a form's answer has no URL to
    open again)."""
    if request.method != "GET":
        return []
    extra = {"step": "view"} if request.url.path.startswith("/c/") else {}  # the same visit
    out = []
    for code, name in LANGUAGES.items():
        query = request.url.include_query_params(lang=code, **extra).query
        out.append({"code": code, "name": name, "href": f"{request.url.path}?{query}",
                    "current": code == lang})  # fmt: skip
    return out


def public_context(
    request: Request, c: Container, *, lang: str | None = None, rep: str | None = None
) -> dict[str, Any]:
    """Language, gettext and branding for a prospect's page; ``rep``: whose photo to show."""
    chosen = page_language(request, lang)
    brand = c.catalog.branding()
    keys = [LOGO] + ([rep_key(rep)] if rep else [])
    present = c.images.present(keys)
    accent = brand.accent_color if ACCENT.match(brand.accent_color or "") else None
    return {
        "lang": chosen,
        "_": gettext_for(chosen),
        "languages": _switch(request, chosen),
        "company": brand.company_name,
        "accent": accent,
        "logo": url(LOGO, present),
        "photo": url(rep_key(rep), present) if rep else None,
    }


def render_public(
    request: Request,
    c: Container,
    name: str,
    status: int = 200,
    *,
    lang: str | None = None,
    rep: str | None = None,
    **ctx: Any,
) -> HTMLResponse:
    context = {**public_context(request, c, lang=lang, rep=rep), **ctx}
    return render(request, name, context, status=status, public=True)
