"""Teams, lists, meeting types, categories, stores and sites: saves, refusals, escaping."""

from __future__ import annotations

from leadrail.app.workspace_edit import put_item
from tests.support.dashboard import Dash

EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_team_members_and_weights(dash: Dash) -> None:
    form = {"name": "SDR", "members[0].user": "rep0@acme.test", "members[0].weight": "5",
            "members[1].user": "rep1@acme.test", "members[1].weight": "1",
            "members[1].remove": "on", "members[2].user": "rep2@acme.test",
            "members[2].weight": "0", "members[3].user": "admin@acme.test",
            "members[3].weight": "2"}  # fmt: skip
    r = dash.post("/dashboard/teams/SDR", form)
    assert r.status_code == 303, r.text
    members = dash.item("teams", "SDR")["members"]
    assert members == [{"user": "rep0@acme.test", "weight": 5},
                       {"user": "rep2@acme.test", "weight": 0},
                       {"user": "admin@acme.test", "weight": 2}]  # fmt: skip


def test_team_with_unknown_member_is_refused(dash: Dash) -> None:
    before = dash.export()
    form = {"name": "SDR", "members[0].user": "ghost@acme.test", "members[0].weight": "-1"}
    r = dash.post("/dashboard/teams/SDR", form)
    assert r.status_code == 422
    assert 'id="f-members-0-weight-err"' in r.text
    assert 'value="-1"' in r.text
    assert "ghost@acme.test" in r.text
    assert dash.export() == before


def test_new_team_and_delete(dash: Dash) -> None:
    r = dash.post("/dashboard/teams", {"name": "Closers", "members[0].user": "rep2@acme.test",
                                        "members[0].weight": "4"})  # fmt: skip
    assert r.status_code == 303
    assert dash.item("teams", "Closers")["members"] == [{"user": "rep2@acme.test", "weight": 4}]
    assert dash.post("/dashboard/teams/Closers", {"_action": "delete"}).status_code == 303
    assert all(t["name"] != "Closers" for t in dash.export()["teams"])
    r = dash.post("/dashboard/teams/SDR", {"_action": "delete"})  # the router uses it
    assert r.status_code == 409
    assert "routers" in r.text
    assert any(t["name"] == "SDR" for t in dash.export()["teams"])


def test_list_values_one_per_line(dash: Dash) -> None:
    form = {"name": "target-accounts", "values": "BigCo.test\n\n  acme.test \n"}
    r = dash.post("/dashboard/lists/target-accounts", form)
    assert r.status_code == 303
    assert dash.item("lists", "target-accounts")["values"] == ["bigco.test", "acme.test"]
    r = dash.post("/dashboard/lists", {"name": "bad name!", "values": "x.test"})
    assert r.status_code == 422
    assert 'id="f-name-err"' in r.text
    assert "bad name!" in r.text


def test_meeting_type_every_field(dash: Dash) -> None:
    form = {"slug": "demo", "name": "Demo", "duration_minutes": "45",
            "slot_interval_minutes": "15", "buffer_before_minutes": "5",
            "buffer_after_minutes": "10", "minimum_notice_minutes": "120", "horizon_days": "14",
            "location": "https://meet.acme.test/demo"}  # fmt: skip
    assert dash.post("/dashboard/meeting-types", form).status_code == 303
    assert dash.item("meeting_types", "demo") == {**form, "duration_minutes": 45,
        "slot_interval_minutes": 15, "buffer_before_minutes": 5, "buffer_after_minutes": 10,
        "minimum_notice_minutes": 120, "horizon_days": 14}  # fmt: skip
    before = dash.export()
    r = dash.post("/dashboard/meeting-types/demo", {**form, "duration_minutes": "2"})
    assert r.status_code == 422
    assert 'id="f-duration_minutes-err"' in r.text
    assert 'value="2"' in r.text
    assert 'value="https://meet.acme.test/demo"' in r.text
    assert dash.export() == before


