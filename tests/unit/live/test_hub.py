"""The hub: presence with grace, bounded queues, connection limits."""

from __future__ import annotations

import asyncio

import pytest

from leadrail.web.live_hub import CLOSE, Hub, HubSettings, Refused


def test_presence_grace_then_offline() -> None:
    async def go() -> None:
        hub = Hub(HubSettings(grace_seconds=0.1))
        hub.start()
        offline: list[str] = []
        hub.on_offline = offline.append
        conn = hub.connect_rep("ana@acme.test", False, "1.2.3.4")
        assert hub.presence() == {"ana@acme.test": "online"}
        hub.set_status("ana@acme.test", "away")
        assert hub.presence() == {"ana@acme.test": "away"}
        hub.disconnect_rep(conn)
        await asyncio.sleep(0.05)
        assert "ana@acme.test" in hub.presence()  # still there: grace
        again = hub.connect_rep("ana@acme.test", False, "1.2.3.4")  # reconnect in time
        await asyncio.sleep(0.15)
        assert "ana@acme.test" in hub.presence()
        assert offline == []
        hub.disconnect_rep(again)
        await asyncio.sleep(0.15)
        assert hub.presence() == {}
        assert offline == ["ana@acme.test"]

    asyncio.run(go())


def test_a_slow_connection_is_closed_not_waited_for() -> None:
    async def go() -> None:
        hub = Hub(HubSettings(queue_size=3))
        hub.start()
        slow = hub.connect_rep("ana@acme.test", False, "1.2.3.4")
        fast = hub.connect_rep("bo@acme.test", True, "1.2.3.5")
        for i in range(5):
            hub.reps(["ana@acme.test", "bo@acme.test"], {"n": i})
            fast.queue.get_nowait()  # bo reads as it comes
        assert slow.queue.get_nowait() is CLOSE  # ana's queue overflowed: she is told to go
        assert fast.queue.empty()

    asyncio.run(go())


def test_admins_get_everything_once() -> None:
    async def go() -> None:
        hub = Hub(HubSettings())
        hub.start()
        admin = hub.connect_rep("root@acme.test", True, "1.1.1.1")
        hub.reps(["root@acme.test"], {"x": 1}, admins=True)
        assert admin.queue.qsize() == 1

    asyncio.run(go())


def test_limits_per_visitor_and_per_address() -> None:
    async def go() -> None:
        hub = Hub(HubSettings(streams_per_visitor=2, streams_per_ip=3))
        hub.start()
        hub.connect_visitor("v1", "9.9.9.9")
        hub.connect_visitor("v1", "9.9.9.9")
        with pytest.raises(Refused):
            hub.connect_visitor("v1", "9.9.9.9")
        third = hub.connect_visitor("v2", "9.9.9.9")
        with pytest.raises(Refused):
            hub.connect_visitor("v3", "9.9.9.9")
        assert hub.disconnect_visitor(third) is True
        hub.connect_visitor("v3", "9.9.9.9")

    asyncio.run(go())
