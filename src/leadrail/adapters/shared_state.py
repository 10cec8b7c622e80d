"""What every process must see at once, kept in Redis when ``LEADRAIL_REDIS_URL`` is set:
the API-token revocation epoch and Redis's own readiness. Without Redis the epoch lives in
this process (one server process: a revocation still takes effect at once).

The epoch is a counter bumped after every change that can end a token (a revocation, a
workspace save that deactivates a user). A process trusts its short token cache only while
the epoch it cached under is still the current one, so a token revoked through any process
(or ``leadrail token revoke``) is refused by every process on its next request."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref

import redis
import redis.asyncio as aioredis

log = logging.getLogger("leadrail.shared")
TIMEOUT = 1.0  # seconds: an unreachable Redis must not hold a request for long


class LocalEpoch:
    """The revocation epoch of a process that shares nothing."""

    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self._value += 1

    async def epoch(self) -> int | None:
        return self._value


class RedisEpoch:
    """The revocation epoch in Redis (``<prefix>:auth-epoch``). Reading it costs one Redis
    round trip on a token cache hit; when Redis does not answer, ``epoch`` is None and the
    caller looks the token up in the database."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.key = f"{prefix}:auth-epoch"
        self._sync = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
        )
        self._warned = 0.0
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
            weakref.WeakKeyDictionary()
        )

    def _client(self) -> aioredis.Redis:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = aioredis.Redis.from_url(
                self.url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
            )
            self._clients[loop] = client
        return client

    def bump(self) -> None:
        try:
            self._sync.incr(self.key)
        except redis.RedisError as e:
            # the other processes keep their cached tokens until their cache lifetime ends
            log.error("could not publish a token revocation to Redis: %s", type(e).__name__)

    async def epoch(self) -> int | None:
        try:
            value = await self._client().get(self.key)
        except (redis.RedisError, OSError) as e:
            if time.monotonic() - self._warned > 60:  # once a minute, not once a request
                self._warned = time.monotonic()
                log.warning("Redis does not answer (token cache bypassed): %s", type(e).__name__)
            return None
        return int(value or 0)

    def ping(self) -> str | None:
        """None when Redis answers, else what went wrong (for /readyz)."""
        try:
            self._sync.ping()
        except (redis.RedisError, OSError) as e:
            return f"Redis does not answer ({type(e).__name__})"
        return None

    def close(self) -> None:
        self._sync.close()
