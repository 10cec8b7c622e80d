"""The floor for HTTP routing throughput: a bare Starlette endpoint doing one sqlite3
transaction (select the least-used member, update it, insert a ledger row). Run it with
``uvicorn bench.floor:app`` and FLOOR_DB set to a file path."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

_local = threading.local()


def _conn() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["FLOOR_DB"], isolation_level=None, timeout=15)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        _local.conn = conn
    return conn


def setup(path: str, members: int = 4) -> None:
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE IF NOT EXISTS members (email TEXT PRIMARY KEY, assigned INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS ledger (id TEXT PRIMARY KEY, email TEXT, assignee TEXT);
    """)
    conn.executemany(
        "INSERT OR IGNORE INTO members VALUES (?, 0)",
        [(f"rep{i}@acme.test",) for i in range(members)],
    )
    conn.commit()
    conn.close()


def route(request_body: bytes) -> dict[str, str]:
    email = json.loads(request_body or b"{}").get("email", "")
    conn = _conn()
    conn.execute("BEGIN IMMEDIATE")
    try:
        (member,) = conn.execute(
            "SELECT email FROM members ORDER BY assigned, email LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE members SET assigned = assigned + 1 WHERE email = ?", (member,))
        decision = uuid.uuid4().hex
        conn.execute("INSERT INTO ledger VALUES (?, ?, ?)", (decision, email, member))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return {"decision_id": decision, "assignee": member}


async def endpoint(request: Request) -> JSONResponse:
    from starlette.concurrency import run_in_threadpool

    body = await request.body()
    return JSONResponse(await run_in_threadpool(route, body))


app = Starlette(
    routes=[
        Route("/route", endpoint, methods=["POST"]),
        Route("/healthz", lambda r: JSONResponse({"ok": True})),
    ]
)
