"""The workspace document over HTTP: the same shape as the YAML file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from leadrail.app.apply import apply_workspace, export_workspace
from leadrail.web.deps import Admin, ContainerDep
from leadrail.web.routes.routing import ERRORS

router = APIRouter(prefix="/api/v1", tags=["workspace"])


@router.get("/workspace", responses=ERRORS)
def get_workspace(
    c: ContainerDep,
    _: Admin,
    crm: Annotated[bool, Query(description="Include CRM records.")] = True,
) -> dict[str, Any]:
    """Export the workspace (what `leadrail export` prints, as JSON)."""
    return export_workspace(c.workspace, include_crm=crm)


@router.put("/workspace", responses=ERRORS)
def put_workspace(
    c: ContainerDep,
    _: Admin,
    doc: Annotated[dict[str, Any], Body()],
    dry_run: Annotated[bool, Query(description="Only report changes.")] = False,
) -> dict[str, Any]:
    """Make the workspace match the document (idempotent). Invalid documents are refused
    with every problem listed, and nothing is written."""
    changes = apply_workspace(c.workspace, doc, dry_run=dry_run)
    return {
        "changed": not dry_run and bool(changes),
        "dry_run": dry_run,
        "changes": [
            {
                "op": ch.op,
                "section": ch.section,
                "key": ch.key,
                "detail": ch.detail,
                "text": str(ch),
            }
            for ch in changes
        ],
    }
