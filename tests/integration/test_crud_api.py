"""The per-entity API: /api/v1/{users,teams,lists,meeting-types,routers,categories,stores,
sites}: list, read, create (409 on a taken key), replace (404 when missing), delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace, export_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import workspace
from tests.support.db import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here

ADMIN = "admin@acme.test"


@pytest.fixture
def api(db_url: str) -> Iterator[tuple[Container, TestClient, dict[str, str]]]:
    c = bootstrap(Settings(database_url=db_url, worker=False))
    apply_workspace(c.workspace, workspace())
    c.accounts.create_user(ADMIN, "Admin", admin=True)
    token = c.tokens.create_token(ADMIN, "test")
    client = TestClient(create_app(c.settings, container=c))
    yield c, client, {"Authorization": f"Bearer {token}"}
    c.close()


def test_round_trip_for_every_section(api: Any) -> None:
    c, client, auth = api
    items = {
        "users": {"email": "new@acme.test", "name": "New"},
        "teams": {"name": "AE", "members": [{"user": "rep1@acme.test", "weight": 2}]},
        "lists": {"name": "vip", "values": ["vip.test"]},
        "meeting-types": {"slug": "demo", "name": "Demo", "duration_minutes": 45},
        "routers": {"slug": "ae", "title": "AE", "default": {"team": "AE"}},
        "categories": {"name": "sales", "destinations": [{"address": "s@acme.test"}]},
        "stores": {"name": "Paris", "latitude": 48.85, "longitude": 2.35},
        "sites": {"name": "www", "key": "k" * 20},
    }
    apply_workspace(c.workspace, {"fallback_destination": {"address": "f@acme.test"}})
    for url, item in items.items():
        key = next(iter(item.values()))
        r = client.post(f"/api/v1/{url}", json=item, headers=auth)
        assert r.status_code == 201, (url, r.text)
        assert r.json()["item"] == item
        assert client.get(f"/api/v1/{url}/{key}", headers=auth).json() == item
        assert item in client.get(f"/api/v1/{url}", headers=auth).json()["items"]
    ws = export_workspace(c.workspace)
    assert ws["stores"] == [items["stores"]]
    assert ws["sites"] == [items["sites"]]


def test_replace_and_delete(api: Any) -> None:
    c, client, auth = api
    r = client.put("/api/v1/lists/target-accounts", headers=auth,
                   json={"name": "target-accounts", "values": ["A.test", "b.test"]})  # fmt: skip
    assert r.status_code == 200, r.text
    assert export_workspace(c.workspace)["lists"][0]["values"] == ["a.test", "b.test"]
    r = client.delete("/api/v1/lists/target-accounts", headers=auth)
    assert r.status_code == 200
    assert r.json()["deleted"] == "target-accounts"
    assert not export_workspace(c.workspace).get("lists")
    r = client.delete("/api/v1/users/rep1@acme.test", headers=auth)
    assert r.status_code == 200
    assert r.json()["deactivated"] == "rep1@acme.test"
    users = {u["email"]: u for u in export_workspace(c.workspace)["users"]}
    assert users["rep1@acme.test"]["active"] is False


def test_errors(api: Any) -> None:
    c, client, auth = api
    before = export_workspace(c.workspace)
    r = client.post("/api/v1/teams", json={"name": "SDR"}, headers=auth)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"
    r = client.put("/api/v1/teams/Nope", json={"name": "Nope"}, headers=auth)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/routers/nope", headers=auth).status_code == 404
    r = client.post("/api/v1/meeting-types", headers=auth,
                    json={"slug": "Bad Slug", "name": "", "duration_minutes": 1})  # fmt: skip
    assert r.status_code == 422
    err = r.json()["error"]
    fields = {p["field"] for p in err["problems"]}
    assert {"slug", "name", "duration_minutes"} <= fields
    r = client.put(
        "/api/v1/routers/inbound",
        headers=auth,
        json={"slug": "inbound", "title": "X", "default": {"team": "Ghosts"}},
    )
    assert r.status_code == 422
    assert r.json()["error"]["problems"][0]["field"].startswith("default")
    r = client.delete("/api/v1/teams/SDR", headers=auth)  # the router routes to it
    assert r.status_code == 409
    assert r.json()["error"]["problems"]
    r = client.post("/api/v1/lists", content=b"[1]", headers={**auth,
                    "content-type": "application/json"})  # fmt: skip
    assert r.status_code == 422
    assert export_workspace(c.workspace) == before


def test_admin_token_required(api: Any) -> None:
    c, client, auth = api
    assert client.get("/api/v1/users").status_code == 401
    c.accounts.create_user("rep9@acme.test", "Rep", admin=False)
    rep = c.tokens.create_token("rep9@acme.test", "rep")
    r = client.post("/api/v1/lists", json={"name": "x", "values": []},
                    headers={"Authorization": f"Bearer {rep}"})  # fmt: skip
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"


def test_openapi_tags(api: Any) -> None:
    _, client, _ = api
    paths = client.get("/openapi.json").json()["paths"]
    assert paths["/api/v1/stores/{key}"]["put"]["tags"] == ["stores"]
    assert "/api/v1/meeting-types" in paths
