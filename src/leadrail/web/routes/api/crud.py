"""One workspace item at a time over HTTP: ``/api/v1/{users,teams,lists,meeting-types,
routers,categories,stores,sites}``. Items have the shape of the workspace file's entries and
go through ``apply_workspace`` (the validation of ``leadrail apply``); problems come back in
the API's error shape with paths relative to the item (``rules[0].when.op``)."""

from __future__ import annotations

import functools
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from leadrail.app.apply import KEYED, Change
from leadrail.app.errors import Conflict, InvalidWorkspace, NotFound
from leadrail.app.workspace_edit import (
    delete_or_deactivate,
    find_item,
    put_item,
    read_item,
    read_section,
    relative_problems,
    section_items,
)
from leadrail.web.deps import Admin, ContainerDep
from leadrail.web.revision import IfMatch, if_match, tag
from leadrail.web.routes.api.routing import ERRORS

router = APIRouter(prefix="/api/v1")
URLS = {
    "users": "users", "teams": "teams", "lists": "lists", "meeting-types": "meeting_types",
    "routers": "routers", "categories": "categories", "stores": "stores", "sites": "sites",
}  # fmt: skip
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 409: ERRORS[404]}
ItemBody = Annotated[dict[str, Any], Body(description="The item, as in the workspace file.")]


def _changes(changes: list[Change]) -> list[dict[str, str]]:
    return [{"op": ch.op, "section": ch.section, "key": ch.key, "text": str(ch)} for ch in changes]


def _relative(err: InvalidWorkspace, section: str, index: int) -> InvalidWorkspace:
    return InvalidWorkspace(relative_problems(err, section, index))


def _put(
    c: Any, section: str, key: str | None, item: dict[str, Any], revision: int | None
) -> dict[str, Any]:
    try:
        index, changes = put_item(c.workspace, section, key, item, revision=revision)
    except InvalidWorkspace as err:
        index = len(section_items(c.workspace, section))
        if key is not None:
            index = find_item(c.workspace, section, key)[0]
        raise _relative(err, section, index) from None
    saved = find_item(c.workspace, section, str(item.get(KEYED[section], key or "")))[1]
    return {"item": saved, "changes": _changes(changes)}


def _register(url: str, section: str) -> None:
    key_name = KEYED[section]
    noun = url.removesuffix("s").replace("-", " ")
    tags: list[str | Enum] = [url]

    @router.get(f"/{url}", tags=tags, responses=ERRORS, name=f"list_{section}")
    def list_items(c: ContainerDep, _: Admin, response: Response) -> dict[str, Any]:
        """The items; the `ETag` header is the workspace's revision (for `If-Match`)."""
        revision, items = read_section(c.workspace, section)
        tag(response, revision)
        return {"items": items}

    @router.get(f"/{url}/{{key}}", tags=tags, responses=ERRORS, name=f"get_{section}")
    def get_item(key: str, c: ContainerDep, _: Admin, response: Response) -> dict[str, Any]:
        """The item; the `ETag` header is the workspace's revision (for `If-Match`)."""
        revision, _index, item = read_item(c.workspace, section, key)
        tag(response, revision)
        return item

    @router.post(f"/{url}", tags=tags, responses=WRITE_ERRORS, status_code=201,
                 name=f"create_{section}")  # fmt: skip
    async def create_item(
        c: ContainerDep, _: Admin, item: ItemBody, sent: IfMatch = None
    ) -> dict[str, Any]:
        revision = if_match(sent)
        key = str(item.get(key_name, "")).strip()
        if key:
            try:
                await run_in_threadpool(find_item, c.workspace, section, key)
            except NotFound:
                pass
            else:
                raise Conflict(f"{noun} {key!r} exists already", field=key_name)
        return await run_in_threadpool(_put, c, section, None, item, revision)

    @router.put(f"/{url}/{{key}}", tags=tags, responses=WRITE_ERRORS, name=f"replace_{section}")
    async def replace_item(
        key: str, c: ContainerDep, _: Admin, item: ItemBody, sent: IfMatch = None
    ) -> dict[str, Any]:
        revision = if_match(sent)
        await run_in_threadpool(find_item, c.workspace, section, key)  # 404 when missing
        return await run_in_threadpool(_put, c, section, key, item, revision)

    @router.delete(f"/{url}/{{key}}", tags=tags, responses=WRITE_ERRORS, name=f"delete_{section}")
    async def remove_item(
        key: str, c: ContainerDep, _: Admin, sent: IfMatch = None
    ) -> JSONResponse:
        """Users are deactivated (their history stays); other items are removed, unless
        something still refers to them (409: the message names who, each problem gives the
        referring path in ``field`` and the referrer in ``where``)."""
        try:
            remove_one = functools.partial(delete_or_deactivate, revision=if_match(sent))
            changes, named = await run_in_threadpool(remove_one, c.workspace, section, key)
        except InvalidWorkspace as err:
            body = {
                "code": "in_use",
                "message": err.message,
                "field": key_name,
                "problems": [
                    {"field": p.path, "message": p.message, "where": p.where} for p in err.problems
                ],
            }
            return JSONResponse({"error": body}, status_code=409)  # fmt: skip
        if section != "users":
            return JSONResponse({"deleted": key, "changes": _changes(changes)})
        body = {"deactivated": key, "changes": _changes(changes), "still_named_by": named}
        return JSONResponse(body)


for _url, _section in URLS.items():
    _register(_url, _section)
