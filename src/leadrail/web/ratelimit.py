"""Per-client rate limits for public endpoints (moving window); the client is
``client_address`` (X-Forwarded-For only from trusted proxies).

The windows live in this process's memory, or in Redis when ``LEADRAIL_REDIS_URL`` is set
(the ``limits`` library's storage, keys under ``<LEADRAIL_REDIS_PREFIX>:limits``): then
``60/minute`` means 60 a minute from one address across every server process. When Redis
does not answer, requests are let through (and logged) rather than refused."""

from __future__ import annotations

import logging
import threading
import time

from fastapi import HTTPException, Request
from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter as SharedLimiter
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from leadrail.web.client import client_address

log = logging.getLogger("leadrail.ratelimit")

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
    def __init__(self, rate: str, redis_url: str | None = None, prefix: str = "leadrail") -> None:
        self.item: RateLimitItem = parse(rate)
        self.storage = SweptMemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.shared: SharedLimiter | None = None
        if redis_url:
            scheme = "redis+unix://" if redis_url.startswith("unix://") else ""
            storage = RedisStorage(
                f"async+{scheme}{redis_url.removeprefix('unix://')}"
                if scheme
                else f"async+{redis_url}",
                implementation="redispy",
                key_prefix=f"{prefix}:limits",
                wrap_exceptions=True,
                socket_timeout=1.0,
                socket_connect_timeout=1.0,
            )
            self.shared = SharedLimiter(storage)
        self._warned = 0.0

    async def check(self, request: Request) -> None:
        client = client_address(request)
        if self.shared is None:
            self.storage.sweep()
            if not self.limiter.hit(self.item, "public", client):
                stats = self.limiter.get_window_stats(self.item, "public", client)
                _refuse(stats.reset_time)
            return
        try:
            if not await self.shared.hit(self.item, "public", client):
                stats = await self.shared.get_window_stats(self.item, "public", client)
                _refuse(stats.reset_time)
        except StorageError as e:
            if time.monotonic() - self._warned > 60:  # once a minute, not once a request
                self._warned = time.monotonic()
                log.warning(
                    "rate limits not applied: Redis does not answer (%s)",
                    type(e.storage_error).__name__,
                )


def _refuse(reset: float) -> None:
    raise HTTPException(
        429,
        "too many requests from this address; try again in a minute",
        headers={"Retry-After": str(max(1, int(reset - time.time())))},
    )


async def public(request: Request) -> None:
    """Dependency for public endpoints."""
    limiter: PublicLimiter = request.app.state.public_limiter
    await limiter.check(request)
