"""The live hub's connections: one hub per process, on the server's event loop.

It holds the reps' console sockets (presence: online / away, with a grace period after the
last socket closes) and the visitors' event streams, and delivers messages to them. Every
connection has a bounded queue: a slow socket that lets it fill is closed (its client
reconnects and gets a fresh ``hello``) instead of stalling the others. Use cases call it from
worker threads: the public methods are thread-safe (they hop onto the loop).

With a bus (``LEADRAIL_REDIS_URL``), what the use cases push goes to every process's hub
through the bus, each delivering to its own connections, and presence is every process's
reps merged; without one, this process is the whole world.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leadrail.app.ports.live import LiveBus

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
        self._merged_view: Mapping[str, str] = {}  # every process's reps (the bus)
        self._grace: dict[str, asyncio.TimerHandle] = {}
        self.on_offline: Callable[[str], None] | None = None
        self.bus: LiveBus | None = None
        self._kinds: dict[str, Callable[[Mapping[str, Any]], None]] = {
            "reps": lambda m: self._to_reps(list(m["emails"]), dict(m["message"]), m["admins"]),
            "visitor": lambda m: self._to_visitor(m["id"], m["event"], dict(m["data"])),
            "status": lambda m: self._status(m["email"], m["status"]),
        }

    def start(
        self, loop: asyncio.AbstractEventLoop | None = None, bus: LiveBus | None = None
    ) -> None:
        self.loop = loop or asyncio.get_running_loop()
        self.bus = bus
        if bus is not None:
            bus.start(self._deliver, self._merged)

    def stop(self) -> None:
        for handle in self._grace.values():
            handle.cancel()
        self._grace.clear()
        for conns in [*self.reps_by.values(), *self.visitors_by.values()]:
            for conn in conns:
                conn.put(CLOSE)
        if self.bus is not None:
            self.bus.stop()

    def _publish(self) -> None:
        """This process's reps changed."""
        if self.bus is None:
            self._presence = dict(self.status)
        else:
            self._presence = {**self._merged_view, **self.status}
            self.bus.set_presence(dict(self.status))

    def _merged(self, merged: Mapping[str, str]) -> None:
        """Every process's reps (the bus): a rep in none of them any more is offline."""
        gone = [e for e in self._merged_view if e not in merged and e not in self.status]
        self._merged_view = dict(merged)
        self._presence = {**self._merged_view, **self.status}
        for email in gone:
            if self.on_offline is not None:
                self.on_offline(email)

    def _send(self, message: dict[str, Any]) -> None:
        """To every process's hub (this one's too) through the bus, or straight here."""
        if self.bus is None:
            self._deliver(message)
        else:
            self.bus.publish(message)

    def _deliver(self, message: Mapping[str, Any]) -> None:
        handle = self._kinds.get(str(message.get("to")))
        if handle is None:
            log.warning("live: a message of unknown kind %r", message.get("to"))
            return
        handle(message)

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
        envelope = {"to": "reps", "emails": list(emails), "message": dict(message)}
        self._call(self._send, {**envelope, "admins": admins})

    def visitor(self, visitor_id: str, event: str, data: Mapping[str, Any]) -> None:
        envelope = {"to": "visitor", "id": visitor_id, "event": event, "data": dict(data)}
        self._call(self._send, envelope)

    def here(self, emails: Iterable[str], message: Mapping[str, Any], *, admins: bool) -> None:
        self._call(self._to_reps, list(emails), dict(message), admins)

    def presence(self) -> Mapping[str, str]:
        return self._presence

    def later(self, seconds: float, job: Callable[[], None]) -> None:
        def schedule() -> None:
            assert self.loop is not None
            self.loop.call_later(seconds, self._run, job)

        self._call(schedule)

    def in_thread(self, job: Callable[[], object]) -> None:
        """Run ``job`` in a worker thread (from the loop); a failure is logged."""
        self._run(job)

    def _run(self, job: Callable[[], object]) -> None:
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
        if self.bus is None and self.on_offline is not None:
            self.on_offline(email)  # with a bus: when no process has them (``_merged``)

    def set_status(self, email: str, status: str) -> None:
        """The rep said online or away: their consoles in every process hear it."""
        self._send({"to": "status", "email": email, "status": status})

    def _status(self, email: str, status: str) -> None:
        if email in self.reps_by or email in self.status:
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


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("live job failed", exc_info=future.exception())
