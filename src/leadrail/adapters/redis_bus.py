"""Redis for several processes: a client factory, and live routing's bus (``LiveBus``).

The bus publishes every hub message on one channel (``<prefix>:live``); every process,
the publisher too, gets it once and delivers it to its own connections. One task per
process publishes, on one connection, in the order messages were queued, so a process's
messages reach every process in that order.

Presence: each process keeps its reps in a hash (``<prefix>:live:presence:<process id>``)
that expires ``presence_ttl`` seconds after its last heartbeat, and lists itself in a sorted
set (``<prefix>:live:processes``). A process that dies takes its reps offline when its hash
expires. After a change a process says so on the channel, so the others read at once
rather than at their next heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from leadrail.app.ports.live import Deliver

log = logging.getLogger("leadrail.live.redis")
TRANSIENT = (RedisError, OSError)
RANK = {"online": 2, "away": 1}


def redis_client(url: str) -> Redis:
    """A Redis client (a connection pool) for ``LEADRAIL_REDIS_URL``; text in and out."""
    client: Redis = Redis.from_url(
        url, decode_responses=True, socket_connect_timeout=3, health_check_interval=15
    )
    return client


def merge(hashes: list[Mapping[str, str]]) -> dict[str, str]:
    """Every process's reps: online where any process has them online, else away."""
    out: dict[str, str] = {}
    for statuses in hashes:
        for email, status in statuses.items():
            if RANK.get(status, 0) > RANK.get(out.get(email, ""), 0):
                out[email] = status
    return out


class RedisLiveBus:
    def __init__(self, url: str, prefix: str, *, presence_ttl: float) -> None:
        self.url, self.prefix = url, prefix
        self.ttl = max(presence_ttl, 1.0)
        self.tick = min(1.0, self.ttl / 4)
        self.id = uuid.uuid4().hex
        self.channel = f"{prefix}:live"
        self.processes = f"{prefix}:live:processes"
        self._mine: dict[str, str] = {}
        self._written: dict[str, str] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def _key(self, process_id: str) -> str:
        return f"{self.prefix}:live:presence:{process_id}"

    # --- LiveBus -------------------------------------------------------------------------
    def start(self, deliver: Deliver, presence: Callable[[Mapping[str, str]], None]) -> None:
        self.redis = redis_client(self.url)
        self._out: asyncio.Queue[str] = asyncio.Queue()
        self._kick = asyncio.Event()
        self._kick.set()  # the first heartbeat now
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._forever(self._read, deliver), name="live bus: read"),
            loop.create_task(self._forever(self._write), name="live bus: write"),
            loop.create_task(self._forever(self._beat, presence), name="live bus: presence"),
        ]

    def publish(self, message: Mapping[str, Any]) -> None:
        self._out.put_nowait(json.dumps({"hub": message}, separators=(",", ":")))

    def set_presence(self, status: Mapping[str, str]) -> None:
        self._mine = dict(status)
        self._kick.set()

    def stop(self) -> None:
        """Stop reading and writing; this process's reps stay until their hash expires
        (a rep whose console reconnects to another server within the grace keeps their
        place)."""
        for task in self._tasks:
            task.cancel()
        tasks, self._tasks = self._tasks, []
        redis = self.redis

        async def close() -> None:
            await asyncio.gather(*tasks, return_exceptions=True)
            await redis.aclose()

        with contextlib.suppress(RuntimeError):  # no loop running: the process is ending
            asyncio.get_running_loop().create_task(close())

    # --- the tasks -----------------------------------------------------------------------
    async def _forever(self, job: Callable[..., Any], *args: Any) -> None:
        """Run ``job`` again after Redis goes away (backing off up to 5 s), until cancelled."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TRANSIENT),
            wait=wait_exponential(multiplier=0.1, max=5),
            before_sleep=lambda state: log.warning(
                "live bus: Redis unavailable (%s); retrying",
                state.outcome and state.outcome.exception(),
            ),
        )
        async for attempt in retrying:
            with attempt:
                await job(*args)

    async def _read(self, deliver: Deliver) -> None:
        async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(self.channel)
            self._kick.set()  # (re)connected: read everyone's presence now
            async for raw in pubsub.listen():
                if raw.get("type") != "message":
                    continue
                try:
                    message = json.loads(raw["data"])
                except (TypeError, ValueError):
                    log.warning("live bus: a message that is not JSON on %s", self.channel)
                    continue
                if "hub" in message:
                    deliver(message["hub"])
                elif message.get("presence") != self.id:
                    self._kick.set()

    async def _write(self) -> None:
        while True:
            batch = [await self._out.get()]
            while not self._out.empty():
                batch.append(self._out.get_nowait())
            await self._publish(batch)

    async def _publish(self, batch: list[str]) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TRANSIENT),
            wait=wait_exponential(multiplier=0.05, max=1),
            stop=stop_after_delay(5),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    async with self.redis.pipeline(transaction=False) as pipe:
                        for item in batch:
                            pipe.publish(self.channel, item)
                        await pipe.execute()
        except TRANSIENT:
            log.error("live bus: Redis unavailable; %d live messages dropped", len(batch))

    async def _beat(self, presence: Callable[[Mapping[str, str]], None]) -> None:
        """Write this process's reps, read every process's, tell the hub: at each change
        here or elsewhere, else every ``tick``."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kick.wait(), self.tick)
            self._kick.clear()
            presence(await self._heartbeat())

    async def _heartbeat(self) -> dict[str, str]:
        mine: dict[Any, Any] = dict(self._mine)
        key, now = self._key(self.id), time.time()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if mine:
                pipe.hset(key, mapping=mine)
                pipe.pexpire(key, int(self.ttl * 1000))
            pipe.zadd(self.processes, {self.id: now})
            pipe.zremrangebyscore(self.processes, "-inf", now - 10 * self.ttl)
            pipe.zrange(self.processes, 0, -1)
            done = await pipe.execute()
        if mine != self._written:
            self._written = mine
            note = json.dumps({"presence": self.id})
            await self.redis.publish(self.channel, note)
        async with self.redis.pipeline(transaction=False) as pipe:
            for process_id in done[-1]:
                pipe.hgetall(self._key(process_id))
            hashes = await pipe.execute()
        return merge(hashes)
