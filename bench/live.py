"""Live visitor routing under load: one `leadrail serve` process, 1,000 visitors on the SSE
stream, 50 reps on the console WebSocket, then chat requests. Measures the latency from the
chat request (POST) to the alert frame at each routed rep, and the server's memory per
connection. Runs alone with `python -m bench.live` (about a minute)."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import websockets
import yaml

VISITORS = int(os.environ.get("BENCH_LIVE_VISITORS", "1000"))
REPS = int(os.environ.get("BENCH_LIVE_REPS", "50"))
CHATS = int(os.environ.get("BENCH_LIVE_CHATS", "200"))
GROUP = 5  # reps alerted per chat request (the chat router's broadcast group)
KEY = "pk_live_bench_site_000001"

Server = Callable[[list[str], dict[str, str], int], AbstractContextManager[str]]


def live_workspace_yaml() -> str:
    reps = [f"rep{i}@acme.test" for i in range(REPS)]
    hours = {"mon-sun": "00:00-24:00"}
    group = reps[:GROUP]
    doc: dict[str, Any] = {
        "timezone": "UTC",
        "users": [{"email": r, "name": f"Rep {i}", "working_hours": hours,
                   "max_chats": 3} for i, r in enumerate(reps)],
        "routers": [
            {"slug": "bench-pounce", "title": "Pounce", "default": {"broadcast": group}},
            {"slug": "bench-chat", "title": "Chat", "default": {"broadcast": group}},
        ],
        "sites": [{"name": "Bench site", "key": KEY, "live": {
            "pounce": {"router": "bench-pounce"},
            "chat": {"router": "bench-chat", "countdown_seconds": 300, "offer": []},
        }}],
    }  # fmt: skip
    return yaml.safe_dump(doc)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def server_pid(port: int) -> int:
    """The process listening on ``port`` (the uvicorn server started by `leadrail serve`)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inode = parts[9]
    if inode is None:
        raise RuntimeError(f"nobody listens on port {port}")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) == f"socket:[{inode}]":
                    return int(proc.name)
        except OSError:
            continue
    raise RuntimeError("server process not found")


async def make_visitors(client: httpx.AsyncClient, base: str) -> list[tuple[str, str]]:
    sem = asyncio.Semaphore(32)

    async def one(i: int) -> tuple[str, str]:
        async with sem:
            r = await client.post(
                f"{base}/api/v1/visitors/events",
                json={"site_key": KEY, "visitor": None, "type": "page_view",
                      "url": f"https://bench.test/p/{i}", "title": f"Page {i}", "referrer": ""},
            )  # fmt: skip
            r.raise_for_status()
            body = r.json()
            return body["visitor"], body["visitor_id"]

    return await asyncio.gather(*(one(i) for i in range(VISITORS)))


async def hold_stream(client: httpx.AsyncClient, base: str, token: str, ready: list[int]) -> None:
    url = f"{base}/api/v1/visitors/stream"
    async with client.stream("GET", url, params={"site_key": KEY, "visitor": token}) as r:
        r.raise_for_status()
        counted = False
        async for line in r.aiter_lines():
            if line.startswith("event: hello") and not counted:
                ready.append(1)
                counted = True


async def hold_rep(ws_url: str, token: str, state: dict[str, Any]) -> None:
    async with websockets.connect(f"{ws_url}?token={token}", max_queue=None) as ws:
        state["reps"] += 1

        async def ping() -> None:
            while True:
                await asyncio.sleep(10)
                await ws.send(json.dumps({"type": "ping"}))

        pinger = asyncio.create_task(ping())
        try:
            async for raw in ws:
                now = time.perf_counter()
                msg = json.loads(raw)
                if msg.get("type") == "alert":
                    vid = msg["alert"]["visitor"]["id"]
                    state["arrivals"].setdefault(vid, []).append(now)
        finally:
            pinger.cancel()