def test_category_destinations_and_formats(dash: Dash) -> None:
    form = {"name": "sales", "destinations[0].address": "crm@dealer.test",
            "destinations[0].format": "adf", "destinations[0].attach_xml": "on",
            "destinations[1].address": "https://hooks.acme.test/lead",
            "destinations[1].format": "json",
            "destinations[1].secret_env": "LEADRAIL_CRED_HOOK"}  # fmt: skip
    assert dash.post("/dashboard/categories/sales", form).status_code == 303
    assert dash.item("categories", "sales")["destinations"] == [
        {"address": "crm@dealer.test", "attach_xml": True},
        {
            "address": "https://hooks.acme.test/lead",
            "format": "json",
            "secret_env": "LEADRAIL_CRED_HOOK",
        },
    ]
    before = dash.export()
    bad = {**form, "destinations[1].address": "not a url"}
    r = dash.post("/dashboard/categories/sales", bad)
    assert r.status_code == 422
    assert 'value="not a url"' in r.text
    assert 'id="f-destinations-1-err"' in r.text or 'id="f-destinations-1-address-err"' in r.text
    assert dash.export() == before


def test_fallback_and_nearest_store_settings(dash: Dash) -> None:
    form = {"fallback_destination.address": "https://hooks.acme.test/all",
            "fallback_destination.format": "json",
            "fallback_destination.secret_env": "LEADRAIL_CRED_FALLBACK",
            "nearest_store_routing": "on", "nearest_store_max_km": "80"}  # fmt: skip
    assert dash.post("/dashboard/lead-settings", form).status_code == 303
    ws = dash.export()
    assert ws["fallback_destination"] == {
        "address": "https://hooks.acme.test/all",
        "format": "json",
        "secret_env": "LEADRAIL_CRED_FALLBACK",
    }
    assert ws["nearest_store_routing"] is True
    assert ws["nearest_store_max_km"] == 80
    r = dash.post(
        "/dashboard/lead-settings",
        {**form, "nearest_store_max_km": "-5", "fallback_destination.secret_env": "lower"},
    )
    assert r.status_code == 422
    assert 'id="f-nearest_store_max_km-err"' in r.text
    assert 'value="-5"' in r.text
    assert 'id="f-fallback_destination-secret_env-err"' in r.text
    assert dash.export() == ws


def test_store_with_per_category_destinations(dash: Dash) -> None:
    form = {"name": "Lyon", "latitude": "45.76", "longitude": "4.84", "postal_code": "69001",
            "dest[0].category": "sales", "dest[0].address": "lyon@acme.test",
            "dest[0].format": "text"}  # fmt: skip
    assert dash.post("/dashboard/stores", form).status_code == 303
    assert dash.item("stores", "Lyon") == {
        "name": "Lyon",
        "latitude": 45.76,
        "longitude": 4.84,
        "postal_code": "69001",
        "categories": {"sales": [{"address": "lyon@acme.test", "format": "text"}]},
    }
    page = dash.client.get("/dashboard/stores").text
    assert "<svg" in page
    assert page.count("<circle") == 2
    before = dash.export()
    r = dash.post("/dashboard/stores/Lyon", {**form, "latitude": "123", "dest[0].category": "nope"})
    assert r.status_code == 422
    assert 'id="f-latitude-err"' in r.text
    assert 'value="123"' in r.text
    assert dash.export() == before


def test_site_with_generated_key_and_router(dash: Dash) -> None:
    form = {"name": "shop", "key": "", "generate": "on", "router": "inbound",
            "thank_you_url": "https://shop.acme.test/thanks"}  # fmt: skip
    assert dash.post("/dashboard/sites", form).status_code == 303
    site = dash.item("sites", "shop")
    assert len(site["key"]) >= 16
    assert site["router"] == "inbound"
    assert site["thank_you_url"] == "https://shop.acme.test/thanks"
    before = dash.export()
    r = dash.post(
        "/dashboard/sites/shop",
        {**form, "generate": "", "key": "short", "thank_you_url": "javascript:alert(1)"},
    )
    assert r.status_code == 422
    assert 'id="f-key-err"' in r.text
    assert 'id="f-thank_you_url-err"' in r.text
    assert 'value="short"' in r.text
    assert dash.export() == before


