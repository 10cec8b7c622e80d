"""The routers list and one router's settings: every setting saved and read back, bad input
refused with the field marked and the input kept, CSRF and roles."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.dashboard import router_support as support
from tests.support.dashboard import Dash


@pytest.fixture
def dash_setup() -> tuple[dict[str, Any], Any]:
    return support.router_setup()


URL = "/dashboard/routers/inbound"


def full_form(**over: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "slug": "inbound", "title": "Talk to sales", "timezone": "Europe/Paris",
        "meeting_type": "intro", "redirect_url": "https://acme.test/thanks?x=1",
        "default_guests": "boss@acme.test, vp@acme.test", "display_notes": "on",
        "strip_emails": "on", "reset": "weekly", "memory_hours": "12",
        "ownership.enabled": "on", "ownership.match": ["contacts", "leads"],
        "ownership.exact_match": "on",
        "default.kind": "team", "default.team": "SDR",
        "default.members": "rep0@acme.test, rep1@acme.test", "default.round_robin": "flexible",
        "crm.create_or_update": "on", "crm.record_type": "lead", "crm.set_owner": "on",
        "crm.create_meeting": "on",
    }  # fmt: skip
    form.update(over)
    return {k: v for k, v in form.items() if v is not None}


def test_every_setting_is_saved_and_read_back(dash: Dash) -> None:
    r = dash.post(URL, full_form())
    assert r.status_code == 303, r.text
    saved = dash.router()
    assert saved["title"] == "Talk to sales"
    assert saved["timezone"] == "Europe/Paris"
    assert saved["meeting_type"] == "intro"
    assert saved["redirect_url"] == "https://acme.test/thanks?x=1"
    assert saved["default_guests"] == ["boss@acme.test", "vp@acme.test"]
    assert saved["display_notes"] is True
    assert saved["strip_emails"] is True
    assert saved["reset"] == "weekly"
    assert saved["memory_hours"] == 12
    assert saved["vacation_compensation"] is False  # unchecked box
    assert saved["ownership"]["enabled"] is True
    assert saved["ownership"]["match"] == ["contacts", "leads"]
    assert saved["ownership"]["exact_match"] is True
    assert saved["default"] == {
        "team": "SDR", "members": ["rep0@acme.test", "rep1@acme.test"],
        "round_robin": "flexible", "weighted": False,
    }  # fmt: skip
    assert saved["crm"] == {"create_or_update": True, "record_type": "lead",
                            "set_owner": True, "create_meeting": True}  # fmt: skip
    assert [rule["name"] for rule in saved["rules"]] == ["Big accounts", "France"]  # kept
    page = dash.client.get(URL).text
    assert 'value="Europe/Paris"' in page
    assert '<option value="weekly" selected>' in page
    assert 'value="boss@acme.test, vp@acme.test"' in page
    assert re.search(r'name="ownership.match" value="leads" checked', page)
    assert not re.search(r'name="ownership.match" value="companies" checked', page)


def test_other_routes_one_user_broadcast_category(dash: Dash) -> None:
    for extra, want in [
        ({"default.kind": "user", "default.user": "rep3@acme.test"}, {"user": "rep3@acme.test"}),
        ({"default.kind": "broadcast", "default.broadcast": "rep1@acme.test rep2@acme.test"},
         {"broadcast": ["rep1@acme.test", "rep2@acme.test"]}),
        ({"default.kind": "category", "default.category": "sales"}, {"category": "sales"}),
    ]:  # fmt: skip
        r = dash.post(URL, {"slug": "inbound", "title": "Inbound", "vacation_compensation": "on",
                            "memory_hours": "2", **extra})  # fmt: skip
        assert r.status_code == 303, r.text
        assert {k: v for k, v in dash.router()["default"].items() if v} == want
    assert dash.router().get("vacation_compensation", True) is True  # defaults left out


def test_bad_input_is_refused_marked_and_kept(dash: Dash) -> None:
    before = dash.router()
    form = full_form(timezone="Mars/Olympus", memory_hours="lots", **{"default.team": "Nope"})
    form["title"] = '<script>alert("x")</script>'
    r = dash.post(URL, form)
    assert r.status_code == 422
    page = r.text
    assert re.search(r'id="f-timezone" name="timezone" type="text" value="Mars/Olympus" '
                     r'aria-invalid="true"', page)  # fmt: skip
    assert "unknown timezone &#39;Mars/Olympus&#39;" in page
    assert re.search(r'name="memory_hours"[^>]*value="lots"[^>]*aria-invalid="true"', page)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page  # kept, escaped
    assert "<script>alert" not in page
    assert 'value="boss@acme.test, vp@acme.test"' in page  # the rest of the input kept
    assert dash.router() == before  # nothing written


def test_csrf_is_required(dash: Dash) -> None:
    r = dash.client.post(URL, data={**full_form(), "csrf": "wrong"})
    assert r.status_code == 403
    assert dash.router()["title"] == "Inbound"


def test_a_rep_gets_403_everywhere(rep_dash: Dash) -> None:
    for path in ("", "/inbound", "/inbound/rules", "/inbound/links", "/inbound/test"):
        assert rep_dash.client.get(f"/dashboard/routers{path}").status_code == 403
    r = rep_dash.post(URL, full_form())
    assert r.status_code == 403
    assert rep_dash.router()["title"] == "Inbound"


def test_anonymous_is_sent_to_login(dash: Dash) -> None:
    dash.client.cookies.clear()
    r = dash.client.get(URL)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


def test_create_rename_and_delete(dash: Dash) -> None:
    r = dash.post("/dashboard/routers", {"slug": "emea", "title": "EMEA",
                                          "default.kind": "user",
                                          "default.user": "rep1@acme.test"})  # fmt: skip
    assert r.status_code == 303
    assert dash.router("emea")["default"] == {"user": "rep1@acme.test"}
    assert "EMEA" in dash.client.get("/dashboard/routers").text
    r = dash.post(
        "/dashboard/routers",
        {"slug": "emea", "title": "Again", "default.kind": "team", "default.team": "SDR"},
    )
    assert r.status_code == 422
    assert "exists already" in r.text
    assert 'value="Again"' in r.text
    r = dash.post(
        "/dashboard/routers",
        {"slug": "Bad Slug", "title": "X", "default.kind": "team", "default.team": "SDR"},
    )
    assert r.status_code == 422
    assert re.search(r'name="slug"[^>]*value="Bad Slug"[^>]*aria-invalid="true"', r.text)
    r = dash.post("/dashboard/routers/emea/delete", {})
    assert r.status_code == 303
    assert "emea" not in dash.client.get("/dashboard/routers").text
    assert dash.client.get("/dashboard/routers/emea").status_code == 404


def test_settings_the_form_does_not_show_are_kept(dash: Dash) -> None:
    from leadrail.app.workspace_edit import put_item

    item = dash.router()
    item["ownership"] = {"enabled": True, "match": ["companies"]}
    put_item(dash.c.workspace, "routers", "inbound", item)
    r = dash.post(URL, full_form(**{"ownership.match": ["companies"]}))
    assert r.status_code == 303
    assert dash.router()["rules"][0]["name"] == "Big accounts"
    assert dash.router()["ownership"]["match"] == ["companies"]
