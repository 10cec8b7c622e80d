"""``EdgeMiddleware``: the edge policy (``leadrail.web.edge``) on every HTTP request, before
routing, authentication or any route's own parsing.

- Path and query: one line, no control character (the multi-line fields excepted).
- Body: at most the endpoint's ``max_bytes`` (413 from ``Content-Length`` before reading, or
  while reading a chunked body). Then, by content type: a form's text fields (urlencoded or
  multipart; uploaded files are only size-bound) are checked like a query (dashboard forms:
  no control characters, line breaks allowed); anything else that parses as JSON is walked
  once (depth, entries, text, numbers) and a body that claims to be JSON but is not is
  refused (400). The parsed value is left in ``scope["leadrail.json"]`` for routes that read
  their own body (``json_body``).

The body is read once, bounded, and replayed to the application.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leadrail.web.edge import (
    ADMIN,
    PUBLIC,
    UPLOAD,
    Limits,
    Refused,
    check_pairs,
    parse_json,
    refuse_text,
    text_problem,
    too_large,
)
from leadrail.web.render import render

SCOPE_KEY = "leadrail.json"
_PLAIN_QUERY = re.compile(rb"[!-$&-~]*")  # printable ASCII without '%': nothing to decode
_PUBLIC_API = re.compile(r"^/api/v1/(bookings|leads|visitors/|routers/[^/]+/(route|slots)$)")


def limits_for(path: str, content_type: str) -> Limits:
    """Admin documents may be large; what prospects and websites send may not."""
    if path.startswith("/dashboard/"):
        return UPLOAD if content_type.startswith("multipart/") else ADMIN
    if path.startswith("/api/v1/") and not _PUBLIC_API.match(path):
        return ADMIN
    return PUBLIC


class EdgeMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            _check_path(scope)
            query: bytes = scope.get("query_string", b"")
            if query and not _PLAIN_QUERY.fullmatch(query):  # only escapes can hide anything
                check_pairs(_pairs(query))
            receive = await _checked_body(scope, receive)
        except Refused as refused:
            await _answer(scope, refused)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _answer(scope: Scope, refused: Refused) -> Response:
    """JSON for the API and scripts; a page for a person's browser on a page's address."""
    path: str = scope["path"]
    templates = getattr(getattr(scope.get("app"), "state", None), "templates", None)
    browser = "text/html" in (_header(scope, b"accept") or "")
    if browser and templates is not None and not path.startswith("/api/"):
        context = {"title": "This request cannot be taken", "message": refused.message}
        return render(Request(scope), "message.html", context, status=refused.status, public=True)
    answer = JSONResponse(refused.body(), status_code=refused.status)
    origin = _header(scope, b"origin")
    if origin and path.startswith("/api/v1/visitors/"):  # readable by the snippet (CORS)
        answer.headers["Access-Control-Allow-Origin"] = origin
        answer.headers["Vary"] = "Origin"
    return answer


def _pairs(raw: bytes) -> list[tuple[str, str]]:
    return parse_qsl(raw.decode("latin-1"), keep_blank_values=True)


def _check_path(scope: Scope) -> None:
    path: str = scope["path"]
    problem = text_problem(path, one_line=True)
    if problem is not None:
        raise refuse_text(_path_field(scope.get("app"), path), problem)


def _path_field(app: Any, path: str) -> str:
    """The path parameter that holds the bad text (looked up only for a refused path)."""
    for context in iter_route_contexts(getattr(app, "routes", [])):
        pattern = context.path
        if not pattern or "{" not in pattern:
            continue
        regex, _, _ = compile_path(pattern)
        found = regex.match(path)
        if found is not None:
            params = found.groupdict()
            return next((k for k, v in params.items() if text_problem(v, one_line=True)), "path")
    return "path"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


_BODY_HEADERS = (b"content-length", b"transfer-encoding", b"content-type")


async def _checked_body(scope: Scope, receive: Receive) -> Receive:
    found = {k.decode(): v.decode("latin-1") for k, v in scope["headers"] if k in _BODY_HEADERS}
    length = found.get("content-length")
    if length is None and "transfer-encoding" not in found:
        return receive
    content_type = found.get("content-type", "").lower()
    limits = limits_for(scope["path"], content_type)
    if length is not None and length.strip().isdigit():
        if int(length) > limits.max_bytes:
            raise too_large(limits)
        if int(length) == 0:
            return receive
    body, last = await _read(receive, limits)
    if body and last is None:  # (a client that left mid-body gets no answer to read)
        await _check_body(scope, body, content_type, limits)
    return _replay(body, last, receive)


async def _read(receive: Receive, limits: Limits) -> tuple[bytes, Message | None]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), message  # the client left: the app hears it too
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limits.max_bytes:
            raise too_large(limits)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _replay(body: bytes, last: Message | None, receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if last is not None:
        pending.append(last)

    async def again() -> Message:
        return pending.pop(0) if pending else await receive()

    return again


async def _check_body(scope: Scope, body: bytes, content_type: str, limits: Limits) -> None:
    one_line = not scope["path"].startswith("/dashboard/")  # dashboard text areas: see edge.py
    if content_type.startswith("application/x-www-form-urlencoded"):
        check_pairs(_pairs(body), one_line=one_line)
        return
    if content_type.startswith("multipart/"):
        check_pairs(await _multipart_fields(scope, body), one_line=one_line)
        return  # uploaded files: size only; the route checks what it parses from them
    try:
        scope[SCOPE_KEY] = parse_json(body, limits)
    except Refused as refused:
        if refused.code == "bad_json" and content_type and not _is_json(content_type):
            return  # some other kind of body: the route decides what to make of it
        raise


async def _multipart_fields(scope: Scope, body: bytes) -> list[tuple[str, str]]:
    """The text fields of a multipart form (parsed as the route will parse it)."""

    async def nothing_more() -> Message:
        return {"type": "http.disconnect"}

    try:
        form = await Request(scope, _replay(body, None, nothing_more)).form()
    except (HTTPException, MultiPartException, ValueError):
        raise Refused(400, "bad_form", "the form could not be read", "body") from None
    try:
        return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    finally:
        await form.close()


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def json_body(request: Request, limits: Limits = PUBLIC) -> Any:
    """The request's JSON body as the edge parsed it (parsed now, with the same checks, when
    the middleware let it through as another kind of body); None for no body."""
    if SCOPE_KEY in request.scope:
        return request.scope[SCOPE_KEY]
    raw = await request.body()
    return parse_json(raw, limits) if raw.strip() else None
