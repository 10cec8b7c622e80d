"""Users (admins) and /dashboard/me (a rep's own availability)."""

from __future__ import annotations

from typing import Any

from leadrail.app.workspace_edit import put_item
from tests.support.dashboard import ADMIN, REP, Dash

FULL: dict[str, Any] = {
    "name": "Rep One", "timezone": "Europe/Paris", "crm_owner_id": "OWN-9", "credits": "3",
    "active": "on", "hours[0].days": "mon-thu", "hours[0].hours": "08:00-12:00,13:00-16:00",
    "hours[1].days": "fri", "hours[1].hours": "09:00-12:00",
    "vacations[0].from": "2026-12-24", "vacations[0].to": "2026-12-31",
    "calendar.provider": "caldav", "calendar.url": "https://cal.acme.test/rep1/",
    "calendar.username": "rep1", "calendar.password_env": "LEADRAIL_CRED_REP1",
    "team_weight.0": "3", "team_weight.1": "",
}  # fmt: skip


def test_admin_saves_every_field_of_a_user(dash: Dash) -> None:
    r = dash.post("/dashboard/users/rep1@acme.test", FULL)
    assert r.status_code == 303, r.text
    u = dash.item("users", "rep1@acme.test")
    assert u["name"] == "Rep One"
    assert u["timezone"] == "Europe/Paris"
    assert u["working_hours"] == {"mon-thu": "08:00-12:00,13:00-16:00", "fri": "09:00-12:00"}
    assert u["vacations"] == [{"from": "2026-12-24", "to": "2026-12-31"}]
    assert u["credits"] == 3
    assert u["crm_owner_id"] == "OWN-9"
    assert u["calendar"] == {"provider": "caldav", "url": "https://cal.acme.test/rep1/",
                             "username": "rep1", "password_env": "LEADRAIL_CRED_REP1"}  # fmt: skip
    teams = {t["name"]: t for t in dash.export()["teams"]}
    assert {"user": "rep1@acme.test", "weight": 3} in teams["SDR"]["members"]
    assert all(m["user"] != "rep1@acme.test" for m in teams["AE"].get("members", []))
    page = dash.client.get("/dashboard/users/rep1@acme.test").text
    assert 'value="LEADRAIL_CRED_REP1"' in page
    assert 'value="mon-thu"' in page


def test_vacations_are_removed_and_user_deactivated(dash: Dash) -> None:
    dash.post("/dashboard/users/rep1@acme.test", FULL)
    form = {**FULL, "vacations[0].remove": "on"}
    assert dash.post("/dashboard/users/rep1@acme.test", form).status_code == 303
    assert "vacations" not in dash.item("users", "rep1@acme.test")
    r = dash.post("/dashboard/users/rep1@acme.test", {"_action": "delete"})
    assert r.status_code == 303
    assert dash.item("users", "rep1@acme.test")["active"] is False


def test_invalid_user_is_refused_with_fields_marked_and_input_kept(dash: Dash) -> None:
    before = dash.export()
    form = {**FULL, "timezone": "Mars/Olympus", "credits": "-2", "vacations[0].to": "2026-12-01",
            "team_weight.1": "heavy", "calendar.password_env": "my secret"}  # fmt: skip
    r = dash.post("/dashboard/users/rep1@acme.test", form)
    assert r.status_code == 422
    html = r.text
    for field in ("timezone", "credits", "calendar-password_env", "team_weight-1"):
        assert f'id="f-{field}" name=' in html
        assert f'id="f-{field}-err"' in html, field
    assert 'value="Mars/Olympus"' in html
    assert 'value="heavy"' in html
    assert 'value="Rep One"' in html  # the rest of the input is kept
    assert "before" in html
    assert "aria-invalid" in html
    assert dash.export() == before


