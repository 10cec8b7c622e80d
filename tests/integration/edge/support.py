"""A workspace with every public front door (booking links, the booking API, form leads, a
site with live visitors, accounts) and helpers to count what a request wrote."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import MONDAY_8AM_NY, SITE_KEY, FixedClock, booking_workspace, leads_workspace
from tests.support.dashboard import make_account

NINE_Z = "2026-11-30T14:00:00Z"
ADMIN = "admin@acme.test"
LEDGERS = (
    "decisions", "clicks", "meetings", "outbox", "leads", "deliveries", "live_visitors",
    "live_conversations", "live_messages", "password_resets", "login_sessions",
    "crm_contacts", "crm_companies",
)  # fmt: skip


def edge_workspace() -> dict[str, Any]:
    doc = {**booking_workspace(), **leads_workspace()}
    doc["timezone"] = "America/New_York"
    doc["users"] = [*booking_workspace()["users"], {"email": ADMIN, "name": "Admin"}]
    doc["sites"] = [{**doc["sites"][0], "live": {"pounce": {"router": "strict"}}}]
    return doc


@contextmanager
def edge_app(db_url: str, **settings: Any) -> Iterator[tuple[Container, TestClient, str]]:
    """The app in process (server errors answered as 500s, not raised), and an admin token."""
    settings.setdefault("public_rate_limit", "10000/minute")
    c = bootstrap(Settings(database_url=db_url, secret_key="e" * 32, worker=False, **settings))
    c.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(c.workspace, edge_workspace())
    make_account(c, ADMIN, admin=True, name="Admin")
    token = c.tokens.create_token(ADMIN, "edge tests")
    app = create_app(c.settings, container=c)
    try:
        with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
            yield c, client, token
    finally:
        c.close()


def counts(c: Container) -> dict[str, int]:
    """How many rows each ledger-like table holds: a refused request changes none."""
    with c.wiring.db.engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in LEDGERS
        }


def site_headers() -> dict[str, str]:
    return {"X-Site-Key": SITE_KEY}
