"""The workspace document over HTTP: the same shape as the YAML file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from leadrail.app.apply import apply_at, read_workspace
from leadrail.web.deps import Admin, ContainerDep
from leadrail.web.revision import IfMatch, if_match, tag
from leadrail.web.routes.api.routing import ERRORS

router = APIRouter(prefix="/api/v1", tags=["workspace"])
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 409: ERRORS[404]}


@router.get("/workspace", responses=ERRORS)
def get_workspace(
    c: ContainerDep,
    _: Admin,
    response: Response,
    crm: Annotated[bool, Query(description="Include CRM records.")] = True,
) -> dict[str, Any]:
    """Export the workspace (what `leadrail export` prints, as JSON). The `ETag` header is
    its revision: send it back as `If-Match` with a `PUT` to refuse to overwrite changes
    made since (409 `stale`)."""
    revision, doc = read_workspace(c.workspace, include_crm=crm)
    tag(response, revision)
    return doc


@router.put("/workspace", responses=WRITE_ERRORS)
def put_workspace(
    c: ContainerDep,
    _: Admin,
    response: Response,
    doc: Annotated[dict[str, Any], Body()],
    sent: IfMatch = None,
    dry_run: Annotated[bool, Query(description="Only report changes.")] = False,
) -> dict[str, Any]:
    """Make the workspace match the document (idempotent). Invalid documents are refused
    with every problem listed, and nothing is written. With `If-Match` (the `ETag` of your
    `GET`), a workspace changed since is refused with 409 `stale` and nothing is written;
    `revision` (and the `ETag` header) is the workspace's revision afterwards."""
    changes, revision = apply_at(c.workspace, doc, dry_run=dry_run, revision=if_match(sent))
    tag(response, revision)
    return {
        "changed": not dry_run and bool(changes),
        "dry_run": dry_run,
        "revision": revision,
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
