"""The workspace repository's promises (SQLite, PostgreSQL and tests/fakes.py alike): what
is saved is what is loaded, each save is one revision more, a save against a stale revision
writes nothing, the CRM records stay unless a document names them, and user-typed URLs
naming a private address cannot be saved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from leadrail.app.errors import Stale
from leadrail.app.workspace.document import parse_workspace
from leadrail.bootstrap import bootstrap
from leadrail.settings import Settings
from tests.factories import workspace
from tests.fakes import FakeWorkspaceRepo

from .conftest import KINDS


@pytest.fixture(params=KINDS)
def repo(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "fake":
        yield FakeWorkspaceRepo()
        return
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    c = bootstrap(Settings(database_url=url, worker=False))
    yield c.workspace
    c.close()


def document(repo: Any, **changes: Any) -> Any:
    data = {**workspace(), **changes}
    return parse_workspace(data, url_problem=repo.outbound_url_problem)


def test_an_empty_workspace_is_at_revision_zero_with_empty_sections(repo: Any) -> None:
    at, doc = repo.load_revision()
    assert at == repo.revision() == 0
    assert doc.users == doc.routers == doc.sites == []
    assert doc.crm is not None
    assert doc.crm.contacts == []


def test_what_is_saved_is_loaded_and_each_save_is_a_revision(repo: Any) -> None:
    crm = {"contacts": [{"email": "cto@bigco.test", "owner": "rep0@acme.test"}]}
    doc = document(repo, crm=crm, meeting_types=[], categories=[], stores=[], sites=[])
    assert repo.save(doc) == 1
    assert repo.load() == doc
    assert repo.save(doc) == 2  # the same document again: still a save
    assert repo.load_revision() == (2, doc)
    without = repo.load(include_crm=False)
    assert without.crm is None
    assert without.users == doc.users


def test_a_save_against_a_stale_revision_writes_nothing(repo: Any) -> None:
    first = document(repo)
    repo.save(first)
    changed = first.model_copy(update={"timezone": "Europe/Paris"})
    with pytest.raises(Stale):
        repo.save(changed, revision=0)
    assert repo.revision() == 1
    assert repo.load().timezone == first.timezone
    assert repo.save(changed, revision=1) == 2
    assert repo.load().timezone == "Europe/Paris"


def test_a_document_without_crm_keeps_the_records(repo: Any) -> None:
    crm = {"contacts": [{"email": "cto@bigco.test", "owner": "rep0@acme.test"}]}
    repo.save(document(repo, crm=crm))
    repo.save(document(repo).model_copy(update={"crm": None}))
    loaded = repo.load()
    assert loaded.crm is not None
    assert [c.email for c in loaded.crm.contacts] == ["cto@bigco.test"]


def test_private_urls_cannot_be_saved(repo: Any) -> None:
    assert "loopback" in (repo.outbound_url_problem("http://127.0.0.1:5232/rep/") or "")
    assert repo.outbound_url_problem("https://dav.example.com/cal/") is None
