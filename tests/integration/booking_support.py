"""The booking tests' app: a fixed clock (Monday 8:00 in New York) and the booking workspace."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import MONDAY_8AM_NY, FixedClock, booking_workspace

NINE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
NINE_Z = "2026-11-30T14:00:00Z"


def make(db_url: str, **settings: object) -> tuple[Container, TestClient]:
    c = bootstrap(Settings(database_url=db_url, secret_key="t" * 32, worker=False, **settings))  # type: ignore[arg-type]
    c.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(c.workspace, booking_workspace())
    return c, TestClient(create_app(c.settings, container=c), follow_redirects=False)
