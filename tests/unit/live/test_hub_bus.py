"""Two processes' hubs over one bus (an in-memory stand-in for Redis: the real one is
tests/e2e/test_live_processes.py): what a use case pushes in one process reaches the
connections of every process once; presence is every process's; a dead process's reps go
offline once."""

from __future__ import annotations

import asyncio

from leadrail.web.live_hub import Hub, HubSettings
from tests.fakes.live import FakeBus, FakeRedis

ANA, BEN = "ana@acme.test", "ben@acme.test"


def two_hubs(redis: FakeRedis) -> tuple[Hub, Hub]:
    a, b = Hub(HubSettings(grace_seconds=0.05)), Hub(HubSettings(grace_seconds=0.05))
    a.start(bus=FakeBus(redis, "a"))
    b.start(bus=FakeBus(redis, "b"))
    return a, b


def drain(queue: asyncio.Queue[object]) -> list[object]:
    out = []
    while not queue.empty():
        out.append(queue.get_nowait())
    return out


def test_a_push_in_one_process_reaches_a_rep_and_a_visitor_in_the_other_once() -> None:
    async def go() -> None:
        a, b = two_hubs(FakeRedis())
        ana_on_b = b.connect_rep(ANA, False, "192.0.2.1")
        admin_on_a = a.connect_rep("root@acme.test", True, "192.0.2.2")
        visitor_on_b = b.connect_visitor("v1", "192.0.2.3")
        a.reps([ANA], {"type": "alert", "n": 1}, admins=True)
        a.visitor("v1", "chat.waiting", {"conversation_id": "c1"})
        assert drain(ana_on_b.queue) == [{"type": "alert", "n": 1}]
        assert drain(admin_on_a.queue) == [{"type": "alert", "n": 1}]
        assert drain(visitor_on_b.queue) == [("chat.waiting", {"conversation_id": "c1"})]

    asyncio.run(go())


def test_here_stays_in_its_process() -> None:
    async def go() -> None:
        a, b = two_hubs(FakeRedis())
        ana_on_a, ana_on_b = (
            a.connect_rep(ANA, False, "192.0.2.1"),
            b.connect_rep(ANA, False, "192.0.2.1"),
        )
        a.here([ANA], {"type": "visitor_left", "id": "v1"}, admins=True)
        assert drain(ana_on_a.queue) == [{"type": "visitor_left", "id": "v1"}]
        assert drain(ana_on_b.queue) == []

    asyncio.run(go())


def test_presence_is_every_processs_and_a_status_reaches_the_reps_consoles_everywhere() -> None:
    async def go() -> None:
        a, b = two_hubs(FakeRedis())
        ana_on_b = b.connect_rep(ANA, False, "192.0.2.1")
        assert a.presence() == {ANA: "online"}
        b.set_status(ANA, "away")
        assert a.presence() == {ANA: "away"}
        assert drain(ana_on_b.queue) == [{"type": "status", "status": "away"}]

    asyncio.run(go())


def test_a_dead_processs_reps_go_offline_once_in_the_others() -> None:
    async def go() -> None:
        redis = FakeRedis()
        a, b = two_hubs(redis)
        gone: list[str] = []
        a.on_offline = gone.append
        b.connect_rep(ANA, False, "192.0.2.1")
        a.connect_rep(BEN, False, "192.0.2.2")
        redis.dies("b")
        assert a.presence() == {BEN: "online"}
        assert gone == [ANA]

    asyncio.run(go())


def test_a_rep_whose_last_socket_closed_goes_offline_after_the_grace_in_every_process() -> None:
    async def go() -> None:
        a, b = two_hubs(FakeRedis())
        gone_a: list[str] = []
        gone_b: list[str] = []
        a.on_offline, b.on_offline = gone_a.append, gone_b.append
        conn = b.connect_rep(ANA, False, "192.0.2.1")
        b.disconnect_rep(conn)
        assert a.presence() == {ANA: "online"}  # the grace
        deadline = asyncio.get_running_loop().time() + 5
        while ANA in a.presence() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        assert a.presence() == {}
        assert (gone_a, gone_b) == ([ANA], [ANA])  # each process's use case: it acts once

    asyncio.run(go())
