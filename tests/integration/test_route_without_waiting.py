"""A SQLite decision taken without waiting (the route API on the event loop's thread): it is
recorded like any other when the write lock is free, and gives way, having done nothing, when
another process holds it; the API then answers once that writer is done."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leadrail.adapters.db import tables as t
from leadrail.app.apply import apply_workspace
from leadrail.app.ports import WouldWait
from leadrail.app.route import route_prospect
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import workspace

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def c(sqlite_url: str) -> Iterator[Container]:
    c = bootstrap(Settings(database_url=sqlite_url, worker=False))
    apply_workspace(c.workspace, workspace(memory_hours=0))
    yield c
    c.close()


def decisions(c: Container) -> int:
    with c.wiring.db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(t.Decision)) or 0)


def other_process_writer(sqlite_url: str) -> sqlite3.Connection:
    """Another connection of its own (as another process would be) holding the write lock."""
    conn = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_a_decision_taken_without_waiting_is_recorded(c: Container) -> None:
    rec = route_prospect(c.routing, "inbound", {"email": "p@example.test"}, NOW, wait=False)
    assert rec.id is not None
    assert c.ledger.decision(rec.id) is not None
    assert decisions(c) == 1


def test_it_gives_way_to_another_writer_having_done_nothing(c: Container, sqlite_url: str) -> None:
    route_prospect(c.routing, "inbound", {"email": "first@example.test"}, NOW)  # warm
    other = other_process_writer(sqlite_url)
    try:
        with pytest.raises(WouldWait):
            route_prospect(c.routing, "inbound", {"email": "p@example.test"}, NOW, wait=False)
    finally:
        other.rollback()
        other.close()
    assert decisions(c) == 1
    rec = route_prospect(c.routing, "inbound", {"email": "p@example.test"}, NOW, wait=False)
    assert c.ledger.decision(rec.id or "") is not None


def test_dry_runs_and_other_threads_writes_go_to_a_thread(c: Container) -> None:
    with pytest.raises(WouldWait):
        route_prospect(c.routing, "inbound", {"email": "p@x.test"}, NOW, dry_run=True, wait=False)
    with c.wiring.db.write_lock(), pytest.raises(WouldWait):  # this process's other writer
        route_prospect(c.routing, "inbound", {"email": "p@x.test"}, NOW, wait=False)
    assert decisions(c) == 0


def test_the_route_api_answers_after_another_process_writes(c: Container, sqlite_url: str) -> None:
    c.tokens.create_user("admin@acme.test", "Admin", admin=True)
    token = c.tokens.create_token("admin@acme.test", "t")
    answers: list[int] = []
    with TestClient(create_app(c.settings, container=c)) as client:
        other = other_process_writer(sqlite_url)

        def post() -> None:
            r = client.post(
                "/api/v1/routers/inbound/route",
                json={"email": "p@example.test"},
                headers={"Authorization": f"Bearer {token}"},
            )
            answers.append(r.status_code)

        thread = threading.Thread(target=post)
        thread.start()
        other.commit()  # the other writer finishes; the request (waiting or not yet) goes on
        other.close()
        thread.join(timeout=60)
    assert answers == [200]
    assert decisions(c) == 1
