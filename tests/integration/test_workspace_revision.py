"""Two admins editing at once: a save made from a read that someone else's save has
overtaken is refused (409 ``stale``) and writes nothing, through the use cases, the API
(``ETag`` / ``If-Match``) and the dashboard (the forms' hidden revision). A save that names
no revision (the CLI, scripts) never puts back what someone else saved in between."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace, export_workspace, read_workspace
from leadrail.app.errors import Stale
from leadrail.app.ports import WorkspaceRepo
from leadrail.app.workspace import WorkspaceDoc
from leadrail.app.workspace_edit import delete_item, put_item
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.factories import workspace
from tests.support.dashboard import login, make_account

ADMIN, OTHER = "admin@acme.test", "other@acme.test"
LIST = {"name": "target-accounts", "values": ["bigco.test"]}


@pytest.fixture
def c(db_url: str) -> Iterator[Container]:
    c = bootstrap(Settings(database_url=db_url, secret_key="r" * 32, worker=False))
    apply_workspace(c.workspace, workspace())
    yield c
    c.close()


def test_two_edits_from_one_read_the_second_is_refused_and_writes_nothing(c: Container) -> None:
    read, _ = read_workspace(c.workspace)
    put_item(c.workspace, "lists", LIST["name"], {**LIST, "values": ["a.test"]}, revision=read)
    after_first = export_workspace(c.workspace)
    with pytest.raises(Stale) as refused:
        put_item(c.workspace, "lists", LIST["name"], {**LIST, "values": ["b.test"]}, revision=read)
    assert refused.value.code == "stale"
    with pytest.raises(Stale):  # nor any other change from that read
        delete_item(c.workspace, "routers", "inbound", revision=read)
    with pytest.raises(Stale):
        apply_workspace(c.workspace, {"timezone": "Europe/Paris"}, revision=read)
    assert export_workspace(c.workspace) == after_first


class Overtaken:
    """The workspace repo, with someone else's save landing between this caller's read and
    its save (once)."""

    def __init__(self, repo: WorkspaceRepo, other: Callable[[], object]) -> None:
        self.repo, self.other = repo, other
        self.others = 0

    def revision(self) -> int:
        return self.repo.revision()

    def load(self, *, include_crm: bool = True) -> WorkspaceDoc:
        return self.repo.load(include_crm=include_crm)

    def load_revision(self, *, include_crm: bool = True) -> tuple[int, WorkspaceDoc]:
        return self.repo.load_revision(include_crm=include_crm)

    def save(self, doc: WorkspaceDoc, *, revision: int | None = None) -> int:
        if not self.others:
            self.others += 1
            self.other()
        return self.repo.save(doc, revision=revision)

    def outbound_url_problem(self, url: str) -> str | None:
        return self.repo.outbound_url_problem(url)


def test_a_save_without_a_revision_keeps_what_was_saved_in_between(c: Container) -> None:
    """``leadrail apply`` of a file with only a timezone, while an admin adds a list: both
    stay (the apply starts again from the admin's save)."""
    spare = {"name": "spare", "values": ["x.test"]}
    other = Overtaken(c.workspace, lambda: apply_workspace(c.workspace, {"lists": [LIST, spare]}))
    apply_workspace(other, {"timezone": "Europe/Paris"})
    after = export_workspace(c.workspace)
    assert after["timezone"] == "Europe/Paris"
    assert [x["name"] for x in after["lists"]] == ["target-accounts", "spare"]
    edit = Overtaken(c.workspace, lambda: apply_workspace(c.workspace, {"timezone": "UTC"}))
    put_item(edit, "lists", "spare", {**spare, "values": ["y.test"]})  # the per-entity edits
    after = export_workspace(c.workspace)
    assert after.get("timezone", "UTC") == "UTC"  # (the default is left out of exports)
    assert after["lists"][1]["values"] == ["y.test"]


@pytest.fixture
def api(c: Container) -> tuple[TestClient, dict[str, str]]:
    c.accounts.create_user(ADMIN, "Admin", admin=True)
    auth = {"Authorization": f"Bearer {c.tokens.create_token(ADMIN, 'test')}"}
    return TestClient(create_app(c.settings, container=c)), auth


def test_api_put_with_the_etag_of_a_stale_read_gets_409(
    c: Container, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, auth = api
    got = client.get("/api/v1/workspace", headers=auth)
    etag = got.headers["ETag"]
    doc = got.json()
    first = client.put(
        "/api/v1/workspace",
        json={**doc, "lists": [{**LIST, "values": ["a.test"]}]},
        headers={**auth, "If-Match": etag},
    )
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == f'"{first.json()["revision"]}"' != etag
    after_first = export_workspace(c.workspace)
    second = client.put(
        "/api/v1/workspace",
        json={**doc, "timezone": "Europe/Paris"},
        headers={**auth, "If-Match": etag},
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "stale"
    assert export_workspace(c.workspace) == after_first
    again = client.get("/api/v1/workspace", headers=auth)  # read again, then it goes through
    retry = client.put(
        "/api/v1/workspace",
        json={**again.json(), "timezone": "Europe/Paris"},
        headers={**auth, "If-Match": again.headers["ETag"]},
    )
    assert retry.status_code == 200
    assert export_workspace(c.workspace)["lists"][0]["values"] == ["a.test"]


def test_api_put_without_if_match_applies_as_before(
    c: Container, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, auth = api
    r = client.put("/api/v1/workspace", json={"timezone": "Europe/Paris"}, headers=auth)
    assert r.status_code == 200
    assert r.json()["changed"] is True
    bad = client.put("/api/v1/workspace", json={}, headers={**auth, "If-Match": "yesterday"})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "If-Match"


def test_per_entity_api_refuses_a_stale_replace(
    c: Container, api: tuple[TestClient, dict[str, str]]
) -> None:
    client, auth = api
    got = client.get(f"/api/v1/lists/{LIST['name']}", headers=auth)
    etag = got.headers["ETag"]
    url = f"/api/v1/lists/{LIST['name']}"
    first = client.put(url, json={**LIST, "values": ["a.test"]}, headers={**auth, "If-Match": etag})
    assert first.status_code == 200
    second = client.put(
        url, json={**LIST, "values": ["b.test"]}, headers={**auth, "If-Match": etag}
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "stale"
    gone = client.delete(url, headers={**auth, "If-Match": etag})
    assert gone.status_code == 409
    assert export_workspace(c.workspace)["lists"] == [{**LIST, "values": ["a.test"]}]


def _form(html: str) -> dict[str, str]:
    """The page's CSRF token and the revision its forms were made from."""
    found = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return {"csrf": found["csrf"], "_revision": found["_revision"]}


def test_dashboard_second_admin_gets_changed_by_someone_else_and_keeps_the_form(
    sqlite_url: str,
) -> None:
    c = bootstrap(Settings(database_url=sqlite_url, secret_key="r" * 32, worker=False))
    try:
        apply_workspace(c.workspace, workspace())
        pages = []
        for email in (ADMIN, OTHER):
            make_account(c, email, admin=True)
        for email in (ADMIN, OTHER):
            client = TestClient(
                create_app(c.settings, container=c),
                base_url="https://testserver",
                follow_redirects=False,
            )
            login(client, email)
            page = client.get(f"/dashboard/lists/{LIST['name']}")
            assert page.status_code == 200
            pages.append((client, _form(page.text)))
        (first, first_form), (second, second_form) = pages
        assert first_form["_revision"] == second_form["_revision"] != ""
        saved = first.post(
            f"/dashboard/lists/{LIST['name']}",
            data={**first_form, "name": LIST["name"], "values": "first.test"},
        )
        assert saved.status_code == 303
        refused = second.post(
            f"/dashboard/lists/{LIST['name']}",
            data={**second_form, "name": LIST["name"], "values": "second-typed.test"},
        )
        assert refused.status_code == 409
        assert "someone else changed the workspace" in refused.text
        assert "second-typed.test" in refused.text  # what they typed is still there
        assert export_workspace(c.workspace)["lists"][0]["values"] == ["first.test"]
        deleted = second.post(
            f"/dashboard/lists/{LIST['name']}", data={**second_form, "_action": "delete"}
        )
        assert deleted.status_code == 409
        assert export_workspace(c.workspace)["lists"][0]["values"] == ["first.test"]
    finally:
        c.close()
