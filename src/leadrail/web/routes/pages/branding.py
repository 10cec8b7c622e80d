"""Branding: the images leadrail serves (``/img/<key>``: the workspace logo, reps' photos),
the admin's branding page (company name, accent colour, logo, the reps' e-mail language) and
a rep's own photo (*My settings* → photo)."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from leadrail.app.apply import apply_workspace, export_workspace
from leadrail.app.errors import InvalidInput, InvalidWorkspace, Stale
from leadrail.app.images import LOGO, MAX_BYTES, checked, rep_key, url
from leadrail.bootstrap import Container
from leadrail.i18n import LANGUAGES
from leadrail.web.auth import AccountDep, AdminAccountDep, CsrfDep
from leadrail.web.ratelimit import public
from leadrail.web.render import render
from leadrail.web.revision import STALE_FLASH, keep, sent_revision

router = APIRouter(include_in_schema=False)
IMAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",  # the type found in its bytes, never guessed
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "public, max-age=300",
}


def container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


def text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


@router.get("/img/{key}", dependencies=[Depends(public)])
def image(key: str, request: Request) -> Response:
    found = container(request).images.image(key) if len(key) <= 280 else None
    if found is None:
        return Response("no such image", status_code=404, media_type="text/plain")
    return Response(found.data, media_type=found.content_type, headers=IMAGE_HEADERS)


async def _upload(request: Request, field: str) -> tuple[Any, bytes | None]:
    form = await request.form()
    upload = form.get(field)
    if isinstance(upload, UploadFile) and upload.filename:
        return form, await upload.read(MAX_BYTES + 1)
    return form, None


def _brand_view(c: Any) -> dict[str, Any]:
    doc = export_workspace(c.workspace)
    return {"branding": doc.get("branding") or {}, "language": doc.get("language", "en")}


def _brand_page(
    request: Request, v: dict[str, Any], errors: dict[str, str], status: int = 200, **ctx: Any
) -> Response:
    c = container(request)
    logo = url(LOGO, c.images.present([LOGO]))
    context = {"v": v, "errors": errors, "logo": logo, "languages": LANGUAGES,
               "max_kb": MAX_BYTES // 1024, **ctx}  # fmt: skip
    return render(request, "dashboard/config/branding.html", context, status=status)


@router.get("/dashboard/branding")
def branding_page(request: Request, account: AdminAccountDep) -> Response:
    return _brand_page(request, _brand_view(container(request)), {},
                       flash=request.query_params.get("flash"))  # fmt: skip


@router.post("/dashboard/branding", dependencies=[CsrfDep])
async def save_branding(request: Request, account: AdminAccountDep) -> Response:
    """Company name, accent colour and the reps' language (the workspace document); the logo
    (an upload, checked by its bytes) or its removal."""
    c = container(request)
    form, data = await _upload(request, "logo")
    v = {"branding": {"company_name": text(form, "company_name"),
                      "accent_color": text(form, "accent_color")},
         "language": text(form, "language") or "en"}  # fmt: skip
    try:
        logo = checked(data, c.clock.now(), field="logo") if data is not None else None
        apply = functools.partial(apply_workspace, revision=keep(request, sent_revision(form)))
        await run_in_threadpool(apply, c.workspace, v)
    except InvalidInput as err:
        return _brand_page(request, v, {err.field or "logo": err.message}, 422,
                           flash=f"Not saved: {err.message}.", flash_kind="bad")  # fmt: skip
    except InvalidWorkspace as err:
        errors = {p.path.split(".")[-1]: p.message for p in err.problems}
        listed = "; ".join(p.message for p in err.problems)
        return _brand_page(request, v, errors, 422, flash=f"Not saved: {listed}.",
                           flash_kind="bad")  # fmt: skip
    except Stale:
        return _brand_page(request, v, {}, 409, flash=STALE_FLASH, flash_kind="bad")
    if logo is not None:
        await run_in_threadpool(c.images.put, LOGO, logo)
    elif text(form, "remove_logo"):
        await run_in_threadpool(c.images.delete, LOGO)
    return RedirectResponse("/dashboard/branding?flash=Saved", 303)


def _photo_page(request: Request, account: Any, status: int = 200, **ctx: Any) -> Response:
    c = container(request)
    key = rep_key(account.email)
    photo = url(key, c.images.present([key]))
    context = {"photo": photo, "max_kb": MAX_BYTES // 1024, "errors": {}, **ctx}
    return render(request, "dashboard/config/photo.html", context, status=status)


@router.get("/dashboard/me/photo")
def photo_page(request: Request, account: AccountDep) -> Response:
    return _photo_page(request, account, flash=request.query_params.get("flash"))


@router.post("/dashboard/me/photo", dependencies=[CsrfDep])
async def save_photo(request: Request, account: AccountDep) -> Response:
    """The caller's own photo, shown on their booking pages: PNG, JPEG, WebP or GIF, 1 MB at
    most; or its removal."""
    c = container(request)
    form, data = await _upload(request, "photo")
    if text(form, "remove"):
        await run_in_threadpool(c.images.delete, rep_key(account.email))
        return RedirectResponse("/dashboard/me/photo?flash=Photo removed", 303)
    try:
        photo = checked(data or b"", c.clock.now(), field="photo")
    except InvalidInput as err:
        return _photo_page(request, account, 422, errors={"photo": err.message},
                           flash=f"Not saved: {err.message}.", flash_kind="bad")  # fmt: skip
    await run_in_threadpool(c.images.put, rep_key(account.email), photo)
    return RedirectResponse("/dashboard/me/photo?flash=Saved", 303)
