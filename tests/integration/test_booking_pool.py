"""Bookings and the database connection pool: a booking uses one connection at a time, a
booking waiting for its router's turn holds none, and a pool that runs dry answers 503.

The first test is PostgreSQL's (row locks; SQLite serialises writers in the process before
they take a connection): 60 concurrent bookings on one flexible router against a real
uvicorn server, while the test itself holds the router's lock so that every booking is
provably in flight when an unrelated admin request is made."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import anyio.to_thread
import httpx
import psycopg
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from leadrail.adapters.db import tables as t
from leadrail.app.apply import apply_workspace
from leadrail.app.booking import book
from leadrail.app.ports import SlotTaken
from leadrail.bootstrap import bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import MONDAY_8AM_NY, booking_workspace
from tests.support.net import free_port

BOOKINGS = 60
SLOTS = 4
Scope = MutableMapping[str, Any]
Asgi = Callable[[Scope, Any, Any], Awaitable[None]]


def next_weekday_10am_ny(days_ahead: int = 2) -> datetime:
    """A slot inside the reps' working hours, beyond the minimum notice."""
    ny = ZoneInfo("America/New_York")
    day = datetime.now(ny).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=ny).astimezone(UTC)


class Counting:
    """The app, counting the bookings that reached it; with enough worker threads that 60
    waiting bookings leave room for other requests (the test measures the pool, not the
    thread limit)."""

    def __init__(self, app: Asgi) -> None:
        self.app = app
        self.bookings = 0
        self.lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            anyio.to_thread.current_default_thread_limiter().total_tokens = 4 * BOOKINGS
        elif scope["type"] == "http" and scope["path"] == "/api/v1/bookings":
            with self.lock:
                self.bookings += 1
        await self.app(scope, receive, send)


@pytest.fixture
def served(postgres_url: str) -> Iterator[tuple[str, str, Counting]]:
    settings = Settings(
        database_url=postgres_url,
        worker=False,
        public_rate_limit="10000/minute",
        db_pool_size=5,
        db_pool_timeout_seconds=3,
    )
    setup = bootstrap(settings)
    apply_workspace(setup.workspace, booking_workspace())
    setup.accounts.create_user("admin@acme.test", "Admin", admin=True)
    token = setup.tokens.create_token("admin@acme.test", "test")
    setup.close()
    app = Counting(create_app(settings))  # type: ignore[arg-type]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{server.config.port}", token, app
    server.should_exit = True
    thread.join(timeout=30)


def lock_waiters(admin: psycopg.Connection[Any]) -> int:
    row = admin.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    ).fetchone()
    return int(row[0]) if row else 0


def settle(admin: psycopg.Connection[Any], app: Counting) -> None:
    """Until every booking reached the app, one waits for the router's lock, and the
    number of waiting connections stopped changing (so a pool that waiting bookings would
    drain is drained by now)."""
    deadline = time.monotonic() + 60
    last, stable_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_waiting = lock_waiters(admin)
        if now_waiting != last:
            last, stable_since = now_waiting, time.monotonic()
        if app.bookings == BOOKINGS and last >= 1 and time.monotonic() - stable_since > 1:
            return
        time.sleep(0.05)
    pytest.fail(f"bookings did not pile up: {app.bookings} arrived, {last} waiting")


@pytest.mark.postgres
def test_sixty_concurrent_bookings_get_2xx_or_409_and_others_are_served(
    served: tuple[str, str, Counting], postgres_url: str
) -> None:
    base, token, app = served
    first = next_weekday_10am_ny()
    starts = [first + timedelta(minutes=30 * i) for i in range(SLOTS)]
    plain_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")

    def book(i: int) -> int:
        body = {
            "router": "flexible",
            "start": starts[i % SLOTS].isoformat(),
            "prospect": {"email": f"p{i}@example.test", "name": f"P {i}"},
        }
        return httpx.post(f"{base}/api/v1/bookings", json=body, timeout=120).status_code

    with psycopg.connect(plain_url) as holder, psycopg.connect(plain_url, autocommit=True) as obs:
        holder.execute("SELECT id FROM routers WHERE slug = 'flexible' FOR UPDATE")
        with ThreadPoolExecutor(max_workers=BOOKINGS) as pool:
            futures = [pool.submit(book, i) for i in range(BOOKINGS)]
            settle(obs, app)
            # every booking is in flight: none can finish while this test holds the lock
            assert not any(f.done() for f in futures)
            admin = httpx.get(
                f"{base}/api/v1/outbox",
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )
            assert admin.status_code == 200, admin.text  # not a pool timeout
            assert not any(f.done() for f in futures)
            holder.rollback()  # the router's turn is free again
            statuses = Counter(f.result() for f in futures)

    assert set(statuses) <= {201, 409}, statuses
    c = bootstrap(Settings(database_url=postgres_url, worker=False))
    with c.wiring.db.sessions() as s:
        meetings = s.execute(select(t.Meeting.rep, t.Meeting.start)).all()
    c.close()
    assert len(meetings) == statuses[201]
    assert len(set(meetings)) == len(meetings)  # no rep booked twice at one time
    assert {m.start for m in meetings} == set(starts)  # every slot was booked
    assert len(meetings) <= 3 * SLOTS  # three reps


def test_a_dry_pool_answers_503_with_retry_after(db_url: str) -> None:
    settings = Settings(
        database_url=db_url, worker=False, db_pool_size=1, db_pool_timeout_seconds=0.2
    )
    c = bootstrap(settings)
    apply_workspace(c.workspace, booking_workspace())
    c.accounts.create_user("admin@acme.test", "Admin", admin=True)
    token = c.tokens.create_token("admin@acme.test", "test")
    client = TestClient(create_app(settings, container=c))
    engine = c.wiring.db.engine
    held = [engine.raw_connection() for _ in range(2)]  # the pool's one and its overflow
    try:
        r = client.get("/api/v1/outbox", headers={"Authorization": f"Bearer {token}"})
    finally:
        for conn in held:
            conn.close()
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == "busy"
    assert int(r.headers["Retry-After"]) >= 1
    ok = client.get("/api/v1/outbox", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200  # the pool is back
    c.close()


class Held:
    """The most pooled connections one thread held at once."""

    def __init__(self) -> None:
        self.now: dict[int, int] = {}
        self.most = 0

    def checkout(self, *_: Any) -> None:
        me = threading.get_ident()
        self.now[me] = self.now.get(me, 0) + 1
        self.most = max(self.most, self.now[me])

    def checkin(self, *_: Any) -> None:
        me = threading.get_ident()
        self.now[me] = self.now.get(me, 1) - 1


@pytest.mark.parametrize("router", ["flexible", "strict", "solo"])
def test_a_booking_uses_one_connection_at_a_time(db_url: str, router: str) -> None:
    c = bootstrap(Settings(database_url=db_url, worker=False))
    apply_workspace(c.workspace, booking_workspace())
    held = Held()
    event.listen(c.wiring.db.engine.pool, "checkout", held.checkout)
    event.listen(c.wiring.db.engine.pool, "checkin", held.checkin)
    nine = MONDAY_8AM_NY + timedelta(hours=1)
    for i, start in enumerate((nine, nine, nine + timedelta(hours=1))):
        with contextlib.suppress(SlotTaken):  # a taken slot is fine; a second connection not
            book(
                c.routing, c.calendar, router, {"email": f"p{i}@example.test"}, start, MONDAY_8AM_NY
            )
    c.close()
    assert held.most == 1
