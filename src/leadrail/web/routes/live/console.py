"""The reps' side of live routing: the console page, its WebSocket, and the transcripts API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, Query, Request, WebSocket
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from leadrail.app.errors import LeadrailError
from leadrail.app.live_reps import Rep
from leadrail.bootstrap import Container
from leadrail.web.auth import COOKIE, AccountDep
from leadrail.web.client import client_address
from leadrail.web.deps import Admin
from leadrail.web.edge import Limits, parse_json
from leadrail.web.edge import Refused as EdgeRefused
from leadrail.web.live_hub import CLOSE, Conn, LiveRuntime, Refused, runtime_of
from leadrail.web.render import render

router = APIRouter(tags=["live"])
WS_PATH = "/api/v1/console/ws"
MAX_FRAME = 8 * 1024
FRAME_LIMITS = Limits(MAX_FRAME, max_depth=8, max_items=100)


@router.get("/dashboard/console", include_in_schema=False)
def console_page(request: Request, account: AccountDep) -> Response:
    me = {"email": account.email, "name": account.name, "is_admin": account.is_admin}
    return render(request, "dashboard/console.html", {"ws_path": WS_PATH, "me": me})


def _same_origin(ws: WebSocket, base_url: str) -> bool:
    origin = ws.headers.get("origin", "")
    host = ws.headers.get("host", "")
    allowed = {f"http://{host}", f"https://{host}"}
    base = urlsplit(base_url)
    allowed.add(f"{base.scheme}://{base.netloc}")
    return origin.rstrip("/") in allowed


def _who(ws: WebSocket, c: Container) -> Rep | None:
    """Session cookie (from this server's own pages) or ``?token=`` (an API token)."""
    now = datetime.now(UTC)
    token = ws.query_params.get("token")
    names = c.live.repo.users()
    if token:
        owner = c.tokens.token_owner(token[:200])
        if owner is None:
            return None
        user = names.get(owner.email)
        return Rep(owner.email, user.name if user else owner.email, owner.is_admin)
    cookie = ws.cookies.get(COOKIE, "")
    if not cookie or len(cookie) > 200 or not _same_origin(ws, c.settings.base_url):
        return None
    found = c.accounts.session(cookie, now)
    if found is None:
        return None
    account = found[0]
    return Rep(account.email, account.name or account.email, account.is_admin)


@router.websocket(WS_PATH)
async def console_socket(ws: WebSocket) -> None:
    c: Container = ws.app.state.container
    live = runtime_of(ws)
    await ws.accept()
    rep = await run_in_threadpool(_who, ws, c)
    if rep is None:
        await ws.close(code=4401, reason="log in first")
        return
    ip = client_address(ws)
    try:
        conn = live.hub.connect_rep(rep.email, rep.is_admin, ip)
    except Refused as refused:
        await ws.close(code=4429, reason=str(refused))
        return
    try:
        status = live.hub.status.get(rep.email, "online")
        await ws.send_json(await run_in_threadpool(live.reps.hello, rep, status))
        silence = c.settings.live_silence_seconds
        async with anyio.create_task_group() as tg:

            async def until_done(job: Awaitable[None]) -> None:
                await job
                tg.cancel_scope.cancel()  # either side ending ends the connection

            tg.start_soon(until_done, _read(ws, live, rep, conn, silence))
            tg.start_soon(until_done, _write(ws, conn))
    finally:
        live.hub.disconnect_rep(conn)


async def _write(ws: WebSocket, conn: Conn) -> None:
    while True:
        item = await conn.queue.get()
        if item is CLOSE:
            await ws.close(code=1013, reason="too slow: reconnect")
            return
        await ws.send_json(item)


async def _read(ws: WebSocket, live: LiveRuntime, rep: Rep, conn: Conn, silence: float) -> None:
    while True:
        try:
            raw = await asyncio.wait_for(ws.receive_text(), timeout=silence)
        except TimeoutError:
            await ws.close(code=1001, reason="silent too long")
            return
        except (WebSocketDisconnect, RuntimeError):
            return
        reply = await _handle(raw, live, rep)
        if reply is not None:
            conn.put(reply)


async def _handle(raw: str, live: LiveRuntime, rep: Rep) -> dict[str, Any] | None:
    if len(raw) > MAX_FRAME:
        return {"type": "error", "message": "the message is too large", "field": "text"}
    try:
        frame = parse_json(raw, FRAME_LIMITS)  # the edge policy, as for any request
    except EdgeRefused as refused:
        if refused.code != "bad_json":
            return {"type": "error", "message": refused.message, "field": refused.field}
        frame = None
    if not isinstance(frame, dict):
        return {"type": "error", "message": "send a JSON object", "field": None}
    kind = frame.get("type")
    cid = frame.get("conversation_id")
    try:
        if kind == "ping":
            return {"type": "pong"}
        if kind == "status":
            if frame.get("status") not in ("online", "away"):
                return {"type": "error", "message": "status is online or away", "field": "status"}
            live.hub.set_status(rep.email, str(frame["status"]))
            return None
        if kind == "accept":
            result: dict[str, Any] | None = await run_in_threadpool(live.reps.accept, rep, cid)
            return result
        if kind == "message":
            await run_in_threadpool(live.reps.message, rep, cid, frame.get("text"))
            return None
        if kind == "close":
            await run_in_threadpool(live.reps.close, rep, cid)
            return None
    except LeadrailError as exc:
        return {"type": "error", "message": exc.message, "field": exc.field}
    return {"type": "error", "message": f"unknown type {str(kind)[:40]!r}", "field": "type"}


@router.get("/api/v1/conversations")
async def list_conversations(
    request: Request,
    _: Admin,
    visitor: str | None = None,
    rep: str | None = None,
    site: str | None = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Chat transcripts, newest first (admin token)."""
    live = runtime_of(request)
    found = await run_in_threadpool(
        live.reps.transcripts,
        visitor=visitor,
        rep=rep.lower() if rep else None,
        site=site,
        status=status,
        limit=limit,
    )
    return {"conversations": found}


@router.get("/api/v1/conversations/{conversation_id}")
async def get_conversation(request: Request, conversation_id: str, _: Admin) -> dict[str, Any]:
    live = runtime_of(request)
    found: dict[str, Any] = await run_in_threadpool(live.reps.transcript, conversation_id)
    return found