def test_new_user_is_created_and_duplicates_refused(dash: Dash) -> None:
    r = dash.post("/dashboard/users", {"email": "New@Acme.test", "name": "New", "active": "on",
                                        "team_weight.1": "2"})  # fmt: skip
    assert r.status_code == 303
    assert dash.item("users", "new@acme.test")["name"] == "New"
    ae = next(t for t in dash.export()["teams"] if t["name"] == "AE")
    assert {"user": "new@acme.test", "weight": 2} in ae["members"]
    r = dash.post("/dashboard/users", {"email": "new@acme.test", "name": "Again"})
    assert r.status_code == 422
    assert 'id="f-email-err"' in r.text
    assert dash.item("users", "new@acme.test")["name"] == "New"


def test_missing_csrf_is_403_and_nothing_written(dash: Dash) -> None:
    before = dash.export()
    r = dash.client.post("/dashboard/users/rep1@acme.test", data=FULL)
    assert r.status_code == 403
    r = dash.client.post("/dashboard/me", data={"timezone": "Europe/Paris"})
    assert r.status_code == 403
    assert dash.export() == before


def test_rep_edits_only_their_own_availability(rep_dash: Dash) -> None:
    other = rep_dash.item("users", "rep1@acme.test")
    me = rep_dash.item("users", REP)
    form = {**FULL, "email": "rep1@acme.test", "admin": "on", "credits": "99", "name": "Boss",
            "team_weight.0": "50", "crm_owner_id": "X"}  # fmt: skip
    r = rep_dash.post("/dashboard/me", form)
    assert r.status_code == 303, r.text
    mine = rep_dash.item("users", REP)
    assert mine["timezone"] == "Europe/Paris"
    assert mine["vacations"] == [{"from": "2026-12-24", "to": "2026-12-31"}]
    assert mine["calendar"] == {"provider": "caldav", "url": "https://cal.acme.test/rep1/",
                                "username": "rep1"}  # a rep never names a variable  # fmt: skip
    assert mine.get("credits", 0) == me.get("credits", 0)
    assert not mine.get("admin")
    assert mine["name"] == me["name"]
    assert mine["crm_owner_id"] == me["crm_owner_id"]
    assert rep_dash.item("users", "rep1@acme.test") == other
    sdr = next(t for t in rep_dash.export()["teams"] if t["name"] == "SDR")
    assert {"user": REP} in sdr["members"]  # weight unchanged (the default, 1)
    assert rep_dash.post("/dashboard/users/rep1@acme.test", form).status_code == 403


def test_me_refuses_bad_hours_keeping_input(rep_dash: Dash) -> None:
    before = rep_dash.export()
    form = {"timezone": "Europe/Paris", "hours[0].days": "mon-fri", "hours[0].hours": "9 to 5"}
    r = rep_dash.post("/dashboard/me", form)
    assert r.status_code == 422
    assert 'aria-invalid="true"' in r.text
    assert 'value="9 to 5"' in r.text
    assert 'value="Europe/Paris"' in r.text
    assert rep_dash.export() == before


def test_stored_script_in_a_user_name_is_escaped(dash: Dash) -> None:
    evil = "<script>alert(1)</script>"
    item = dash.item("users", "rep1@acme.test")
    put_item(dash.c.workspace, "users", "rep1@acme.test", {**item, "name": evil})
    put_item(dash.c.workspace, "users", ADMIN, {**dash.item("users", ADMIN), "name": evil})
    for url in ("/dashboard/users", "/dashboard/users/rep1@acme.test", "/dashboard/me"):
        html = dash.client.get(url).text
        assert evil not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_admin_flag_is_granted_and_shown_locked(dash: Dash) -> None:
    r = dash.post("/dashboard/users/rep2@acme.test", {"name": "Rep 2", "active": "on",
                                                      "admin": "on"})  # fmt: skip
    assert r.status_code == 303
    assert dash.item("users", "rep2@acme.test")["admin"] is True
    page = dash.client.get("/dashboard/users/rep2@acme.test").text
    assert 'name="admin" checked disabled' in page
    dash.post("/dashboard/users/rep2@acme.test", {"name": "Rep 2", "active": "on"})
    assert dash.item("users", "rep2@acme.test")["admin"] is True  # never taken away
