"""The live hub: in-memory, one per process, on the server's event loop.

It holds the reps' console sockets (presence: online / away, with a grace period after the
last socket closes) and the visitors' event streams, and fans messages out to them. Every
connection has a bounded queue: a slow socket that lets it fill is closed (its client
reconnects and gets a fresh ``hello``) instead of stalling the others. Use cases call it from
worker threads: the public methods are thread-safe (they hop onto the loop).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import HTTPConnection

from leadrail.app.live.chats import Chats
from leadrail.app.live.reps import LiveReps
from leadrail.app.live.visitors import LiveService
from leadrail.bootstrap import Container, build_live

log = logging.getLogger("leadrail.live")
CLOSE = None  # queue sentinel: the connection is too slow, close it


class Refused(Exception):
    """Too many connections (per visitor, per address, per rep)."""


@dataclass(eq=False)
class Conn:
    key: str  # rep e-mail or visitor id
    ip: str
    queue: asyncio.Queue[Any]
    is_admin: bool = False
    heard: float = field(default_factory=time.monotonic)

    def put(self, item: Any) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(CLOSE)


@dataclass
class HubSettings:
    grace_seconds: float = 20.0
    queue_size: int = 256
    streams_per_visitor: int = 5
    streams_per_ip: int = 200
    sockets_per_rep: int = 10


class Hub:
    def __init__(self, settings: HubSettings) -> None:
        self.settings = settings
        self.loop: asyncio.AbstractEventLoop | None = None
        self.reps_by: dict[str, set[Conn]] = defaultdict(set)
        self.visitors_by: dict[str, set[Conn]] = defaultdict(set)
        self.per_ip: dict[str, int] = defaultdict(int)
        self.status: dict[str, str] = {}  # rep -> online | away (absent: offline)
        self._presence: Mapping[str, str] = {}  # a copy threads may read
        self._grace: dict[str, asyncio.TimerHandle] = {}
        self.on_offline: Callable[[str], None] | None = None

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = loop or asyncio.get_running_loop()

    def stop(self) -> None:
        for handle in self._grace.values():
            handle.cancel()
        self._grace.clear()
        for conns in [*self.reps_by.values(), *self.visitors_by.values()]:
            for conn in conns:
                conn.put(CLOSE)

    def _publish(self) -> None:
        self._presence = dict(self.status)

    # --- thread-safe (the use cases' LivePush) ---------------------------------------------
    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            fn(*args)
        else:
            loop.call_soon_threadsafe(fn, *args)

    def reps(
        self, emails: Iterable[str], message: Mapping[str, Any], *, admins: bool = False
    ) -> None:
        self._call(self._to_reps, list(emails), dict(message), admins)

    def visitor(self, visitor_id: str, event: str, data: Mapping[str, Any]) -> None:
        self._call(self._to_visitor, visitor_id, event, dict(data))

    def presence(self) -> Mapping[str, str]:
        return self._presence

    def later(self, seconds: float, job: Callable[[], None]) -> None:
        def schedule() -> None:
            assert self.loop is not None
            self.loop.call_later(seconds, self._run, job)

        self._call(schedule)

    def _run(self, job: Callable[[], None]) -> None:
        assert self.loop is not None
        future = self.loop.run_in_executor(None, job)
        future.add_done_callback(_log_failure)

    # --- on the loop -----------------------------------------------------------------------
    def _to_reps(self, emails: list[str], message: dict[str, Any], admins: bool) -> None:
        sent: set[Conn] = set()
        for email in emails:
            sent |= self.reps_by.get(email, set())
        if admins:
            sent |= {c for conns in self.reps_by.values() for c in conns if c.is_admin}
        for conn in sent:
            conn.put(message)

    def _to_visitor(self, visitor_id: str, event: str, data: dict[str, Any]) -> None:
        for conn in self.visitors_by.get(visitor_id, ()):
            conn.put((event, data))

    def _admit(self, conns: set[Conn], limit: int, ip: str, what: str) -> None:
        if len(conns) >= limit:
            raise Refused(f"too many {what} connections")
        if self.per_ip[ip] >= self.settings.streams_per_ip:
            raise Refused("too many connections from this address")

    def connect_rep(self, email: str, is_admin: bool, ip: str) -> Conn:
        conns = self.reps_by[email]
        self._admit(conns, self.settings.sockets_per_rep, ip, "console")
        conn = Conn(email, ip, asyncio.Queue(self.settings.queue_size), is_admin)
        conns.add(conn)
        self.per_ip[ip] += 1
        handle = self._grace.pop(email, None)
        if handle is not None:
            handle.cancel()
        self.status.setdefault(email, "online")
        self._publish()
        return conn

    def disconnect_rep(self, conn: Conn) -> None:
        conns = self.reps_by.get(conn.key, set())
        conns.discard(conn)
        self._release(conn.ip)
        if not conns:
            self.reps_by.pop(conn.key, None)
            if self.settings.grace_seconds <= 0:
                self._offline(conn.key)
            else:
                assert self.loop is not None
                self._grace[conn.key] = self.loop.call_later(
                    self.settings.grace_seconds, self._offline, conn.key
                )

    def _offline(self, email: str) -> None:
        self._grace.pop(email, None)
        if self.reps_by.get(email):
            return
        self.status.pop(email, None)
        self._publish()
        if self.on_offline is not None:
            self.on_offline(email)

    def set_status(self, email: str, status: str) -> None:
        self.status[email] = status
        self._publish()
        self._to_reps([email], {"type": "status", "status": status}, False)

    def connect_visitor(self, visitor_id: str, ip: str) -> Conn:
        conns = self.visitors_by[visitor_id]
        self._admit(conns, self.settings.streams_per_visitor, ip, "stream")
        conn = Conn(visitor_id, ip, asyncio.Queue(self.settings.queue_size))
        conns.add(conn)
        self.per_ip[ip] += 1
        return conn

    def disconnect_visitor(self, conn: Conn) -> bool:
        """True when it was the visitor's last stream."""
        conns = self.visitors_by.get(conn.key, set())
        conns.discard(conn)
        self._release(conn.ip)
        if not conns:
            self.visitors_by.pop(conn.key, None)
            return True
        return False

    def _release(self, ip: str) -> None:
        self.per_ip[ip] -= 1
        if self.per_ip[ip] <= 0:
            self.per_ip.pop(ip, None)

    def counts(self) -> dict[str, int]:
        return {
            "reps": len(self.reps_by),
            "rep_sockets": sum(len(c) for c in self.reps_by.values()),
            "visitor_streams": sum(len(c) for c in self.visitors_by.values()),
        }


