"""``OpsMiddleware`` (pure ASGI, a few microseconds a request): a request id for the logs
and the ``X-Request-ID`` header, the latency histogram by route template, and in JSON log
mode one access line per request (method, route template, status, duration: never the raw
path or query, which can hold tokens)."""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leadrail.logs import REQUEST_ID
from leadrail.metrics import REQUEST_SECONDS

access = logging.getLogger("leadrail.access")
_CLIENT_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
_PROCESS = os.urandom(4).hex()  # request ids: this process's random part, then a counter
_next = itertools.count(1).__next__
_timers: dict[tuple[str, str], Any] = {}  # (method, route) -> its histogram child


def route_of(scope: Scope) -> str:
    """The matched route's template (bounded label values), or "unmatched"."""
    route = scope.get("route")
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    return str(path) if path else "unmatched"


class OpsMiddleware:
    def __init__(self, app: ASGIApp, *, access_log: bool = False) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        header = (b"x-request-id", request_id.encode())
        status = 0
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            took = time.perf_counter() - start
            route = route_of(scope)
            method = scope.get("method", "WS")
            timer = _timers.get((method, route))
            if timer is None:
                timer = _timers[method, route] = REQUEST_SECONDS.labels(method, route)
            timer.observe(took)
            if self.access_log:
                access.info(
                    "%s %s %s",
                    method,
                    route,
                    status or "-",
                    extra={"status": status, "route": route, "ms": round(took * 1000, 2)},
                )
            REQUEST_ID.reset(token)


def _request_id(scope: Scope) -> str:
    """The client's (or nginx's) X-Request-ID when short and plain, else a new one: unique
    across processes, not secret."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id" and _CLIENT_ID.fullmatch(value):
            return str(value.decode())
    return f"{_PROCESS}{_next():08x}"
