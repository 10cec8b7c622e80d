"""Rules on CRM facts against local servers answering with HubSpot's and Salesforce's public
API shapes: each connector reads the properties a router's conditions name and the open deals
(HubSpot) or Opportunities (Salesforce) of the contact or company; then a router routes on
them (tier, industry, lifecycle, a custom field, an open opportunity to its owner)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from leadrail.adapters.crm.hubspot import HubSpotConnector, HubSpotSettings
from leadrail.adapters.crm.salesforce import SalesforceConnector, SalesforceSettings
from leadrail.adapters.outbound import Outbound
from leadrail.app.apply import apply_workspace
from leadrail.app.route import route_prospect
from leadrail.bootstrap import Container, bootstrap
from leadrail.routing.crm_facts import CrmWant
from leadrail.routing.model import Opportunity
from leadrail.settings import Settings
from tests.factories import MONDAY_8AM_NY, FixedClock, workspace
from tests.integration.crm.fake_hubspot import FakeHubSpot
from tests.integration.crm.fake_salesforce import FakeSalesforce

LOCAL = Outbound.allowing("127.0.0.1")  # the fakes are local servers: allowed explicitly
TOKEN_ENV = "LEADRAIL_CRED_TEST_CRM_TOKEN"


def rules(tier: str, industry: str, lifecycle: str, custom: str) -> list[dict[str, Any]]:
    """The router's rules, naming each CRM's own property names."""
    return [
        {"name": "Open deal", "route": {"opportunity_owner": True},
         "when": {"field": "crm.opportunity.open", "op": "equals", "value": True}},
        {"name": "Tier 1 software", "route": {"user": "rep1@acme.test"},
         "when": {"all": [{"field": f"crm.company.{tier}", "op": "equals", "value": "1"},
                          {"field": f"crm.company.{industry}", "op": "equals",
                           "value": "Software"}]}},
        {"name": "Customers", "route": {"user": "rep2@acme.test"},
         "when": {"field": f"crm.contact.{lifecycle}", "op": "equals", "value": "customer"}},
        {"name": "Partners", "route": {"user": "rep3@acme.test"},
         "when": {"field": f"crm.company.{custom}", "op": "exists", "value": True}},
    ]  # fmt: skip


@pytest.fixture
def salesforce() -> Iterator[FakeSalesforce]:
    with FakeSalesforce() as fake:
        yield fake


@pytest.fixture
def c(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    container = bootstrap(
        Settings(database_url=sqlite_url, worker=False, secret_key="s" * 32,
                 outbound_allow_hosts="127.0.0.1")
    )  # fmt: skip
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    yield container
    container.close()


def routed(c: Container, email: str) -> tuple[str | None, tuple[str, ...]]:
    done = route_prospect(c.routing, "inbound", {"email": email}, c.clock.now(), dry_run=True)
    return done.decision.rule, done.decision.assignees


# --- HubSpot -------------------------------------------------------------------------------


def test_hubspot_reads_properties_and_open_deals(hubspot: FakeHubSpot) -> None:
    contact = hubspot.add_contact("cto@bigco.test", owner="501", lifecyclestage="customer")
    company = hubspot.add_company("bigco.test", owner="502", tier="1", industry="SOFTWARE")
    hubspot.add_deal("Renewal", "503", company=company, dealstage="contractsent", amount="900")
    hubspot.add_deal("Old", "504", contact=contact, closed=True)
    want = CrmWant(contact=("lifecyclestage",), company=("industry", "tier"), opportunities=True)
    settings = HubSpotSettings(base_url=hubspot.url, access_token=hubspot.token)
    with HubSpotConnector(settings, outbound=LOCAL) as crm:
        found = crm.lookup_facts("cto@bigco.test", "bigco.test", want)
    (person, org) = found.records
    assert person.properties == (("lifecyclestage", "customer"),)
    assert org.properties == (("industry", "SOFTWARE"), ("tier", "1"))
    assert found.opportunities == (Opportunity(found.opportunities[0].id, "503", "Renewal",
                                               "contractsent", "900"),)  # fmt: skip
    deals = hubspot.api_requests("/crm/v3/objects/deals")[0].body
    assert {"propertyName": "hs_is_closed", "operator": "EQ", "value": "false"} in (
        deals["filterGroups"][0]["filters"]
    )


def test_routing_on_hubspot_facts(
    c: Container, hubspot: FakeHubSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, hubspot.token or "")
    deal_co = hubspot.add_company("dealco.test")
    hubspot.add_deal("DealCo", "OWN-0", company=deal_co)
    hubspot.add_company("bigco.test", tier="1", industry="Software")
    hubspot.add_contact("buyer@retail.test", lifecyclestage="customer")
    hubspot.add_company("partner.test", partner_level="gold")
    doc = workspace(rules=rules("tier", "industry", "lifecyclestage", "partner_level"))
    doc["crm"] = {"provider": "hubspot",
                  "connection": {"url": hubspot.url, "access_token_env": TOKEN_ENV}}  # fmt: skip
    apply_workspace(c.workspace, doc)
    assert routed(c, "cfo@dealco.test") == ("Open deal", ("rep0@acme.test",))
    assert routed(c, "cto@bigco.test") == ("Tier 1 software", ("rep1@acme.test",))
    assert routed(c, "buyer@retail.test") == ("Customers", ("rep2@acme.test",))
    assert routed(c, "ops@partner.test") == ("Partners", ("rep3@acme.test",))
    assert routed(c, "x@nowhere.test")[0] == "default"


def test_hubspot_down_routes_without_facts(
    c: Container, hubspot: FakeHubSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, hubspot.token or "")
    hubspot.add_company("bigco.test", tier="1", industry="Software")
    doc = workspace(rules=rules("tier", "industry", "lifecyclestage", "partner_level"))
    doc["crm"] = {"provider": "hubspot", "connection": {
        "url": hubspot.url, "access_token_env": TOKEN_ENV, "max_retries": 0}}  # fmt: skip
    apply_workspace(c.workspace, doc)
    hubspot.then(500, {"message": "down"}, times=10)
    assert routed(c, "cto@bigco.test")[0] == "default"


# --- Salesforce ----------------------------------------------------------------------------


def test_salesforce_reads_fields_and_open_opportunities(salesforce: FakeSalesforce) -> None:
    account = salesforce.add("Account", Website="https://www.bigco.test", OwnerId="005A",
                             Industry="Software", Tier__c="1")  # fmt: skip
    salesforce.add("Contact", Email="cto@bigco.test", OwnerId="005B", AccountId=account,
                   Lifecycle__c="customer")  # fmt: skip
    salesforce.add("Opportunity", Name="Renewal", OwnerId="005C", AccountId=account,
                   StageName="Proposal", Amount=50000.0, IsClosed=False)  # fmt: skip
    salesforce.add("Opportunity", Name="Lost", OwnerId="005D", AccountId=account, IsClosed=True)
    want = CrmWant(contact=("lifecycle__c",), company=("industry", "tier__c", "bad-name"),
                   opportunities=True)  # fmt: skip
    settings = SalesforceSettings(salesforce.url, access_token="token-0")
    with SalesforceConnector(settings, outbound=LOCAL) as crm:
        found = crm.lookup_facts("cto@bigco.test", "bigco.test", want)
    contact, company = found.records
    assert contact.properties == (("lifecycle__c", "customer"),)
    assert company.properties == (("industry", "Software"), ("tier__c", "1"))
    (opp,) = found.opportunities
    assert (opp.name, opp.owner_id, opp.stage, opp.amount) == ("Renewal", "005C", "Proposal",
                                                                "50000")  # fmt: skip
    queries = [q.soql or "" for q in salesforce.data_requests()]
    assert not any("bad-name" in q for q in queries)  # never a field name SOQL cannot take


def test_routing_on_salesforce_facts(
    c: Container, salesforce: FakeSalesforce, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "token-0")
    deal_co = salesforce.add("Account", Website="dealco.test")
    salesforce.add("Opportunity", Name="DealCo", OwnerId="OWN-0", AccountId=deal_co,
                   IsClosed=False)  # fmt: skip
    salesforce.add("Account", Website="bigco.test", Tier__c="1", Industry="Software")
    salesforce.add("Contact", Email="buyer@retail.test", Lifecycle__c="customer")
    salesforce.add("Account", Website="partner.test", Partner_Level__c="Gold")
    doc = workspace(rules=rules("tier__c", "industry", "lifecycle__c", "partner_level__c"))
    doc["crm"] = {"provider": "salesforce",
                  "connection": {"url": salesforce.url, "access_token_env": TOKEN_ENV}}  # fmt: skip
    apply_workspace(c.workspace, doc)
    assert routed(c, "cfo@dealco.test") == ("Open deal", ("rep0@acme.test",))
    assert routed(c, "cto@bigco.test") == ("Tier 1 software", ("rep1@acme.test",))
    assert routed(c, "buyer@retail.test") == ("Customers", ("rep2@acme.test",))
    assert routed(c, "ops@partner.test") == ("Partners", ("rep3@acme.test",))
