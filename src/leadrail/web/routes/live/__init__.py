"""Live website visitors: the snippet's HTTP + Server-Sent Events endpoints, the demo page,
and the runtime (hub + use cases) every live route shares. See docs/live.md."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from limits import parse
from starlette.concurrency import run_in_threadpool

from leadrail.app.errors import InvalidInput, LeadrailError
from leadrail.app.live.views import Forbidden
from leadrail.bootstrap import Container
from leadrail.i18n import negotiate, widget_strings
from leadrail.web.client import client_address
from leadrail.web.edge import Refused as EdgeRefused
from leadrail.web.edge_middleware import json_body
from leadrail.web.errors import error
from leadrail.web.live_hub import CLOSE, LiveRuntime, Refused, runtime_of
from leadrail.web.openapi import answers
from leadrail.web.render import render

router = APIRouter(tags=["live"])


# --- CORS: the snippet runs on the customer's pages (no cookies are ever used) ----------
def _cors(request: Request, response: Response) -> Response:
    origin = request.headers.get("origin")
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response


@router.options("/api/v1/visitors/events", include_in_schema=False)
@router.options("/api/v1/visitors/stream", include_in_schema=False)
async def preflight(request: Request) -> Response:
    response = Response(status_code=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Site-Key"
    response.headers["Access-Control-Max-Age"] = "600"
    return _cors(request, response)


def _fail(request: Request, exc: LeadrailError) -> Response:
    return _cors(request, error(exc.status, exc.code, exc.message, exc.field))


def _limited(live: LiveRuntime, request: Request, body: dict[str, Any]) -> bool:
    ip = client_address(request)
    who = str(body.get("visitor") or "")[:300] or f"ip:{ip}"
    per_ip = parse(f"{live.rate.amount * 10}/{live.rate.multiples} {live.rate.GRANULARITY.name}")
    return not (live.limiter.hit(live.rate, "visitor", who) and live.limiter.hit(per_ip, "ip", ip))


async def _body(request: Request, live: LiveRuntime) -> dict[str, Any]:
    """The event, once its site is known: the site key (``X-Site-Key`` or ``site_key`` in the
    body) is checked before anything else in the body (401)."""
    body = await json_body(request)
    key = request.headers.get("x-site-key") or (
        body.get("site_key") if isinstance(body, dict) else None
    )
    live.service.site(key)
    if not isinstance(body, dict):
        raise InvalidInput("send a JSON object", field="body")
    return {**body, "site_key": key}


@router.post("/api/v1/visitors/events", responses=answers(401, 403, 429))
async def visitor_event(request: Request) -> Response:
    """One event from the snippet (page_view, identify, chat_request, message, ...)."""
    live = runtime_of(request)
    try:
        body = await _body(request, live)
        if _limited(live, request, body):
            answer = error(429, "rate_limited", "too many events; slow down")
            answer.headers["Retry-After"] = "60"
            return _cors(request, answer)
        ip = client_address(request)
        origin = request.headers.get("origin")
        it = await run_in_threadpool(live.service.event, body, origin=origin, ip=ip)
    except LeadrailError as exc:
        return _fail(request, exc)
    except EdgeRefused as refused:
        return _cors(request, JSONResponse(refused.body(), status_code=refused.status))
    reply = {
        "visitor": it.token,
        "visitor_id": it.visitor.id,
        "conversation": live.service.visitor_conversation(it),
        "offer": it.offer,
        "lang": (lang := negotiate(request.headers.get("accept-language"))),
        "strings": widget_strings(lang),  # the widget's words in the visitor's language
    }
    return _cors(request, JSONResponse(reply))


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


@router.get(
    "/api/v1/visitors/stream",
    response_class=StreamingResponse,
    responses={
        200: {"description": "Server-Sent Events", "content": {"text/event-stream": {}}},
        **answers(401, 403, 429),
    },
)
async def visitor_stream(request: Request, site_key: str = "", visitor: str = "") -> Response:
    """The visitor's events (Server-Sent Events): hello, chat.*; ``: ping`` keeps it open."""
    live = runtime_of(request)
    service = live.service
    try:
        site = service.site(site_key)
        if not service.origin_allowed(site, request.headers.get("origin")):
            raise Forbidden("this page's origin may not open the stream", field="origin")
        v = await run_in_threadpool(service.visitor_of, site, visitor)
    except LeadrailError as exc:
        return _fail(request, exc)
    ip = client_address(request)
    try:
        conn = live.hub.connect_visitor(v.id, ip)
    except Refused as refused:
        return _cors(request, error(429, "rate_limited", str(refused)))
    hello = await run_in_threadpool(live.reps.visitor_hello, v.id)
    await run_in_threadpool(live.reps.visitor_connected, v.id)
    ping = request.app.state.container.settings.live_ping_seconds

    async def events() -> AsyncIterator[str]:
        try:
            yield _sse("hello", hello)
            while True:
                try:
                    item = await asyncio.wait_for(conn.queue.get(), timeout=ping)
                except TimeoutError:
                    yield ": ping\n\n"
                    continue
                if item is CLOSE:
                    return
                yield _sse(item[0], item[1])
        finally:
            if live.hub.disconnect_visitor(conn):
                # the client went away and this task is being cancelled: no await here, the
                # hub runs it (the visitor leaves the consoles after the idle time)
                live.hub.later(0, lambda: live.reps.visitor_disconnected(v.id))

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return _cors(
        request, StreamingResponse(events(), media_type="text/event-stream", headers=headers)
    )


@router.get("/demo/site", include_in_schema=False, response_class=HTMLResponse)
async def demo_site(request: Request) -> Response:
    """A fake customer page with the snippet, for the first site that has live routing."""
    c: Container = request.app.state.container
    sites = await run_in_threadpool(c.live.repo.sites)
    site = next((x for x in sites if x.live), sites[0] if sites else None)
    if site is None:
        return HTMLResponse("<p>No site in the workspace: add one (see docs/live.md).</p>", 404)
    base = str(request.base_url).rstrip("/")
    context = {"site_key": site.key, "base_url": base}
    return render(request, "live_demo.html", context, public=True)


from leadrail.web.routes.live import console  # noqa: E402  (its routes join this router)

router.include_router(console.router)
