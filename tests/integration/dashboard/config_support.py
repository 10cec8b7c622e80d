"""Fixtures for the configuration screens' tests: a workspace, an admin and a rep."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace, export_workspace
from leadrail.app.workspace_edit import find_item
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.dashboard_support import login, make_account
from tests.factories import workspace

ADMIN = "admin@acme.test"
REP = "rep0@acme.test"


def config_workspace() -> dict[str, Any]:
    ws = workspace(n_members=3)
    ws["users"][0]["working_hours"] = {"mon-fri": "09:00-17:00"}
    ws["teams"].append({"name": "AE", "members": [{"user": "rep1@acme.test", "weight": 2}]})
    ws["meeting_types"] = [{"slug": "intro", "name": "Intro", "duration_minutes": 30}]
    ws["categories"] = [{"name": "sales", "destinations": [{"address": "s@acme.test"}]}]
    ws["fallback_destination"] = {"address": "leads@acme.test", "format": "text"}
    ws["stores"] = [{"name": "Paris", "latitude": 48.85, "longitude": 2.35}]
    ws["sites"] = [{"name": "www", "key": "k" * 20}]
    return ws


@dataclass
class Dash:
    c: Container
    client: TestClient
    csrf: str

    def item(self, section: str, key: str) -> dict[str, Any]:
        return find_item(self.c.workspace, section, key)[1]

    def export(self) -> dict[str, Any]:
        return export_workspace(self.c.workspace)

    def post(self, url: str, data: dict[str, Any], **kw: Any) -> Any:
        return self.client.post(url, data={"csrf": self.csrf, **data}, **kw)


def make_client(c: Container) -> TestClient:
    return TestClient(
        create_app(c.settings, container=c), base_url="https://testserver", follow_redirects=False
    )


def make_dash(db_url: str, *, admin: bool = True) -> Dash:
    c = bootstrap(Settings(database_url=db_url, secret_key="t" * 32, worker=False,
                           public_base_url="https://book.acme.test"))  # fmt: skip
    apply_workspace(c.workspace, config_workspace())
    make_account(c, ADMIN, admin=True)
    make_account(c, REP, admin=False)
    client = make_client(c)
    return Dash(c, client, login(client, ADMIN if admin else REP))


@pytest.fixture
def dash(db_url: str) -> Iterator[Dash]:
    d = make_dash(db_url)
    yield d
    d.c.close()


@pytest.fixture
def rep_dash(db_url: str) -> Iterator[Dash]:
    d = make_dash(db_url, admin=False)
    yield d
    d.c.close()
