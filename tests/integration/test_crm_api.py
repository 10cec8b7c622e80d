"""The built-in CRM's records over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.support.db import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # HTTP behaviour; the database is not the point here


@pytest.fixture
def api(db_url: str) -> Iterator[tuple[Container, TestClient, dict[str, str]]]:
    c = bootstrap(Settings(database_url=db_url, worker=False))
    c.accounts.create_user("admin@acme.test", "Admin", admin=True)
    auth = {"Authorization": f"Bearer {c.tokens.create_token('admin@acme.test', 't')}"}
    yield c, TestClient(create_app(c.settings, container=c)), auth
    c.close()


def test_people_create_update_list_read_delete(
    api: tuple[Container, TestClient, dict[str, str]],
) -> None:
    c, client, auth = api
    r = client.put(
        "/api/v1/crm/contacts", json={"email": " CTO@BigCo.test ", "owner": "OWN-1"}, headers=auth
    )
    assert r.status_code == 201
    contact = r.json()
    assert contact["email"] == "cto@bigco.test"
    r = client.put(
        "/api/v1/crm/contacts", json={"email": "cto@bigco.test", "owner": "OWN-2"}, headers=auth
    )
    assert r.status_code == 200
    assert r.json()["id"] == contact["id"]
    page = client.get("/api/v1/crm/contacts", params={"owner": "OWN-2"}, headers=auth).json()
    assert [p["email"] for p in page["results"]] == ["cto@bigco.test"]
    assert (
        client.get(f"/api/v1/crm/contacts/{contact['id']}", headers=auth).json()["owner"] == "OWN-2"
    )
    assert c.routing.crm_records("cto@bigco.test", "bigco.test")[0].owner_id == "OWN-2"
    assert client.delete(f"/api/v1/crm/contacts/{contact['id']}", headers=auth).status_code == 204
    assert client.get(f"/api/v1/crm/contacts/{contact['id']}", headers=auth).status_code == 404


def test_paging_with_after(api: tuple[Container, TestClient, dict[str, str]]) -> None:
    _, client, auth = api
    for i in range(5):
        client.put("/api/v1/crm/leads", json={"email": f"l{i}@x.test"}, headers=auth)
    first = client.get("/api/v1/crm/leads", params={"limit": 3}, headers=auth).json()
    rest = client.get(
        "/api/v1/crm/leads", params={"limit": 3, "after": first["next_after"]}, headers=auth
    ).json()
    assert [p["email"] for p in first["results"] + rest["results"]] == [
        f"l{i}@x.test" for i in range(5)
    ]
    assert rest["next_after"] is None


def test_companies_and_bad_input(api: tuple[Container, TestClient, dict[str, str]]) -> None:
    c, client, auth = api
    r = client.put(
        "/api/v1/crm/companies/by-domain",
        json={
            "domains": ["https://www.Initech.test/x", "initech.eu.test"],
            "name": "Initech",
            "owner": "OWN-3",
        },
        headers=auth,
    )
    assert r.status_code == 201
    assert r.json()["domains"] == ["initech.test", "initech.eu.test"]
    assert c.routing.crm_records("", "sales.initech.eu.test")[0].owner_id == "OWN-3"
    bad = client.put(
        "/api/v1/crm/companies/by-domain", json={"domains": ["not a domain"]}, headers=auth
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "domains"
    bad = client.put("/api/v1/crm/contacts", json={"email": "nope"}, headers=auth)
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "email"
    assert client.get("/api/v1/crm/contacts").status_code == 401
    assert client.get("/api/v1/crm/people", headers=auth).status_code == 422


def test_companies_list_find_by_domain_and_delete(
    api: tuple[Container, TestClient, dict[str, str]],
) -> None:
    c, client, auth = api
    for name, domains in (
        ("BigCo", ["bigco.test", "bigco.eu.test"]),
        ("Initech", ["initech.test"]),
    ):
        client.put(
            "/api/v1/crm/companies/by-domain", json={"domains": domains, "name": name}, headers=auth
        )
    listed = client.get("/api/v1/crm/companies", headers=auth).json()["results"]
    assert [(x["name"], x["domains"]) for x in listed] == [
        ("BigCo", ["bigco.eu.test", "bigco.test"]),
        ("Initech", ["initech.test"]),
    ]
    found = client.get(
        "/api/v1/crm/companies", params={"domain": "https://sales.bigco.eu.test/"}, headers=auth
    ).json()["results"]
    assert [x["name"] for x in found] == ["BigCo"]
    assert client.delete(f"/api/v1/crm/companies/{found[0]['id']}", headers=auth).status_code == 204
    assert c.routing.crm_records("", "bigco.test") == ()
    assert client.delete("/api/v1/crm/companies/999", headers=auth).status_code == 404
