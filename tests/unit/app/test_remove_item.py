"""Removing one workspace item (the dashboard's delete button, ``DELETE /api/v1/{section}/{key}``)
over an in-memory workspace: users are deactivated, other items removed unless still used."""

from __future__ import annotations

import pytest

from leadrail.app.errors import InUse, NotFound, Stale
from leadrail.app.workspace_edit import delete_or_deactivate
from tests.fakes import FakeWorkspaceRepo

WORKSPACE = {
    "timezone": "Europe/Paris",
    "users": [{"email": "ana@acme.test"}, {"email": "bo@acme.test"}],
    "teams": [{"name": "SDR", "members": ["ana@acme.test"]}],
    "routers": [{"slug": "demo", "title": "Demo", "default": {"team": "SDR"}}],
}


def test_a_user_is_deactivated_and_who_still_names_them_is_said() -> None:
    repo = FakeWorkspaceRepo(WORKSPACE)
    changes, named = delete_or_deactivate(repo, "users", "ana@acme.test")
    users = {u.email: u for u in repo.load().users or []}
    assert users["ana@acme.test"].active is False  # kept, with its history
    assert changes
    assert named == ["team 'SDR'"]


def test_an_unused_item_is_removed() -> None:
    repo = FakeWorkspaceRepo({**WORKSPACE, "routers": []})
    changes, named = delete_or_deactivate(repo, "teams", "SDR")
    assert repo.load().teams in (None, [])
    assert changes
    assert named == []


def test_an_item_still_used_is_refused_and_nothing_is_written() -> None:
    repo = FakeWorkspaceRepo(WORKSPACE)
    with pytest.raises(InUse) as err:
        delete_or_deactivate(repo, "teams", "SDR")
    assert "demo" in err.value.message
    assert repo.revision() == 1
    assert [t.name for t in repo.load().teams or []] == ["SDR"]


def test_a_missing_item_or_a_stale_revision_changes_nothing() -> None:
    repo = FakeWorkspaceRepo(WORKSPACE)
    with pytest.raises(NotFound):
        delete_or_deactivate(repo, "users", "nobody@acme.test")
    with pytest.raises(Stale):
        delete_or_deactivate(repo, "users", "bo@acme.test", revision=7)
    assert repo.revision() == 1
