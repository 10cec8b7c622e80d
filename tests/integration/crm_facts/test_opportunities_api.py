"""The built-in CRM's opportunities: over HTTP (create, update, list, delete, bad input) and
from CSV; a routed prospect sees them at once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from leadrail.app.crm_import import import_csv
from leadrail.bootstrap import Container
from leadrail.routing.crm_facts import CrmWant

OPPS = CrmWant(opportunities=True)


def test_create_update_list_delete(api: tuple[Container, TestClient, dict[str, str]]) -> None:
    c, client, auth = api
    body = {"id": "OPP-1", "name": "Renewal", "owner": "OWN-1", "domain": "https://BigCo.test/",
            "amount": 50000}  # fmt: skip
    r = client.put("/api/v1/crm/opportunities", json=body, headers=auth)
    assert r.status_code == 201, r.text
    assert (r.json()["domain"], r.json()["amount"], r.json()["open"]) == (
        "bigco.test",
        "50000",
        True,
    )
    found = c.routing.crm_facts("cto@eu.bigco.test", "eu.bigco.test", OPPS).opportunities
    assert [(o.id, o.owner_id) for o in found] == [("OPP-1", "OWN-1")]
    r = client.put("/api/v1/crm/opportunities", json={**body, "open": False}, headers=auth)
    assert r.status_code == 200
    assert c.routing.crm_facts("cto@bigco.test", "bigco.test", OPPS).opportunities == ()
    page = client.get("/api/v1/crm/opportunities", params={"domain": "bigco.test"}, headers=auth)
    assert [o["id"] for o in page.json()["results"]] == ["OPP-1"]
    assert client.delete("/api/v1/crm/opportunities/OPP-1", headers=auth).status_code == 204
    assert client.delete("/api/v1/crm/opportunities/OPP-1", headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "OPP-2"}, "body"),  # neither email nor domain
        ({"id": "OPP-2", "domain": "not a domain"}, "domain"),
        ({"id": "", "email": "a@b.test"}, "id"),
        ({"id": "OPP-2", "email": "a@b.test", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    api: tuple[Container, TestClient, dict[str, str]], body: dict[str, object], field: str
) -> None:
    _, client, auth = api
    r = client.put("/api/v1/crm/opportunities", json=body, headers=auth)
    assert r.status_code == 422
    assert field in (r.json()["error"].get("field") or "body")
    assert client.get("/api/v1/crm/opportunities", headers=auth).json()["results"] == []


def test_csv_import(api: tuple[Container, TestClient, dict[str, str]]) -> None:
    c, _, _ = api
    lines = (
        "id,name,owner,stage,amount,open,email,domain\n"
        "OPP-1,Renewal,OWN-1,proposal,900,yes,,bigco.test\n"
        "OPP-2,Closed,OWN-2,lost,,closed,cto@bigco.test,\n"
        "OPP-3,Nobody's,OWN-3,,,,,\n"
        "OPP-4,Odd,OWN-4,,,maybe,,bigco.test\n"
    ).splitlines(keepends=True)
    report = import_csv(c.crm, lines, "opportunities", {})
    assert (report.imported, report.created) == (2, 2)
    assert [str(e) for e in report.errors] == [
        "line 4, column id: an opportunity needs an email or a domain",
        "line 5, column open: open is true or false (or yes/no, open/closed)",
    ]
    found = c.routing.crm_facts("cto@bigco.test", "bigco.test", OPPS).opportunities
    assert [(o.id, o.stage, o.amount) for o in found] == [("OPP-1", "proposal", "900")]
