"""Trace data keeps its types (``data.users`` is a JSON array) through the ledger, the API and
the dashboard; ledger rows written when such lists were stored as text still read as lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import workspace
from tests.support.dashboard import login, make_account

ADMIN = "admin@acme.test"
BOTH = ["rep0@acme.test", "rep1@acme.test"]


@pytest.fixture
def api(db_url: str) -> Iterator[tuple[Container, TestClient, dict[str, str]]]:
    c = bootstrap(Settings(database_url=db_url, secret_key="t" * 32, worker=False))
    rule = {"name": "Big", "when": {"field": "domain", "op": "in_list", "value": "target-accounts"},
            "route": {"broadcast": BOTH}}  # fmt: skip
    apply_workspace(c.workspace, workspace(rules=[rule]))
    make_account(c, ADMIN, admin=True)
    auth = {"Authorization": f"Bearer {c.tokens.create_token(ADMIN, 'test')}"}
    yield c, TestClient(create_app(c.settings, container=c), base_url="https://testserver"), auth
    c.close()


def users_of(trace: list[dict[str, Any]]) -> Any:
    return next(s["data"]["users"] for s in trace if "users" in s["data"])


def test_trace_lists_are_json_arrays_everywhere(api: Any, db_url: str) -> None:
    c, client, auth = api
    r = client.post("/api/v1/routers/inbound/route", json={"email": "cto@bigco.test"},
                    headers=auth)  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert users_of(body["trace"]) == BOTH
    did = body["decision_id"]
    assert users_of(client.get(f"/api/v1/decisions/{did}", headers=auth).json()["trace"]) == BOTH
    listed = client.get("/api/v1/decisions", headers=auth).json()
    assert users_of(listed[0]["trace"]) == BOTH
    login(client, ADMIN)
    page = client.get(f"/dashboard/decisions/{did}").text
    assert "users: rep0@acme.test, rep1@acme.test" in page
    assert "[&#39;" not in page


def test_an_old_rows_stringified_list_reads_as_a_list(api: Any, db_url: str) -> None:
    c, client, auth = api
    did = client.post("/api/v1/routers/inbound/route", json={"email": "cto@bigco.test"},
                      headers=auth).json()["decision_id"]  # fmt: skip
    old = ('[{"step": "broadcast", "outcome": "chosen", "detail": "sent to 2 users", "data": '
           '{"users": "[\'rep0@acme.test\', \'rep1@acme.test\']"}}]')  # fmt: skip
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE decisions SET trace = :t WHERE id = :id"), {"t": old, "id": did})
    engine.dispose()
    assert users_of(client.get(f"/api/v1/decisions/{did}", headers=auth).json()["trace"]) == BOTH
    login(client, ADMIN)
    assert "users: rep0@acme.test, rep1@acme.test" in client.get(f"/dashboard/decisions/{did}").text
