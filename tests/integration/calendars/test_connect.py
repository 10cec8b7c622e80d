"""Connecting a rep's Google / Microsoft 365 calendar: the OAuth code flow with PKCE and a
single-use state, the refresh token sealed, who may connect whose calendar."""

from __future__ import annotations

import re

import httpx

from leadrail.app.workspace_edit import find_item
from tests.integration.calendars.conftest import ADMIN, REP, Env


def test_a_rep_connects_google_and_the_grant_is_kept_sealed(env: Env) -> None:
    r = env.connect("google")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/dashboard/me?flash=")
    grant = env.c.calendars.connections.connection(REP)
    assert grant is not None
    assert grant.provider == "google"
    assert grant.status == "connected"
    assert grant.refresh_sealed
    assert grant.refresh_sealed.startswith("v1.")
    assert not any(t in grant.refresh_sealed for t in env.cloud.state.refresh)  # never in clear
    _, user = find_item(env.c.workspace, "users", REP)
    assert user["calendar"] == {"provider": "google"}
    page = env.web.get(r.headers["location"]).text
    assert "Google calendar connected" in page
    assert 'data-state="ok"' in page


def test_the_authorisation_asks_narrow_scopes_with_pkce_and_offline_access(env: Env) -> None:
    csrf = env.as_user(REP)
    r = env.web.post("/dashboard/calendar/connect/google", data={"csrf": csrf},
                     follow_redirects=False)  # fmt: skip
    url = r.headers["location"]
    assert "code_challenge_method=S256" in url
    assert "access_type=offline" in url
    assert "calendar.freebusy" in url
    assert "calendar.events.owned" in url
    assert "auth%2Fcalendar+" not in url
    assert "auth%2Fcalendar&" not in url


def test_microsoft_connects_and_keeps_the_account_address(env: Env) -> None:
    assert env.connect("microsoft").status_code == 303
    grant = env.c.calendars.connections.connection(REP)
    assert grant is not None
    assert grant.account == "rep.cloud@contoso.test"


def test_a_state_is_used_once_and_only_by_who_started_it(env: Env) -> None:
    csrf = env.as_user(REP)
    r = env.web.post("/dashboard/calendar/connect/google", data={"csrf": csrf},
                     follow_redirects=False)  # fmt: skip
    allow = re.search(r"href='([^']+)'", httpx.get(r.headers["location"]).text)
    assert allow
    back = httpx.URL(allow.group(1))
    callback = f"{back.path}?{back.query.decode()}"
    env.as_user("rep1@acme.test")  # another account brings the code back
    refused = env.web.get(callback, follow_redirects=False)
    assert refused.status_code == 403
    env.as_user(REP)  # the state was spent by that attempt: no second use
    again = env.web.get(callback, follow_redirects=False)
    assert again.status_code == 422
    assert "unknown or expired" in again.text
    assert env.c.calendars.connections.connection(REP) is None


def test_a_forged_state_is_refused(env: Env) -> None:
    env.as_user(REP)
    r = env.web.get("/dashboard/calendar/oauth/google/callback?code=x&state=forged")
    assert r.status_code == 422
    assert "start again" in r.text


def test_a_rep_cannot_connect_someone_else_but_an_admin_can(env: Env) -> None:
    csrf = env.as_user(REP)
    form = {"csrf": csrf, "user": "rep1@acme.test"}
    r = env.web.post("/dashboard/calendar/connect/google", data=form, follow_redirects=False)
    assert r.status_code == 403
    assert env.connect("google", "rep1@acme.test", by=ADMIN).status_code == 303
    grant = env.c.calendars.connections.connection("rep1@acme.test")
    assert grant is not None
    assert grant.connected_by == ADMIN


def test_disconnect_goes_back_to_the_built_in_calendar(env: Env) -> None:
    env.connect("google")
    csrf = env.as_user(REP)
    r = env.web.post("/dashboard/calendar/disconnect", data={"csrf": csrf},
                     follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert env.c.calendars.connections.connection(REP) is None
    _, user = find_item(env.c.workspace, "users", REP)
    assert "calendar" not in user


def test_an_unconfigured_provider_says_which_setting_is_missing(env: Env) -> None:
    env.c.calendars.providers["google"].__dict__["client_id"] = None  # type: ignore[index]
    csrf = env.as_user(REP)
    r = env.web.post("/dashboard/calendar/connect/google", data={"csrf": csrf},
                     follow_redirects=False)  # fmt: skip
    assert r.status_code == 422
    assert "LEADRAIL_GOOGLE_CLIENT_ID" in r.text