def test_crm_connection_secrets_as_env_names(dash: Dash) -> None:
    form = {
        "provider": "hubspot",
        "connection.url": "https://api.hubapi.test",
        "connection.access_token_env": "LEADRAIL_CRED_HUBSPOT",
        "connection.max_retries": "3",
    }
    assert dash.post("/dashboard/crm", form).status_code == 303
    crm = dash.export()["crm"]
    assert crm["provider"] == "hubspot"
    assert crm["connection"]["access_token_env"] == "LEADRAIL_CRED_HUBSPOT"
    assert crm["connection"]["max_retries"] == 3
    r = dash.post("/dashboard/crm", {**form, "connection.access_token_env": "pat-na1-secret"})
    assert r.status_code == 422
    assert 'id="f-connection-access_token_env-err"' in r.text
    assert dash.export()["crm"] == crm


def test_stored_script_names_are_escaped_everywhere(dash: Dash) -> None:
    s = dash.c.workspace
    put_item(s, "teams", None, {"name": EVIL, "members": ["rep2@acme.test"]})
    put_item(s, "stores", "Paris", {**dash.item("stores", "Paris"), "name": EVIL})
    put_item(s, "sites", "www", {**dash.item("sites", "www"), "name": EVIL})
    put_item(s, "categories", None, {"name": EVIL})
    for url in ("/dashboard/teams", "/dashboard/users", "/dashboard/users/rep2@acme.test",
                "/dashboard/stores", "/dashboard/sites", "/dashboard/categories",
                "/dashboard/stores/" + EVIL.replace("/", "%2F")):  # fmt: skip
        html = dash.client.get(url).text
        assert EVIL not in html, url
        assert ESCAPED in html, url


def test_site_live_routing_fields_round_trip(dash: Dash) -> None:
    from leadrail.app.workspace import SiteDoc

    if "live" not in SiteDoc.model_fields:
        return  # no live routing in this build
    live = "chat:\n  router: inbound\n  countdown_seconds: 20\n"
    form = {"name": "www", "key": "k" * 20, "extra.origins": "https://www.acme.test",
            "extra.live": live}  # fmt: skip
    r = dash.post("/dashboard/sites/www", form)
    assert r.status_code == 303, r.text
    site = dash.item("sites", "www")
    assert site["origins"] == ["https://www.acme.test"]
    assert site["live"] == {"chat": {"router": "inbound", "countdown_seconds": 20}}
    assert "countdown_seconds: 20" in dash.client.get("/dashboard/sites/www").text
    before = dash.export()
    r = dash.post("/dashboard/sites/www", {**form, "extra.live": "chat: {router: nope"})
    assert r.status_code == 422
    assert "not valid YAML" in r.text
    assert 'id="f-extra-live-err"' in r.text
    assert "chat: {router: nope" in r.text
    r = dash.post("/dashboard/sites/www", {**form, "extra.live": "chat:\n  router: ghost\n"})
    assert r.status_code == 422
    assert 'id="f-extra-live-err"' in r.text
    assert dash.export() == before


def test_several_members_join_a_team_at_once(dash: Dash) -> None:
    page = dash.client.get("/dashboard/teams/AE")
    assert 'name="add_members" multiple' in page.text
    r = dash.client.post(
        "/dashboard/teams/AE",
        data={"csrf": dash.csrf, "name": "AE", "members[0].user": "rep1@acme.test",
              "members[0].weight": "2", "add_members": ["rep0@acme.test", "rep2@acme.test"]},
    )  # fmt: skip
    assert r.status_code == 303, r.text
    members = dash.item("teams", "AE")["members"]
    assert [(m["user"], m.get("weight", 1)) for m in members] == [
        ("rep1@acme.test", 2), ("rep0@acme.test", 1), ("rep2@acme.test", 1)]  # fmt: skip
