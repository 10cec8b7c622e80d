"""Per-client rate limits for public endpoints (moving window, in memory per process); the
client is ``client_address`` (X-Forwarded-For only from trusted proxies)."""

from __future__ import annotations

import threading
import time

from fastapi import HTTPException, Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from leadrail.web.client import client_address

SWEEP_SECONDS = 1.0


class _NoTimer:
    """Stands in for ``MemoryStorage``'s expiry timer: always "running", so the storage starts
    no thread of its own (it starts one every 10 ms under traffic, which cost more than the
    rest of a lead's intake); ``SweptMemoryStorage.sweep`` expires entries instead."""

    def is_alive(self) -> bool:
        return True

    def cancel(self) -> None:
        return None


class SweptMemoryStorage(MemoryStorage):
    """``limits``' memory storage, its expired windows dropped by ``sweep`` (called at most
    once a second from the requests) instead of by a timer thread. Expired entries are
    never counted either way: ``limits`` checks each entry's time when it reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.timer.cancel()
        self.timer = _NoTimer()  # type: ignore[assignment]
        self._swept = time.monotonic()
        self._sweeping = threading.Lock()

    def sweep(self) -> None:
        now = time.monotonic()
        if now - self._swept < SWEEP_SECONDS or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._swept = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._sweeping.release()


class PublicLimiter:
    def __init__(self, rate: str) -> None:
        self.item = parse(rate)
        self.storage = SweptMemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)

    def check(self, request: Request) -> None:
        client = client_address(request)
        self.storage.sweep()
        if not self.limiter.hit(self.item, "public", client):
            reset = self.limiter.get_window_stats(self.item, "public", client).reset_time
            raise HTTPException(
                429,
                "too many requests from this address; try again in a minute",
                headers={"Retry-After": str(max(1, int(reset - time.time())))},
            )


async def public(request: Request) -> None:
    """Dependency for public endpoints."""
    limiter: PublicLimiter = request.app.state.public_limiter
    limiter.check(request)
