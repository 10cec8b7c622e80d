"""Every error answers ``{"error": {"code", "message", "field"}}`` with the right status."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from leadrail.app.errors import InvalidWorkspace, LeadrailError, Unavailable
from leadrail.app.ports import StaleState
from leadrail.app.workspace import format_loc
from leadrail.web.edge import Refused


def error(
    status: int, code: str, message: str, field: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message, "field": field, **extra}
    return JSONResponse({"error": body}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        loc = tuple(first["loc"])
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        field = format_loc(loc) or None
        problems = [
            {"field": format_loc(tuple(e["loc"])[1:]) or None, "message": e["msg"]} for e in errors
        ]
        return error(
            422, "invalid", f"{field or 'request'}: {first['msg']}", field, problems=problems
        )

    @app.exception_handler(Refused)
    async def _edge(_: Request, exc: Refused) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(InvalidWorkspace)
    async def _workspace(_: Request, exc: InvalidWorkspace) -> JSONResponse:
        return error(
            422,
            exc.code,
            exc.message,
            exc.field,
            problems=[
                {"field": p.path, "message": p.message, **({"where": p.where} if p.where else {})}
                for p in exc.problems
            ],
        )

    @app.exception_handler(LeadrailError)
    async def _domain(_: Request, exc: LeadrailError) -> JSONResponse:
        resp = error(exc.status, exc.code, exc.message, exc.field)
        if isinstance(exc, Unavailable):
            resp.headers["Retry-After"] = str(exc.retry_after)
        return resp

    @app.exception_handler(StaleState)
    async def _busy(_: Request, exc: StaleState) -> JSONResponse:
        resp = error(503, "busy", str(exc))
        resp.headers["Retry-After"] = "1"
        return resp

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
        resp = error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))
        if exc.headers:
            resp.headers.update(exc.headers)
        return resp
