"""Two real `leadrail serve` processes on one fresh PostgreSQL database and the local Redis
(a key prefix of their own), with a rep's console (WebSocket) and a visitor's stream (SSE)
as clients, for tests/e2e/test_live_processes.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.support.net import free_port
from tests.support.serve import BIN

REDIS_URL = os.environ.get("LEADRAIL_TEST_REDIS", "redis://127.0.0.1:6379/0")
KEY = "pk_live_cluster_site_0001"
ORIGIN = "https://www.acme.test"
ANA, BEN = "ana@acme.test", "ben@acme.test"


def redis_or_skip() -> str:
    """The test Redis; skipped (failed under CI) when it does not answer."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as e:  # any failure to connect means "no server here"
        problem = f"{type(e).__name__}: {e}".splitlines()[0]
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Redis at {REDIS_URL} is unreachable: {problem}")
        pytest.skip(f"Redis tests skipped: no server at {REDIS_URL} ({problem}); "
                    "set LEADRAIL_TEST_REDIS or start one")  # fmt: skip
    return REDIS_URL


def workspace(countdown: int) -> dict[str, Any]:
    reps = [ANA, BEN]
    return {
        "users": [{"email": ANA, "name": "Ana Ruiz"}, {"email": BEN, "name": "Ben Ode"}],
        "routers": [
            {"slug": "visitors", "title": "Visitors", "default": {"broadcast": reps}},
            {"slug": "chat", "title": "Chat", "default": {"broadcast": reps}},
        ],
        "sites": [
            {
                "name": "Acme",
                "key": KEY,
                "origins": [ORIGIN],
                "live": {
                    "pounce": {"router": "visitors"},
                    "chat": {"router": "chat", "countdown_seconds": countdown},
                },
            }
        ],
    }


def wait_until(what: str, check: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@dataclass
class Inbox:
    """What a client has received, filled by a reader thread."""

    items: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, item: Any) -> None:
        with self.lock:
            self.items.append(item)

    def all(self) -> list[Any]:
        with self.lock:
            return list(self.items)


class Console:
    """A rep's console socket (API token), its frames collected as they come."""

    def __init__(self, base: str, token: str) -> None:
        self.ws: ClientConnection = connect(
            base.replace("http://", "ws://") + f"/api/v1/console/ws?token={token}"
        )
        self.inbox = Inbox()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait("hello")

    def _read(self) -> None:
        with suppress(Exception):  # the socket closed
            for raw in self.ws:
                self.inbox.add(json.loads(raw))

    def frames(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.inbox.all() if f.get("type") == kind]

    def wait(self, kind: str, timeout: float = 30, **match: Any) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            for f in self.frames(kind):
                if all(f.get(k) == v for k, v in match.items()):
                    return f
            return None

        frame: dict[str, Any] = wait_until(f"a {kind!r} frame", found, timeout)
        return frame

    def send(self, **frame: Any) -> None:
        self.ws.send(json.dumps(frame))

    def close(self) -> None:
        with suppress(Exception):
            self.ws.close()


class Visitor:
    """A visitor: events to one server, the event stream from (maybe) another."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.id = ""
        self.inbox = Inbox()
        self._stop = threading.Event()

    def send(self, base: str, **body: Any) -> dict[str, Any]:
        answer = httpx.post(
            f"{base}/api/v1/visitors/events",
            json={"site_key": KEY, "visitor": self.token, **body},
            headers={"Origin": ORIGIN},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        reply: dict[str, Any] = answer.json()
        self.token, self.id = reply["visitor"], reply["visitor_id"]
        return reply

    def listen(self, base: str) -> None:
        threading.Thread(target=self._read, args=(base,), daemon=True).start()
        self.wait("hello")

    def _read(self, base: str) -> None:
        params = {"site_key": KEY, "visitor": self.token or ""}
        with suppress(Exception), httpx.stream(
            "GET", f"{base}/api/v1/visitors/stream", params=params,
            headers={"Origin": ORIGIN}, timeout=httpx.Timeout(30, read=None),
        ) as stream:  # fmt: skip
            event = ""
            for line in stream.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    self.inbox.add((event, json.loads(line[6:]), time.time()))

    def events(self, name: str) -> list[tuple[dict[str, Any], float]]:
        return [(data, at) for event, data, at in self.inbox.all() if event == name]

    def wait(self, name: str, timeout: float = 30) -> tuple[dict[str, Any], float]:
        found: tuple[dict[str, Any], float] = wait_until(
            f"the visitor's {name!r} event", lambda: (self.events(name) or [None])[-1], timeout
        )
        return found

    def stop(self) -> None:
        self._stop.set()


@dataclass
class Cluster:
    env: dict[str, str]
    tmp: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)

    def start(self) -> str:
        port = free_port()
        log = (self.tmp / f"serve-{port}.log").open("wb")
        proc = subprocess.Popen(
            [str(BIN / "leadrail"), "serve", "--port", str(port)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        self.procs.append(proc)
        self.bases.append(base)

        def up() -> bool:
            assert proc.poll() is None, (self.tmp / f"serve-{port}.log").read_text()
            with suppress(httpx.TransportError):
                return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
            return False

        wait_until(f"leadrail serve on port {port}", up, timeout=60)
        return base

    def kill(self, base: str) -> None:
        """kill -9: no shutdown of any kind."""
        proc = self.procs[self.bases.index(base)]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def prepare(url: str, countdown: int, tokens: dict[str, str]) -> None:
    """Migrate, apply the workspace, give each rep an API token (in this process: a
    command each would take seconds on a busy machine)."""
    from leadrail.app.apply import apply_workspace
    from leadrail.bootstrap import bootstrap, migrate
    from leadrail.settings import Settings

    migrate(url)
    c = bootstrap(Settings(database_url=url, worker=False))
    try:
        apply_workspace(c.workspace, workspace(countdown))
        for email in (ANA, BEN):
            tokens[email] = c.tokens.create_token(email, "test")
    finally:
        c.close()


@contextmanager
def cluster(
    pg_admin_url: str, redis_url: str, tmp: Path, *, countdown: int, grace: float
) -> Iterator[Cluster]:
    """Two servers on a fresh database ``leadrail_live_<random>`` (dropped afterwards) and
    Redis under a prefix of their own (its keys deleted afterwards)."""
    import psycopg
    import redis

    name = f"leadrail_live_{uuid.uuid4().hex[:10]}"
    prefix = f"leadrail-test-{uuid.uuid4().hex[:10]}:"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = pg_admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADRAIL_")}
    env.update(
        LEADRAIL_DATABASE_URL=f"{base}/{name}",
        LEADRAIL_REDIS_URL=redis_url,
        LEADRAIL_REDIS_PREFIX=prefix,
        LEADRAIL_PRESENCE_GRACE_SECONDS=str(grace),
        LEADRAIL_WORKER="false",
        LEADRAIL_SECRET_KEY="a secret both servers share, long enough",
    )
    c = Cluster(env, tmp)
    try:
        prepare(env["LEADRAIL_DATABASE_URL"], countdown, c.tokens)
        c.start()
        c.start()
        yield c
    finally:
        c.stop()
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        r = redis.Redis.from_url(redis_url)
        keys = list(r.scan_iter(match=f"{prefix}*"))
        if keys:
            r.delete(*keys)