async def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def drive(base: str, pid: int, tokens: list[str]) -> dict[str, float]:
    limits = httpx.Limits(max_connections=VISITORS + 100, max_keepalive_connections=64)
    timeout = httpx.Timeout(30, read=None)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client, \
            httpx.AsyncClient(timeout=30) as poster:  # fmt: skip
        visitors = await make_visitors(poster, base)
        await asyncio.sleep(1)
        before = rss_kib(pid)
        ready: list[int] = []
        state: dict[str, Any] = {"reps": 0, "arrivals": {}}
        streams = [asyncio.create_task(hold_stream(client, base, t, ready)) for t, _ in visitors]
        ws_url = base.replace("http://", "ws://") + "/api/v1/console/ws"
        reps = [asyncio.create_task(hold_rep(ws_url, t, state)) for t in tokens]
        await wait_for(lambda: len(ready) >= VISITORS and state["reps"] >= REPS, 60, "connections")
        await asyncio.sleep(2)
        after = rss_kib(pid)
        sent: dict[str, float] = {}
        posts: list[float] = []
        for token, vid in visitors[:CHATS]:
            sent[vid] = time.perf_counter()
            r = await poster.post(
                f"{base}/api/v1/visitors/events",
                json={"site_key": KEY, "visitor": token, "type": "chat_request"},
            )
            r.raise_for_status()
            posts.append((time.perf_counter() - sent[vid]) * 1000)
            await asyncio.sleep(0.02)
        expected = min(GROUP, REPS)
        await wait_for(
            lambda: sum(len(v) for v in state["arrivals"].values()) >= CHATS * expected,
            20, "alerts",
        )  # fmt: skip
        lat = sorted((t - sent[vid]) * 1000 for vid, ts in state["arrivals"].items() for t in ts)
        first = sorted((min(ts) - sent[vid]) * 1000 for vid, ts in state["arrivals"].items())
        for task in [*streams, *reps]:
            task.cancel()
        await asyncio.gather(*streams, *reps, return_exceptions=True)
    conns = VISITORS + REPS
    return {
        "visitors": VISITORS, "reps": REPS, "chats": CHATS, "alerts": len(lat),
        "median_ms": statistics.median(lat), "p99_ms": lat[int(len(lat) * 0.99) - 1],
        "first_median_ms": statistics.median(first),
        "post_median_ms": statistics.median(posts),
        "rss_before_mib": before / 1024, "rss_after_mib": after / 1024,
        "kib_per_conn": (after - before) / conns,
    }  # fmt: skip


def rep_tokens(db_url: str) -> list[str]:
    from leadrail.bootstrap import bootstrap
    from leadrail.settings import Settings

    c = bootstrap(Settings(database_url=db_url, worker=False), run_migrations=True)
    return [c.tokens.create_token(f"rep{i}@acme.test", "bench") for i in range(REPS)]


def measure(tmp: Path, leadrail: Callable[..., str], server: Server, free_port: Any) -> Any:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    db_url = f"sqlite:///{tmp / 'live.db'}"
    env = {
        "LEADRAIL_DATABASE_URL": db_url,
        "LEADRAIL_PUBLIC_RATE_LIMIT": "100000000/minute",
        "LEADRAIL_WORKER": "false",
        # one client address opens every connection and sends every event
        "LEADRAIL_LIVE_CONNECTIONS_PER_IP": str(VISITORS + REPS + 100),
        "LEADRAIL_LIVE_EVENT_RATE": "100000000/minute",
    }
    ws = tmp / "live.yaml"
    ws.write_text(live_workspace_yaml())
    leadrail(env, "apply", "-f", str(ws))
    tokens = rep_tokens(db_url)
    port = free_port()
    from bench.run import BIN

    with server([str(BIN / "leadrail"), "serve", "--port", str(port)], env, port) as base:
        return asyncio.run(drive(base, server_pid(port), tokens))


def live_lines(r: dict[str, float] | str) -> list[str]:
    head = ["## Live visitor routing", ""]
    if isinstance(r, str):
        return [*head, f"- {r}", ""]
    return [
        *head,
        f"One `leadrail serve` process (SQLite), {r['visitors']:,.0f} visitors connected to the "
        f"SSE stream and {r['reps']:,.0f} reps connected to the console WebSocket; then "
        f"{r['chats']:,.0f} chat requests, each alerting a broadcast group of {GROUP} online "
        f"reps ({r['alerts']:,.0f} alert frames).",
        "",
        f"- Chat request (`POST /api/v1/visitors/events`) to the alert frame at the rep: "
        f"median **{r['median_ms']:.1f} ms**, p99 **{r['p99_ms']:.1f} ms** (aim p99 < 200 ms); "
        f"first rep alerted: median {r['first_median_ms']:.1f} ms (the request itself "
        f"answers in median {r['post_median_ms']:.1f} ms: routing, the conversation's "
        "insert and the alerts are done before it answers).",
        f"- Server memory: {r['rss_before_mib']:.0f} MiB before the connections, "
        f"{r['rss_after_mib']:.0f} MiB with them: **{r['kib_per_conn']:.0f} KiB per "
        f"connection**.",
        "",
    ]


def run(leadrail: Callable[..., str], server: Server, free_port: Any) -> dict[str, float] | str:
    with tempfile.TemporaryDirectory() as d:
        try:
            result: dict[str, float] = measure(Path(d), leadrail, server, free_port)
            return result
        except Exception as e:  # a failed section is reported, the other sections still run
            return f"failed: {type(e).__name__}: {e}"


def _main() -> Iterator[str]:
    from bench.run import free_port, leadrail, server

    yield from live_lines(run(leadrail, server, free_port))


if __name__ == "__main__":
    print("\n".join(_main()))
