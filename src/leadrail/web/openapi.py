"""The OpenAPI document declares every answer the API gives, not only the happy ones.

FastAPI documents what a route declares. The answers that come from the edge and from shared
dependencies are added here, once, by what each operation is:

- every operation: 422 (``{"error": ...}``; a query or path value the edge refuses, a
  parameter that does not validate) in our error shape, not FastAPI's ``detail`` list;
- with a request body: 400 (not JSON, a broken form) and 413 (too large);
- with a security requirement (admin token): 401 and 403;
- with a path parameter: 404;
- public (rate limited): 429;
- every operation: 503 (busy: no database connection came free, or the router's turn did
  not; nothing was written; try again after ``Retry-After``).

A schema fuzzer (tests/integration/test_schemathesis.py) holds the document to the truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from leadrail.web.ratelimit import public

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
WHY = {
    400: "The body could not be read: not JSON, or a broken form.",
    401: "No credentials, or unknown ones.",
    403: "The credentials may not do this.",
    404: "Not found.",
    409: "Conflict with the current state.",
    413: "The body is larger than this endpoint takes.",
    422: "The request is not valid: `error.field` names what to fix.",
    429: "Too many requests from this client: see `Retry-After`.",
    503: "Busy: nothing was written; try again after `Retry-After`.",
}


def install(app: FastAPI) -> None:
    generate = app.openapi  # FastAPI's own document, made once and kept on the app

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            declare_answers(app, generate())
        return generate()

    app.openapi = openapi  # type: ignore[method-assign]


def declare_answers(app: FastAPI, schema: dict[str, Any]) -> None:
    limited = {
        (m.lower(), r.path_format)
        for r in api_routes(app)
        if any(d.call is public for d in _deps(r.dependant))
        for m in r.methods
    }
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            statuses = {422, 503}
            if "requestBody" in op:
                statuses |= {400, 413}
            if op.get("security"):
                statuses |= {401, 403}
            if "{" in path:
                statuses.add(404)
            if (method, path) in limited:
                statuses.add(429)
            answers = op.setdefault("responses", {})
            for status in sorted(statuses):
                answers[str(status)] = _error(status)
            for status, answer in answers.items():
                if status.startswith("4") and not answer.get("content"):
                    answers[status] = _error(int(status))
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that gives these error answers of its own."""
    return {status: _error(status) for status in statuses}


def api_routes(app: FastAPI) -> Iterator[Any]:
    """Every API route of ``app`` (with the prefixes and dependencies of the routers that
    include it)."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def _error(status: int) -> dict[str, Any]:
    return {
        "description": WHY.get(status, "Error."),
        "content": {"application/json": {"schema": ERROR_REF}},
    }


def _deps(dependant: Dependant) -> Iterator[Dependant]:
    for dep in dependant.dependencies:
        yield dep
        yield from _deps(dep)
