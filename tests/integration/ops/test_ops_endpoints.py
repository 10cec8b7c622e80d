"""/healthz, /readyz and /metrics of one app (SQLite; Redis only as a closed port), and the
token cache forgetting a revoked token at once in the process that revoked it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import workspace
from tests.support.net import free_port


def _client(url: str, **settings: object) -> Iterator[tuple[TestClient, Container]]:
    c = bootstrap(Settings(database_url=url, worker=False, **settings))  # type: ignore[arg-type]
    try:
        with TestClient(create_app(c.settings, container=c)) as client:
            yield client, c
    finally:
        c.close()


@pytest.fixture
def app(sqlite_url: str) -> Iterator[tuple[TestClient, Container]]:
    yield from _client(sqlite_url)


def test_a_migrated_database_is_ready(app: tuple[TestClient, Container]) -> None:
    client, _ = app
    assert client.get("/healthz").json() == {"status": "ok", "database": "sqlite"}
    r = client.get("/readyz")
    assert (r.status_code, r.json()) == (200, {"status": "ready"})


def test_an_unreachable_redis_makes_the_server_not_ready_but_still_serving(
    sqlite_url: str,
) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    for client, c in _client(sqlite_url, redis_url=closed):
        assert client.get("/healthz").status_code == 200  # alive all the same
        r = client.get("/readyz")
        assert r.status_code == 503
        assert set(r.json()["problems"]) == {"redis"}
        assert "Redis does not answer" in r.json()["problems"]["redis"]
        # tokens are checked in the database, limits let requests through
        c.accounts.create_user("admin@acme.test", "Admin", admin=True)
        auth = {"Authorization": f"Bearer {c.tokens.create_token('admin@acme.test', 't')}"}
        assert client.get("/api/v1/routers", headers=auth).status_code == 200
        admin = c.accounts.accounts.user_by_email("admin@acme.test")
        assert admin is not None
        assert c.accounts.revoke_token(admin, c.accounts.tokens(admin)[0].id)
        assert client.get("/api/v1/routers", headers=auth).status_code == 401
        assert (
            client.get("/api/v1/routers/nope/slots", params={"email": "a@b.test"}).status_code
            == 404
        )


def test_migrations_behind_make_the_server_not_ready(
    sqlite_url: str, tmp_path: Path, sqlite_template: Path
) -> None:
    from leadrail.adapters.db.engine import migrate

    older = tmp_path / "older.db"
    migrate(f"sqlite:///{older}", "0007")
    for client, _ in _client(f"sqlite:///{older}"):
        r = client.get("/readyz")
        assert r.status_code == 503
        problem = r.json()["problems"]["migrations"]
        assert "0007" in problem
        assert "leadrail migrate" in problem
    shutil.copy(sqlite_template, older)  # migrated to the head: ready again
    for client, _ in _client(f"sqlite:///{older}"):
        assert client.get("/readyz").status_code == 200


def test_metrics_count_decisions_and_time_routes(app: tuple[TestClient, Container]) -> None:
    client, c = app
    apply_workspace(c.workspace, workspace())
    c.accounts.create_user("admin@acme.test", "Admin", admin=True)
    token = c.tokens.create_token("admin@acme.test", "t")
    auth = {"Authorization": f"Bearer {token}"}

    def decisions() -> float:
        for line in client.get("/metrics").text.splitlines():
            if line.startswith('leadrail_decisions_total{router="inbound",source="api"}'):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = decisions()  # counters are per process: other tests may have routed
    for i in range(3):
        r = client.post(
            "/api/v1/routers/inbound/route", json={"email": f"p{i}@x.test"}, headers=auth
        )
        assert r.status_code == 200
    r = client.post(
        "/api/v1/routers/inbound/route", params={"dry_run": "true"},
        json={"email": "dry@x.test"}, headers=auth,
    )  # fmt: skip
    assert r.status_code == 200
    assert decisions() == before + 3  # a dry run decides nothing
    text = client.get("/metrics").text
    assert (
        'leadrail_request_seconds_count{method="POST",route="/api/v1/routers/{slug}/route"}' in text
    )
    assert 'leadrail_live_chats{status="waiting"} 0.0' in text
    assert token not in text


def test_the_metrics_token_guards_metrics(sqlite_url: str) -> None:
    for client, _ in _client(sqlite_url, metrics_token="s3cret-scrape"):
        r = client.get("/metrics")
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        r = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
        assert r.status_code == 200
        assert "leadrail_request_seconds" in r.text


def test_a_revoked_token_is_refused_at_once(app: tuple[TestClient, Container]) -> None:
    client, c = app
    c.accounts.create_user("admin@acme.test", "Admin", admin=True)
    token = c.tokens.create_token("admin@acme.test", "t")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/routers", headers=auth).status_code == 200  # cached now
    admin = c.accounts.accounts.user_by_email("admin@acme.test")
    assert admin is not None
    (row,) = c.accounts.tokens(admin)
    assert c.accounts.revoke_token(admin, row.id)
    assert client.get("/api/v1/routers", headers=auth).status_code == 401


def test_a_request_id_is_kept_or_made(app: tuple[TestClient, Container]) -> None:
    client, _ = app
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    made = client.get("/healthz", headers={"X-Request-ID": "bad id\twith<junk>"})
    assert made.headers["x-request-id"] != "bad id\twith<junk>"
    assert len(made.headers["x-request-id"]) == 16
