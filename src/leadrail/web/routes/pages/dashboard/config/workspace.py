"""Dashboard: the CRM connection, and the workspace YAML (download, upload or paste with a
dry-run preview, then apply). Both go through ``apply_workspace``: an invalid document is
shown with every problem path and nothing is written."""

from __future__ import annotations

import functools
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from leadrail.app.apply import Change, apply_workspace, export_workspace
from leadrail.app.errors import InvalidWorkspace, Problem, Stale
from leadrail.app.workspace import CrmConnectionDoc
from leadrail.web.auth import AdminAccountDep, CsrfDep
from leadrail.web.edge import UPLOAD, Refused, load_document
from leadrail.web.render import render
from leadrail.web.revision import STALE_FLASH, keep, sent_revision
from leadrail.web.routes.pages.dashboard.config.forms import (
    container,
    field_name,
    model_widgets,
    text,
    widget_values,
)

router = APIRouter(include_in_schema=False)
CONNECTION = model_widgets(CrmConnectionDoc)
MAX_UPLOAD = 5_000_000


def crm_settings(c: Any) -> dict[str, Any]:
    crm = export_workspace(c.workspace, include_crm=True).get("crm") or {}
    return {"provider": crm.get("provider", "builtin"), "connection": crm.get("connection") or {}}


@router.get("/dashboard/crm")
def crm_page(request: Request, account: AdminAccountDep) -> Response:
    c = container(request)
    ctx = {"v": crm_settings(c), "widgets": CONNECTION, "errors": {},
           "flash": request.query_params.get("flash")}  # fmt: skip
    return render(request, "dashboard/config/crm.html", ctx)


@router.post("/dashboard/crm", dependencies=[CsrfDep])
async def save_crm(request: Request, account: AdminAccountDep) -> Response:
    """Provider and connection only: CRM records are left as they are."""
    c = container(request)
    form = await request.form()
    prefixed = {k.removeprefix("connection."): v for k, v in form.items()
                if k.startswith("connection.")}  # fmt: skip
    conn = widget_values(prefixed, CONNECTION)
    provider = text(form, "provider") or "builtin"
    doc = {"crm": {"provider": provider, "connection": conn or None}}
    apply = functools.partial(apply_workspace, revision=keep(request, sent_revision(form)))
    try:
        await run_in_threadpool(apply, c.workspace, doc)
    except Stale:
        ctx = {"v": {"provider": provider, "connection": conn}, "widgets": CONNECTION,
               "errors": {}, "flash": STALE_FLASH, "flash_kind": "bad"}  # fmt: skip
        return render(request, "dashboard/config/crm.html", ctx, status=409)
    except InvalidWorkspace as err:
        errors: dict[str, str] = {}
        for p in err.problems:
            errors.setdefault(field_name(p.path.removeprefix("crm.")), p.message)
        listed = "; ".join(str(p) for p in err.problems)
        ctx = {"v": {"provider": provider, "connection": conn}, "widgets": CONNECTION,
               "errors": errors, "flash": f"Not saved: {listed}", "flash_kind": "bad"}  # fmt: skip
        return render(request, "dashboard/config/crm.html", ctx, status=422)
    return RedirectResponse("/dashboard/crm?flash=Saved", 303)


def dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


@router.get("/dashboard/workspace")
def workspace_page(request: Request, account: AdminAccountDep) -> Response:
    return render(request, "dashboard/config/workspace.html", {"text": "", "problems": []})


@router.get("/dashboard/workspace.yaml")
def download(request: Request, account: AdminAccountDep) -> Response:
    """The workspace file, what ``leadrail export`` prints."""
    body = dump(export_workspace(container(request).workspace))
    return Response(
        body,
        media_type="application/yaml",
        headers={
            "Content-Disposition": 'attachment; filename="workspace.yaml"',
            "Cache-Control": "no-store",
        },  # fmt: skip
    )


async def _document(form: Any) -> str:
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise InvalidWorkspace([Problem("file", "the file is larger than 5 MB")])
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidWorkspace([Problem("file", "the file is not UTF-8 text")]) from None
    value = form.get("yaml", "")
    return value if isinstance(value, str) else ""


def _parse(source: str) -> object:
    try:
        return load_document(source, UPLOAD)  # checked like any request body
    except Refused as err:
        raise InvalidWorkspace([Problem(err.field or "", err.message)]) from None


@router.post("/dashboard/workspace", dependencies=[CsrfDep])
async def import_workspace(request: Request, account: AdminAccountDep) -> Response:
    """``action=preview``: the changes, nothing written; ``action=apply``: make it so."""
    c = container(request)
    form = await request.form()
    dry_run = text(form, "action") != "apply"
    revision = keep(request, sent_revision(form))
    source = ""
    try:
        source = await _document(form)
        changes: list[Change] = await run_in_threadpool(
            functools.partial(apply_workspace, dry_run=dry_run, revision=revision),
            c.workspace,
            _parse(source),
        )
    except Stale:
        stale = {"text": source, "problems": [], "flash_kind": "bad", "flash": STALE_FLASH}
        return render(request, "dashboard/config/workspace.html", stale, status=409)
    except InvalidWorkspace as err:
        bad = {"text": source, "problems": err.problems, "flash_kind": "bad",
               "flash": f"Nothing was written: {len(err.problems)} problem(s)."}  # fmt: skip
        return render(request, "dashboard/config/workspace.html", bad, status=422)
    ctx: dict[str, Any] = {
        "text": source, "problems": [], "changes": [str(ch) for ch in changes],
        "dry_run": dry_run,
        "flash": f"Dry run: {len(changes)} change(s) would be made." if dry_run
        else f"Applied: {len(changes)} change(s).",
    }  # fmt: skip
    return render(request, "dashboard/config/workspace.html", ctx)
