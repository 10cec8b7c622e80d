"""A small HTTP/1.1 keep-alive load generator (asyncio streams, pre-built requests), light
enough to leave most of the CPU to the server under test. Loopback only."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


def build_request(method: str, url: str, body: object | None, headers: dict[str, str]) -> bytes:
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the load generator only targets loopback addresses")
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [
        f"{method} {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Connection: keep-alive",
        f"Content-Length: {len(payload)}",
        "Content-Type: application/json",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def _worker(
    host: str,
    port: int,
    make: Callable[[int], bytes],
    stop_at: float,
    counter: list[int],
    result: LoadResult,
    limit: int | None,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop_at and (limit is None or counter[0] < limit):
            counter[0] += 1
            req = make(counter[0])
            t0 = time.perf_counter()
            writer.write(req)
            status = await _read_response(reader)
            result.latencies_ms.append((time.perf_counter() - t0) * 1000)
            if status >= 400:
                result.errors += 1
            result.requests += 1
    finally:
        writer.close()


async def _run(
    url: str, make: Callable[[int], bytes], concurrency: int, seconds: float, limit: int | None
) -> LoadResult:
    parts = urlsplit(url)
    result = LoadResult(0, 0, 0.0, [])
    counter = [0]
    start = time.perf_counter()
    stop_at = start + seconds
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    await asyncio.gather(
        *(_worker(host, port, make, stop_at, counter, result, limit) for _ in range(concurrency))
    )
    result.seconds = time.perf_counter() - start
    return result


def run_load(
    url: str,
    make: Callable[[int], bytes],
    *,
    concurrency: int = 16,
    seconds: float = 8.0,
    limit: int | None = None,
) -> LoadResult:
    """Send requests built by ``make(i)`` to ``url``'s host for ``seconds`` or ``limit``
    requests, whichever comes first (bounded: at most 180 s)."""
    return asyncio.run(_run(url, make, concurrency, min(seconds, 180.0), limit))
