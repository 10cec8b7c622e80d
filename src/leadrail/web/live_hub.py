"""Live routing's runtime in a server: the hub (``live_connections``) on the running loop,
the use cases over it (``bootstrap.build_live``), and the loops every process runs: keeping
the visitor list, and ending the chats whose countdown is over (the deadline is in the
database, so any process ends a chat that one which stopped had started)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import HTTPConnection

from leadrail.app.live.chats import Chats
from leadrail.app.live.reps import LiveReps
from leadrail.app.live.visitors import LiveService
from leadrail.bootstrap import Container, build_live
from leadrail.web.live_connections import CLOSE, Conn, Hub, HubSettings, Refused

__all__ = ["CLOSE", "Conn", "Hub", "HubSettings", "LiveRuntime", "Refused", "runtime_of"]
log = logging.getLogger("leadrail.live")
SWEEP_SECONDS = 0.25  # how often a process looks for chats whose countdown is over


@dataclass
class LiveRuntime:
    hub: Hub
    service: LiveService
    reps: LiveReps
    chats: Chats
    limiter: MovingWindowRateLimiter
    rate: Any
    tasks: list[asyncio.Task[None]] | None = None


async def keep_visitors(runtime: LiveRuntime) -> None:
    """Every few seconds: the visitors with an open stream here are still here, and those
    not seen for the idle time have left (their consoles drop them, in every process)."""
    idle = runtime.reps.idle
    tick = max(0.05, min(idle.total_seconds() / 3, 10.0))
    since = runtime.service.now() - idle
    while True:
        await asyncio.sleep(tick)
        connected = list(runtime.hub.visitors_by)
        until = runtime.service.now() - idle
        try:
            await asyncio.to_thread(runtime.reps.keep, connected)
            await asyncio.to_thread(runtime.reps.departures, since, until, set(connected))
        except Exception:  # the database is busy or away: try again at the next tick
            log.exception("keeping the live visitor list failed")
            continue
        since = until


async def end_due_chats(runtime: LiveRuntime) -> None:
    """Every quarter second: the chats whose countdown is over end (the visitor gets the
    offers), whichever process they were requested on."""
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        try:
            await asyncio.to_thread(runtime.chats.expire_due)
        except Exception:  # the database is busy or away: try again at the next tick
            log.exception("ending the chats whose countdown is over failed")


def start_live(app: Any, container: Container) -> LiveRuntime:
    """Build the hub and the use cases on the running loop (the lifespan calls it)."""
    s = container.settings
    hub = Hub(
        HubSettings(
            grace_seconds=s.presence_grace_seconds,
            queue_size=s.live_queue_size,
            streams_per_visitor=s.live_streams_per_visitor,
            streams_per_ip=s.live_connections_per_ip,
            sockets_per_rep=s.live_sockets_per_rep,
        )
    )
    old: LiveRuntime | None = getattr(app.state, "live", None)
    if old is not None:  # a runtime on another loop (tests): its timers stop
        _cancel_tasks(old)
    live = build_live(container, hub)
    hub.on_offline = lambda email: hub.in_thread(partial(live.going.offline, email))
    hub.start(bus=container.live.bus() if container.live.bus else None)
    runtime = LiveRuntime(
        hub, live.service, live.reps, live.chats, MovingWindowRateLimiter(MemoryStorage()),
        parse(s.live_event_rate),
    )  # fmt: skip
    loop = asyncio.get_running_loop()
    runtime.tasks = [
        loop.create_task(keep_visitors(runtime)),
        loop.create_task(end_due_chats(runtime)),
    ]
    app.state.live = runtime
    return runtime


def stop_live(app: Any) -> None:
    runtime: LiveRuntime | None = getattr(app.state, "live", None)
    if runtime is None:
        return
    runtime.hub.stop()
    _cancel_tasks(runtime)


def _cancel_tasks(runtime: LiveRuntime) -> None:
    tasks, runtime.tasks = runtime.tasks or [], None
    for task in tasks:
        if not task.get_loop().is_closed():
            task.get_loop().call_soon_threadsafe(task.cancel)


def runtime_of(request: HTTPConnection) -> LiveRuntime:
    found: LiveRuntime | None = getattr(request.app.state, "live", None)
    if found is None or found.hub.loop is not asyncio.get_running_loop():
        found = start_live(request.app, request.app.state.container)
    return found
