"""Deleting an item something still refers to is refused, in the dashboard and the API, with
the referrers named by slug and rule name (never ``routers[5]``); renaming one says the same."""

from __future__ import annotations

from typing import Any

import pytest

from leadrail.app.apply import apply_workspace
from tests.support.dashboard import Dash

ENTERPRISE = "router 'q2-enterprise' (rule 'Enterprise')"
SERVICE = "router 'service' (default route)"
# (dashboard and API path, the key, who still uses it)
IN_USE = [
    ("teams", "AE", [ENTERPRISE]),
    ("lists", "target-accounts", [ENTERPRISE]),
    ("meeting-types", "intro", ["router 'q2-enterprise'"]),
    ("categories", "sales", [SERVICE, "site 'www' (live chat)"]),
    ("stores", "Paris", [SERVICE]),
    ("routers", "service", ["site 'www'"]),
]


@pytest.fixture
def used(dash: Dash) -> Dash:
    """The configuration screens' workspace, with routers and a site that use its items."""
    apply_workspace(
        dash.c.workspace,
        {
            "routers": [
                *dash.export()["routers"],
                {"slug": "q2-enterprise", "title": "Q2", "meeting_type": "intro",
                 "rules": [{"name": "Enterprise",
                            "when": {"field": "domain", "op": "in_list",
                                     "value": "target-accounts"},
                            "route": {"team": "AE"}}],
                 "default": {"team": "SDR"}},
                {"slug": "service", "title": "Service",
                 "default": {"category": "sales", "store": "Paris"}},
            ],
            "sites": [{"name": "www", "key": "k" * 20, "router": "service",
                       "live": {"chat": {"router": "inbound", "message_category": "sales"}}}],
        },
    )  # fmt: skip
    return dash


def token(d: Dash) -> dict[str, str]:
    return {"Authorization": f"Bearer {d.c.tokens.create_token('admin@acme.test', 't')}"}


@pytest.mark.parametrize(("url", "key", "owners"), IN_USE)
def test_the_api_names_who_uses_it(used: Dash, url: str, key: str, owners: list[str]) -> None:
    before = used.export()
    r = used.client.delete(f"/api/v1/{url}/{key}", headers=token(used))
    assert r.status_code == 409, r.text
    error: dict[str, Any] = r.json()["error"]
    assert error["code"] == "in_use"
    for owner in owners:
        assert owner in error["message"]
    assert "routers[" not in error["message"]
    assert "sites[" not in error["message"]
    assert [p["where"] for p in error["problems"]] == owners
    assert all(p["field"].startswith(("routers[", "sites[")) for p in error["problems"])
    assert used.export() == before


@pytest.mark.parametrize(("url", "key", "owners"), IN_USE)
def test_the_dashboard_names_who_uses_it(used: Dash, url: str, key: str, owners: list[str]) -> None:
    before = used.export()
    if url == "routers":
        r = used.post(f"/dashboard/routers/{key}/delete", {})
    else:
        r = used.post(f"/dashboard/{url}/{key}", {"_action": "delete"})
    assert r.status_code == 409, r.text
    text = r.text.replace("&#39;", "'")
    for owner in owners:
        assert owner in text
    assert "routers[" not in text
    assert "sites[" not in text
    assert used.export() == before


def test_an_unused_item_is_deleted(used: Dash) -> None:
    spare = {"name": "spare", "values": ["x.test"]}
    apply_workspace(used.c.workspace, {"lists": [*used.export()["lists"], spare]})
    r = used.client.delete("/api/v1/lists/spare", headers=token(used))
    assert r.status_code == 200
    assert r.json()["deleted"] == "spare"


def test_renaming_an_item_in_use_names_who_uses_it(used: Dash) -> None:
    form = {"name": "Account Executives", "members[0].user": "rep1@acme.test",
            "members[0].weight": "2"}  # fmt: skip
    r = used.post("/dashboard/teams/AE", form)
    assert r.status_code == 422
    text = r.text.replace("&#39;", "'")
    assert f"{ENTERPRISE}: unknown team 'AE'" in text
    assert "routers[" not in text
    r = used.client.put("/api/v1/teams/AE", headers=token(used), json={"name": "AEs"})
    assert r.status_code == 422
    problem = r.json()["error"]["problems"][0]
    assert problem["where"] == ENTERPRISE
    assert problem["message"].startswith("unknown team 'AE'")


def test_a_deactivated_user_is_told_who_still_names_them(used: Dash) -> None:
    r = used.client.delete("/api/v1/users/rep1@acme.test", headers=token(used))
    assert r.status_code == 200
    assert r.json()["still_named_by"] == ["team 'SDR'", "team 'AE'"]
    r = used.post("/dashboard/users/rep2@acme.test", {"_action": "delete"})
    assert r.status_code == 303
    page = used.client.get(r.headers["location"]).text.replace("&#39;", "'")
    assert "rep2@acme.test deactivated (still named by team 'SDR'" in page


def test_a_blank_comparison_is_refused_by_the_api_too(used: Dash) -> None:
    router = used.item("routers", "q2-enterprise")
    router["rules"][0]["when"] = {"field": "country", "op": "equals", "value": ""}
    r = used.client.put("/api/v1/routers/q2-enterprise", headers=token(used), json=router)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "rules[0].when.value"
