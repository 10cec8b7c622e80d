"""The workspace's field mapping: condition names read from the CRM's own properties, a
custom owner field, HubSpot's hs_additional_domains, a Salesforce queue standing for a team,
prospect fields written back; ``leadrail crm check`` says what the CRM lacks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from leadrail.app.apply import apply_workspace
from leadrail.app.crm_sync.ports import Person
from leadrail.app.route import route_prospect
from leadrail.bootstrap import Container, bootstrap
from leadrail.cli import app
from leadrail.settings import Settings
from tests.factories import MONDAY_8AM_NY, FixedClock, workspace
from tests.integration.crm.fake_hubspot import FakeHubSpot
from tests.integration.crm.fake_salesforce import FakeSalesforce

TOKEN_ENV = "LEADRAIL_CRED_TEST_CRM_TOKEN"
TIER_1 = {"name": "Tier 1", "route": {"user": "rep1@acme.test"},
          "when": {"field": "crm.company.tier", "op": "equals", "value": 1}}  # fmt: skip


@pytest.fixture
def c(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    monkeypatch.setenv("LEADRAIL_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("LEADRAIL_OUTBOUND_ALLOW_HOSTS", "127.0.0.1")
    container = bootstrap(Settings(database_url=sqlite_url, worker=False, secret_key="s" * 32,
                                   outbound_allow_hosts="127.0.0.1"))  # fmt: skip
    container.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    yield container
    container.close()


def routed(c: Container, email: str) -> tuple[str | None, tuple[str, ...], str | None]:
    done = route_prospect(c.routing, "inbound", {"email": email}, c.clock.now(), dry_run=True)
    return done.decision.rule, done.decision.assignees, done.decision.via


def apply(c: Container, crm: dict[str, Any], *rules: dict[str, Any], **router: Any) -> None:
    doc = workspace(rules=list(rules), **router)
    doc["crm"] = crm
    apply_workspace(c.workspace, doc)


def check(*args: str) -> Any:
    return CliRunner().invoke(app, ["crm", "check", *args])


def test_hubspot_mapping_owner_field_and_additional_domains(
    c: Container, hubspot: FakeHubSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, hubspot.token or "")
    hubspot.add_company("bigco.test", hs_additional_domains="bigco.eu.test;big.test",
                        hs_ideal_customer_profile="1", account_exec="OWN-2")  # fmt: skip
    hubspot.add_contact("someone@else.test", account_exec="OWN-1")
    mapping = {
        "read": {"company": {"tier": "hs_ideal_customer_profile"}},
        "owner_field": "account_exec",
        "company_domains": ["hs_additional_domains"],
    }
    crm = {"provider": "hubspot", "mapping": mapping,
           "connection": {"url": hubspot.url, "access_token_env": TOKEN_ENV}}  # fmt: skip
    apply(c, crm, TIER_1, ownership={"enabled": True, "match": ["companies"]})
    # found by an additional domain, owned through the custom owner field
    assert routed(c, "cto@sales.big.test") == (None, ("rep2@acme.test",), "owner")
    apply(c, crm, TIER_1)  # no ownership: the rules read the mapped tier
    assert routed(c, "cto@big.test")[:2] == ("Tier 1", ("rep1@acme.test",))
    searches = [r.body for r in hubspot.api_requests("/crm/v3/objects/companies/search")]
    filters = [f for g in searches[-1]["filterGroups"] for f in g["filters"]]
    token = {"propertyName": "hs_additional_domains", "operator": "CONTAINS_TOKEN"}
    assert {**token, "value": "big.test"} in filters
    assert "hs_ideal_customer_profile" in searches[-1]["properties"]

    result = check()
    assert result.exit_code == 0, result.output
    assert "ok      company property 'hs_ideal_customer_profile'" in result.output


def test_crm_check_names_what_is_missing(
    c: Container, hubspot: FakeHubSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, hubspot.token or "")
    status = {"field": "crm.lead.status", "op": "equals", "value": "new"}
    rules = [TIER_1, {"name": "Leads", "route": {"user": "rep2@acme.test"}, "when": status}]
    connection = {"url": hubspot.url, "access_token_env": TOKEN_ENV}
    mapping = {"write": {"utm_source": "lead_source"}}
    apply(c, {"provider": "hubspot", "mapping": mapping, "connection": connection}, *rules)
    result = check()
    assert result.exit_code == 1
    out = result.output
    assert "MISSING company property 'tier': routers[0].rules[0].when reads crm.company.tier" in out
    assert "MISSING lead property 'status'" in out
    assert "the CRM has no lead records" in out
    assert "MISSING contact property 'lead_source': crm.mapping.write.utm_source" in out
    assert "3 of 3 properties are missing in the CRM" in out


def test_crm_check_when_the_crm_cannot_be_asked(
    c: Container, hubspot: FakeHubSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, hubspot.token or "")
    apply(c, {"provider": "hubspot", "connection": {
        "url": hubspot.url, "access_token_env": TOKEN_ENV, "max_retries": 0}}, TIER_1)  # fmt: skip
    hubspot.then(500, {"message": "down"}, times=5)
    result = check()
    assert result.exit_code == 1
    assert "error: cannot ask the CRM" in result.output


def test_salesforce_queue_owner_stands_for_a_team_and_a_custom_owner_field(
    c: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "token-0")
    with FakeSalesforce() as sf:
        sf.add("Lead", Email="new@startup.test", OwnerId="00G000000000SDR")
        sf.add("Contact", Email="cto@bigco.test", OwnerId="005X", Account_Exec__c="OWN-3")
        rule = {
            "name": "SDR queue",
            "route": {"team": "SDR", "members": ["rep0@acme.test"]},
            "when": {"field": "crm.lead.owner_team", "op": "equals", "value": "SDR"},
        }
        mapping = {"queues": {"00G000000000SDR": "SDR"}, "owner_field": "Account_Exec__c"}
        apply(c, {"provider": "salesforce", "mapping": mapping,
                  "connection": {"url": sf.url, "access_token_env": TOKEN_ENV}},
              rule, ownership={"enabled": True, "match": ["contacts"]})  # fmt: skip
        assert routed(c, "cto@bigco.test") == (None, ("rep3@acme.test",), "owner")
        assert routed(c, "new@startup.test")[:2] == ("SDR queue", ("rep0@acme.test",))
        result = check()  # the org has the custom owner field on Contact only
        assert result.exit_code == 1
        assert (
            "ok      contact property 'Account_Exec__c': crm.mapping.owner_field" in result.output
        )
        assert "MISSING company property 'Account_Exec__c'" in result.output


def test_written_fields_reach_the_builtin_crm(c: Container) -> None:
    apply(c, {"mapping": {"write": {"phone": "phone", "utm_source": "source"}}})
    crm = c.wiring.crm.connector()
    fields = {"phone": "+1 555 0100", "utm_source": "ads", "secret": "x"}
    crm.upsert_person(Person("contact", "pat@example.test", fields=fields))
    (record,) = c.crm.people("contacts", email="pat@example.test", owner=None, after=0, limit=5)
    assert c.workspace.load().crm.contacts[0].properties == {"phone": "+1 555 0100",
                                                              "source": "ads"}  # fmt: skip
    assert record["email"] == "pat@example.test"