@dataclass
class LiveRuntime:
    hub: Hub
    service: LiveService
    reps: LiveReps
    chats: Chats
    limiter: MovingWindowRateLimiter
    rate: Any
    keeper: asyncio.Task[None] | None = None


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
    hub.start()
    old: LiveRuntime | None = getattr(app.state, "live", None)
    if old is not None:  # a runtime on another loop (tests): its timer stops
        _cancel_keeper(old)
    live = build_live(container, hub)
    runtime = LiveRuntime(
        hub, live.service, live.reps, live.chats, MovingWindowRateLimiter(MemoryStorage()),
        parse(s.live_event_rate),
    )  # fmt: skip
    runtime.keeper = asyncio.get_running_loop().create_task(keep_visitors(runtime))
    app.state.live = runtime
    return runtime


def stop_live(app: Any) -> None:
    runtime: LiveRuntime | None = getattr(app.state, "live", None)
    if runtime is None:
        return
    runtime.hub.stop()
    _cancel_keeper(runtime)


def _cancel_keeper(runtime: LiveRuntime) -> None:
    keeper, runtime.keeper = runtime.keeper, None
    if keeper is not None and not keeper.get_loop().is_closed():
        keeper.get_loop().call_soon_threadsafe(keeper.cancel)


def runtime_of(request: HTTPConnection) -> LiveRuntime:
    found: LiveRuntime | None = getattr(request.app.state, "live", None)
    if found is None or found.hub.loop is not asyncio.get_running_loop():
        found = start_live(request.app, request.app.state.container)
    return found


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("live job failed", exc_info=future.exception())
