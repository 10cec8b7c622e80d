"""``POST /api/v1/routers/bench/route`` through the ASGI app in process: no server, no
sockets, one request at a time, so what the app itself costs per request shows (the HTTP
benchmark in ``run.py`` measures throughput under load). On SQLite, with the workspace of the
HTTP benchmarks; prints the median of ``N`` requests after a warm-up, recorded and dry run.

    .venv/bin/python -m bench.route_inprocess [N]     (N = 2000 by default)
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import yaml

from bench.core import bench_workspace_yaml
from leadrail.adapters.db.engine import migrate
from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app

Message = MutableMapping[str, Any]
App = Callable[
    [Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]
PATH = "/api/v1/routers/bench/route"


async def post(app: App, token: str, body: bytes, query: bytes = b"") -> tuple[int, bytes]:
    """One request straight into the ASGI app; its status and body."""
    headers = [
        (b"host", b"bench.test"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    scope: Message = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": PATH, "raw_path": PATH.encode(), "query_string": query,
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000),
        "server": ("bench.test", 80),
    }  # fmt: skip
    done, sent, status, chunks = asyncio.Event(), [False], [0], []

    async def receive() -> Message:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            status[0] = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                done.set()

    await app(scope, receive, send)
    return status[0], b"".join(chunks)


async def measure(app: App, token: str, n: int, query: bytes) -> float:
    """The median microseconds of ``n`` requests (after ``n // 10`` to warm up)."""
    samples = []
    for i in range(n // 10 + n):
        body = json.dumps({"email": f"p{i}@example{i % 97}.test", "country": "us"}).encode()
        t0 = time.perf_counter_ns()
        status, out = await post(app, token, body, query)
        if i >= n // 10:
            samples.append((time.perf_counter_ns() - t0) / 1000)
        if status != 200:
            raise SystemExit(f"{status}: {out[:300]!r}")
    return statistics.median(samples)


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 2000
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate(url)
        c = bootstrap(Settings(database_url=url, secret_key="b" * 32, worker=False))
        apply_workspace(c.workspace, yaml.safe_load(bench_workspace_yaml()))
        c.tokens.create_user("bench@acme.test", "Bench", admin=True)
        token = c.tokens.create_token("bench@acme.test", "bench")
        app: App = create_app(c.settings, container=c)
        recorded = asyncio.run(measure(app, token, n, b""))
        dry = asyncio.run(measure(app, token, n, b"dry_run=true"))
        c.close()
    print(f"{PATH}, in process, median of {n}: recorded {recorded:.0f} us, dry run {dry:.0f} us")


if __name__ == "__main__":
    main(sys.argv[1:])
