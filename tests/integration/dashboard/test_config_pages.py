"""Every configuration page: admins see it, reps get 403, anonymous users go to /login."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.support.dashboard import Dash, make_client

ADMIN_PAGES = [
    "/dashboard/users", "/dashboard/users/rep0@acme.test", "/dashboard/teams",
    "/dashboard/teams/SDR", "/dashboard/lists", "/dashboard/lists/target-accounts",
    "/dashboard/meeting-types", "/dashboard/meeting-types/intro", "/dashboard/categories",
    "/dashboard/categories/sales", "/dashboard/stores", "/dashboard/stores/Paris",
    "/dashboard/sites", "/dashboard/sites/www", "/dashboard/crm", "/dashboard/workspace",
    "/dashboard/workspace.yaml",
]  # fmt: skip
ADMIN_POSTS = [
    "/dashboard/users", "/dashboard/users/rep1@acme.test", "/dashboard/teams",
    "/dashboard/teams/SDR", "/dashboard/lists", "/dashboard/meeting-types/intro",
    "/dashboard/categories", "/dashboard/lead-settings", "/dashboard/stores/Paris",
    "/dashboard/sites", "/dashboard/crm", "/dashboard/workspace",
]  # fmt: skip


# what each page shows of the configuration screens' workspace: its heading and an item
SHOWN = {
    "/dashboard/users": ("Users", "rep1@acme.test"),
    "/dashboard/users/rep0@acme.test": ("User rep0@acme.test", "09:00-17:00"),
    "/dashboard/teams": ("Teams", ">AE<"),
    "/dashboard/teams/SDR": ("Team SDR", "rep2@acme.test"),
    "/dashboard/lists": ("Lists", "target-accounts"),
    "/dashboard/lists/target-accounts": ("List target-accounts", "bigco.test"),
    "/dashboard/meeting-types": ("Meeting types", "intro"),
    "/dashboard/meeting-types/intro": ("Meeting type intro", 'value="30"'),
    "/dashboard/categories": ("Lead categories", "sales"),
    "/dashboard/categories/sales": ("Category sales", "s@acme.test"),
    "/dashboard/stores": ("Stores", "Paris"),
    "/dashboard/stores/Paris": ("Store Paris", "48.85"),
    "/dashboard/sites": ("Sites", "k" * 20),
    "/dashboard/sites/www": ("Site www", "k" * 20),
    "/dashboard/crm": ("CRM connection", "HubSpot"),
    "/dashboard/workspace": ("Workspace YAML", "workspace.yaml"),
}


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_sees_every_page(dash: Dash, url: str) -> None:
    r = dash.client.get(url)
    assert r.status_code == 200, r.text
    if url == "/dashboard/workspace.yaml":
        assert yaml.safe_load(r.text)["lists"][0]["name"] == "target-accounts"
        return
    heading, item = SHOWN[url]
    assert re.search(rf"<h1[^>]*>{re.escape(heading)}</h1>", r.text), heading
    assert item in r.text


def test_missing_items_are_404(dash: Dash) -> None:
    assert dash.client.get("/dashboard/users/nobody@acme.test").status_code == 404
    assert dash.client.get("/dashboard/teams/Nope").status_code == 404
    r = dash.post("/dashboard/stores/Nowhere", {"name": "x"})
    assert r.status_code == 404


def test_rep_gets_403_on_every_admin_page_and_post(rep_dash: Dash) -> None:
    before = rep_dash.export()
    for url in ADMIN_PAGES:
        assert rep_dash.client.get(url).status_code == 403, url
    for url in ADMIN_POSTS:
        r = rep_dash.post(url, {"name": "Hacked", "email": "x@acme.test", "credits": "9"})
        assert r.status_code == 403, url
    assert rep_dash.export() == before
    mine = rep_dash.client.get("/dashboard/me")
    assert mine.status_code == 200
    assert re.search(r"<h1[^>]*>My settings</h1>", mine.text)


def test_anonymous_goes_to_login(dash: Dash) -> None:
    anon = make_client(dash.c)
    for url in [*ADMIN_PAGES, "/dashboard/me"]:
        r = anon.get(url)
        assert r.status_code in (302, 303, 307), url
        assert r.headers["location"].startswith("/login"), url
