"""Visitors leave: with no open stream and no event for LEADRAIL_LIVE_VISITOR_IDLE_SECONDS, the
consoles drop them live, and a console that connects later (after a restart too) lists only
the visitors still here. An open stream keeps a visitor, however long they read."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import WebSocketTestSession
from websockets.sync.client import ClientConnection, connect

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.integration.live.support import (
    ADMIN,
    KEY,
    ORIGIN,
    console,
    event,
    frames_until,
    live_app,
    workspace,
)
from tests.support.dashboard import make_account
from tests.support.db import SQLITE_ONLY
from tests.support.net import PATIENCE, app_in_thread

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here

IDLE = 0.6


def _left(ws: WebSocketTestSession, visitor: str, timeout: float = PATIENCE) -> bool:
    """Ping the console until it says ``visitor`` left (True) or the time is up (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in frames_until(ws):
            if frame["type"] == "visitor_left" and frame["id"] == visitor:
                return True
        time.sleep(0.1)
    return False


def test_a_visitor_without_a_stream_leaves_after_the_idle_time(db_url: str) -> None:
    with (
        live_app(db_url, live_visitor_idle_seconds=IDLE) as (_, client, tokens),
        console(client, tokens[ADMIN]) as admin,
    ):
        admin.receive_json()
        r = event(client, {"visitor": None, "type": "page_view", "url": "/pricing"})
        gone = r.json()["visitor_id"]
        assert _left(admin, gone)
        with console(client, tokens[ADMIN]) as later:
            assert later.receive_json()["visitors"] == []


def test_after_a_restart_only_visitors_still_here_are_listed(db_url: str) -> None:
    idle = 3.0  # long enough for a loaded machine to list the visitor who is still here
    with live_app(db_url, live_visitor_idle_seconds=idle) as (_, client, _tokens):
        left = event(client, {"visitor": None, "type": "page_view", "url": "/a"}).json()
        here = event(client, {"visitor": None, "type": "page_view", "url": "/b"}).json()
    time.sleep(idle + 0.5)  # the server is down for a while; one visitor closed the tab
    with live_app(db_url, live_visitor_idle_seconds=idle) as (_, client, tokens):
        event(client, {"visitor": here["visitor"], "type": "page_view", "url": "/b2"})
        with console(client, tokens[ADMIN]) as admin:
            listed = {v["id"] for v in admin.receive_json()["visitors"]}
    assert here["visitor_id"] in listed
    assert left["visitor_id"] not in listed


@pytest.fixture
def server(db_url: str) -> Iterator[tuple[str, str]]:
    c = bootstrap(
        Settings(
            database_url=db_url,
            secret_key="t" * 32,
            worker=False,
            live_visitor_idle_seconds=IDLE,
            live_ping_seconds=0.2,
        )
    )
    apply_workspace(c.workspace, workspace())
    make_account(c, ADMIN, admin=True)
    token = c.tokens.create_token(ADMIN, "test")
    try:
        with app_in_thread(create_app(c.settings, container=c), ws="websockets") as host:
            yield host, token
    finally:
        c.close()


def _frames(ws: ClientConnection, seconds: float) -> list[dict[str, Any]]:
    """Console frames for ``seconds`` (pinging, so the socket stays open)."""
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ws.send(json.dumps({"type": "ping"}))
        try:
            while True:
                frame = json.loads(ws.recv(timeout=0.2))
                if frame["type"] != "pong":
                    out.append(frame)
        except TimeoutError:
            pass
    return out


def test_an_open_stream_keeps_a_visitor_and_closing_it_lets_them_go(
    server: tuple[str, str],
) -> None:
    host, token = server
    with (
        httpx.Client(
            base_url=f"http://{host}", headers={"Origin": ORIGIN}, timeout=PATIENCE
        ) as http,
        connect(f"ws://{host}/api/v1/console/ws?token={token}", open_timeout=PATIENCE) as ws,
    ):
        assert json.loads(ws.recv(timeout=PATIENCE))["type"] == "hello"
        first = {"site_key": KEY, "visitor": None, "type": "page_view", "url": "/x"}
        body = http.post("/api/v1/visitors/events", json=first).json()
        params = {"site_key": KEY, "visitor": body["visitor"]}
        with http.stream("GET", "/api/v1/visitors/stream", params=params) as stream:
            lines = stream.iter_lines()
            next(lines)
            reading = _frames(ws, IDLE * 4)  # a long read of the page, the tab open
            assert not [f for f in reading if f["type"] == "visitor_left"]
        deadline = time.monotonic() + PATIENCE
        left: list[dict[str, Any]] = []
        while not left and time.monotonic() < deadline:
            left = [f for f in _frames(ws, 0.5) if f["type"] == "visitor_left"]
        assert left == [{"type": "visitor_left", "id": body["visitor_id"]}]
