"""Rules on CRM facts against the built-in CRM: company tier and industry, a contact's
lifecycle, a custom field, an open opportunity routed to its owner; over the HTTP API, on
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import workspace

RULES: list[dict[str, Any]] = [
    {
        "name": "Open opportunity",
        "when": {"field": "crm.opportunity.open", "op": "equals", "value": True},
        "route": {"opportunity_owner": True},
        "reason": "An open deal: its owner keeps the conversation",
    },
    {
        "name": "Tier 1 software",
        "when": {
            "all": [
                {"field": "crm.company.tier", "op": "equals", "value": 1},
                {"field": "crm.company.industry", "op": "equals", "value": "Software"},
            ]
        },
        "route": {"user": "rep1@acme.test"},
    },
    {
        "name": "Customers",
        "when": {"field": "crm.contact.lifecycle", "op": "equals", "value": "customer"},
        "route": {"user": "rep2@acme.test"},
    },
    {
        "name": "Partner program",
        "when": {"field": "crm.company.partner_level", "op": "in", "value": ["gold", "platinum"]},
        "route": {"user": "rep3@acme.test"},
    },
]

CRM: dict[str, Any] = {
    "companies": [
        {"domain": "bigco.test", "tier": "1", "properties": {"industry": "Software"}},
        {"domain": "retail.test", "tier": "1", "properties": {"industry": "Retail"}},
        {"domain": "partner.test", "properties": {"partner_level": "Gold"}},
        {"domain": "dealco.test", "name": "DealCo"},
    ],
    "contacts": [{"email": "buyer@retail.test", "properties": {"lifecycle": "customer"}}],
    "opportunities": [
        {"id": "OPP-1", "name": "DealCo renewal", "owner": "OWN-0", "domain": "dealco.test",
         "stage": "proposal", "amount": 50000},
        {"id": "OPP-2", "name": "Lost one", "owner": "OWN-3", "domain": "retail.test",
         "open": False},
    ],
}  # fmt: skip


@pytest.fixture
def api(db_url: str) -> Iterator[tuple[Container, TestClient, dict[str, str]]]:
    c = bootstrap(Settings(database_url=db_url, worker=False))
    doc = workspace(rules=RULES)
    doc["crm"] = CRM
    apply_workspace(c.workspace, doc)
    c.accounts.create_user("admin@acme.test", "Admin", admin=True)
    auth = {"Authorization": f"Bearer {c.tokens.create_token('admin@acme.test', 't')}"}
    yield c, TestClient(create_app(c.settings, container=c)), auth
    c.close()


def route(api: tuple[Container, TestClient, dict[str, str]], **prospect: Any) -> dict[str, Any]:
    _, client, auth = api
    r = client.post("/api/v1/routers/inbound/route?dry_run=true", json=prospect, headers=auth)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.mark.parametrize(
    ("email", "rule", "assignee"),
    [
        ("cto@bigco.test", "Tier 1 software", "rep1@acme.test"),
        ("buyer@retail.test", "Customers", "rep2@acme.test"),
        ("ops@eu.partner.test", "Partner program", "rep3@acme.test"),
        ("cfo@dealco.test", "Open opportunity", "rep0@acme.test"),
    ],
)
def test_rules_read_the_crm(
    api: tuple[Container, TestClient, dict[str, str]], email: str, rule: str, assignee: str
) -> None:
    decision = route(api, email=email)
    assert (decision["rule"], decision["assignees"]) == (rule, [assignee])


def test_a_closed_opportunity_and_another_industry_do_not_count(
    api: tuple[Container, TestClient, dict[str, str]],
) -> None:
    decision = route(api, email="someone@retail.test")  # tier 1 retail, closed deal
    assert decision["rule"] == "default"
    no_match = [s["detail"] for s in decision["trace"] if s["outcome"] == "no_match"]
    assert "crm.opportunity.open 'false' does not equal true" in no_match[0]
    assert "crm.company.industry 'Retail' does not equal 'Software'" in no_match[1]


def test_the_trace_says_the_opportunity_owner_and_the_rules_reason(
    api: tuple[Container, TestClient, dict[str, str]],
) -> None:
    trace = route(api, email="cfo@dealco.test")["trace"]
    steps = {s["step"]: s for s in trace}
    assert steps["reason"]["detail"] == "An open deal: its owner keeps the conversation"
    assert steps["opportunity"]["detail"] == (
        "opportunity DealCo renewal is owned by rep0@acme.test: assigned"
    )


def test_a_prospect_cannot_claim_crm_facts(
    api: tuple[Container, TestClient, dict[str, str]],
) -> None:
    """Fields sent as ``crm.*`` are replaced by what the CRM says."""
    decision = route(
        api,
        email="nobody@unknown.test",
        crm={"company": {"tier": "1", "industry": "Software"}, "opportunity": {"open": "true"}},
    )
    assert decision["rule"] == "default"


def test_an_unavailable_opportunity_owner_falls_back_to_the_default(
    api: tuple[Container, TestClient, dict[str, str]],
) -> None:
    c, _, _ = api
    doc = c.workspace.load()
    doc.users[0].active = False  # rep0 owns OPP-1
    c.workspace.save(doc)
    decision = route(api, email="cfo@dealco.test")
    assert decision["rule"] == "Open opportunity"
    assert decision["assignees"]
    assert decision["assignees"] != ["rep0@acme.test"]
    skipped = [s["detail"] for s in decision["trace"] if s["step"] == "opportunity"]
    assert skipped[0] == "owner OWN-0 of opportunity DealCo renewal is inactive"
