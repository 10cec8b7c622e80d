"""Per-client rate limits for public endpoints (moving window, in memory per process); the
client is ``client_address`` (X-Forwarded-For only from trusted proxies)."""

from __future__ import annotations

import time

from fastapi import HTTPException, Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from leadrail.web.client import client_address


class PublicLimiter:
    def __init__(self, rate: str) -> None:
        self.item = parse(rate)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, request: Request) -> None:
        client = client_address(request)
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
