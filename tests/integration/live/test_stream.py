"""The visitor's Server-Sent Events stream against a real server (uvicorn in a thread)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.integration.live.support import ANA, KEY, ORIGIN, workspace
from tests.support.dashboard import make_account
from tests.support.db import SQLITE_ONLY
from tests.support.net import PATIENCE, app_in_thread

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here


@pytest.fixture
def server(db_url: str) -> Iterator[tuple[str, str]]:
    c = bootstrap(Settings(database_url=db_url, secret_key="t" * 32, worker=False))
    apply_workspace(c.workspace, workspace())
    make_account(c, ANA, admin=False)
    token = c.tokens.create_token(ANA, "test")
    try:
        with app_in_thread(create_app(c.settings, container=c), ws="websockets") as host:
            yield host, token
    finally:
        c.close()


def _events(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    name = ""
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            yield name, json.loads(line[6:])


def test_stream_says_hello_then_waiting_accepted_and_messages(server: tuple[str, str]) -> None:
    host, token = server
    base = f"http://{host}"
    headers = {"Origin": ORIGIN}
    with (
        httpx.Client(base_url=base, headers=headers, timeout=PATIENCE) as http,
        connect(f"ws://{host}/api/v1/console/ws?token={token}", open_timeout=PATIENCE) as ws,
    ):
        assert json.loads(ws.recv(timeout=PATIENCE))["type"] == "hello"
        first = {"site_key": KEY, "visitor": None, "type": "page_view", "url": "/x"}
        visitor = http.post("/api/v1/visitors/events", json=first).json()["visitor"]
        params = {"site_key": KEY, "visitor": visitor}
        with http.stream("GET", "/api/v1/visitors/stream", params=params) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = _events(stream.iter_lines())
            name, hello = next(events)
            assert name == "hello"
            assert hello["conversation"] is None
            chat = {"site_key": KEY, "visitor": visitor, "type": "chat_request"}
            cid = http.post("/api/v1/visitors/events", json=chat).json()["conversation"]["id"]
            assert next(events) == (
                "chat.waiting",
                {"conversation_id": cid, "countdown_seconds": 5},
            )
            while json.loads(ws.recv(timeout=PATIENCE))["type"] != "alert":
                pass
            ws.send(json.dumps({"type": "accept", "conversation_id": cid}))
            name, data = next(events)
            assert name == "chat.accepted"
            assert data["rep"] == {"name": "Ana"}
            ws.send(json.dumps({"type": "message", "conversation_id": cid, "text": "<i>hi</i>"}))
            name, data = next(events)
            assert name == "chat.message"
            assert data["message"]["text"] == "<i>hi</i>"
            assert data["message"]["from"] == "rep"


def test_stream_refuses_a_forged_token(server: tuple[str, str]) -> None:
    host, _ = server
    r = httpx.get(
        f"http://{host}/api/v1/visitors/stream",
        params={"site_key": KEY, "visitor": "forged"},
        headers={"Origin": ORIGIN},
    )
    assert r.status_code == 403
    assert r.json()["error"]["field"] == "visitor"
