"""The CRM page shows the field mapping and saves it (with the connection); a line it cannot
read or a bad property name is refused naming the field, nothing written."""

from __future__ import annotations

from tests.support.dashboard import Dash

FORM = {
    "provider": "hubspot",
    "connection.url": "https://api.hubapi.test",
    "connection.access_token_env": "LEADRAIL_CRED_HUBSPOT",
    "mapping.read.company": "tier = hs_ideal_customer_profile\n\nindustry = industry",
    "mapping.read.contact": "lifecycle = lifecyclestage",
    "mapping.write": "phone = phone",
    "mapping.owner_field": "account_exec",
    "mapping.company_domains": "hs_additional_domains",
    "mapping.queues": "00G000000000SDR = SDR",
}


def test_the_mapping_is_saved_and_shown(dash: Dash) -> None:  # noqa: F811
    assert dash.post("/dashboard/crm", FORM).status_code == 303
    mapping = dash.export()["crm"]["mapping"]
    assert mapping == {
        "read": {"contact": {"lifecycle": "lifecyclestage"},
                 "company": {"tier": "hs_ideal_customer_profile", "industry": "industry"}},
        "write": {"phone": "phone"}, "owner_field": "account_exec",
        "company_domains": ["hs_additional_domains"], "queues": {"00G000000000SDR": "SDR"},
    }  # fmt: skip
    page = dash.client.get("/dashboard/crm").text
    assert "tier = hs_ideal_customer_profile\nindustry = industry</textarea>" in page
    assert 'value="account_exec"' in page
    # saving the connection again keeps the mapping (the same form carries it)
    assert dash.post("/dashboard/crm", FORM).status_code == 303
    assert dash.export()["crm"]["mapping"] == mapping


def test_bad_lines_and_names_are_refused(dash: Dash) -> None:  # noqa: F811
    before = dash.export().get("crm")
    r = dash.post("/dashboard/crm", {**FORM, "mapping.write": "phone phone"})
    assert r.status_code == 422
    assert 'id="f-mapping-write-err"' in r.text
    assert "line 1: write it as name = property" in r.text
    assert "phone phone</textarea>" in r.text  # the input is kept
    r = dash.post("/dashboard/crm", {**FORM, "mapping.read.company": "tier = bad-name"})
    assert r.status_code == 422
    assert 'id="f-mapping-read-company-err"' in r.text
    assert dash.export().get("crm") == before
