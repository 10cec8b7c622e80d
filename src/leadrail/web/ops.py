"""Operating endpoints: ``/healthz`` (the process is alive: no I/O), ``/readyz`` (the
database answers, its migrations are current, Redis answers when configured: else 503
naming what is not ready) and ``/metrics`` (Prometheus text; with
``LEADRAIL_METRICS_TOKEN`` set it needs ``Authorization: Bearer <token>``).

Shutdown: ``app.state.shutdown`` is an ``asyncio.Event`` set when the server starts a
graceful shutdown (SIGTERM or Ctrl-C, seen by ``watch_signals``), before uvicorn waits for
open connections. Long-lived responses (the live hub's SSE streams) wait on it, tell
their clients to reconnect and end; uvicorn itself closes WebSockets with 1012 (service
restart) and lets in-flight requests finish."""

from __future__ import annotations

import asyncio
import hmac
import signal
import threading
import weakref
from collections.abc import Callable
from types import FrameType
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from leadrail import metrics
from leadrail.bootstrap import Container
from leadrail.web.errors import error

router = APIRouter(tags=["ops"])
_apps: weakref.WeakSet[FastAPI] = weakref.WeakSet()  # told when shutdown begins


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, Any]:
    """Alive (for a liveness probe): answers without touching the database."""
    c: Container = request.app.state.container
    return {"status": "ok", "database": "sqlite" if c.settings.is_sqlite else "postgresql"}


@router.get("/readyz", responses={503: {"description": "Not ready: the problems, by part."}})
async def readyz(request: Request) -> Response:
    """Ready for traffic: 200 ``{"status": "ready"}``, or 503 with what is not ready."""
    c: Container = request.app.state.container
    if getattr(request.app.state, "shutdown", None) and request.app.state.shutdown.is_set():
        return JSONResponse({"status": "stopping", "problems": {"server": "shutting down"}}, 503)
    problems = await run_in_threadpool(c.ops.readiness.problems)
    if problems:
        return JSONResponse({"status": "not ready", "problems": problems}, 503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics", include_in_schema=False)
async def prometheus(request: Request) -> Response:
    c: Container = request.app.state.container
    wanted = c.settings.metrics_token
    if wanted:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {wanted}".encode()):
            refused = error(401, "unauthorized", "send Authorization: Bearer <metrics token>")
            refused.headers["WWW-Authenticate"] = "Bearer"
            return refused
    body = await run_in_threadpool(lambda: generate_latest(metrics.registry(c.ops.repo.counts)))
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.state.shutdown = asyncio.Event()
    _apps.add(app)


def begin_shutdown() -> None:
    """Every app of this process sets ``app.state.shutdown`` (call on the event loop)."""
    for app in _apps:
        app.state.shutdown.set()


def watch_signals() -> None:
    """Call from the lifespan's startup, on the server's loop: SIGTERM and SIGINT first set
    ``app.state.shutdown`` and then go to the server's own handler (uvicorn's graceful
    shutdown). Does nothing off the main thread (a test client's lifespan)."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        server_handler = signal.getsignal(sig)
        if not callable(server_handler):
            continue

        def handler(
            signum: int, frame: FrameType | None, then: Callable[..., Any] = server_handler
        ) -> None:
            loop.call_soon_threadsafe(begin_shutdown)
            then(signum, frame)

        signal.signal(sig, handler)
