"""Fixtures for the router screens' tests: an app with a workspace, an admin and a rep."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leadrail.app.apply import apply_workspace
from leadrail.app.workspace_edit import find_item
from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.dashboard_support import login, make_account
from tests.factories import MONDAY_8AM_NY, FixedClock, workspace

ADMIN = "admin@acme.test"
REP = "rep0@acme.test"


def router_workspace() -> dict[str, Any]:
    ws = workspace(
        rules=[
            {"name": "Big accounts", "when": {"field": "domain", "op": "in_list",
                                              "value": "target-accounts"},
             "route": {"user": "rep1@acme.test"}},
            {"name": "France", "when": {"field": "country", "op": "equals", "value": "fr"},
             "route": {"user": "rep2@acme.test"}},
        ]
    )  # fmt: skip
    ws["meeting_types"] = [{"slug": "intro", "name": "Intro", "duration_minutes": 30}]
    ws["categories"] = [{"name": "sales"}]
    ws["fallback_destination"] = {"address": "leads@acme.test", "format": "text"}
    ws["lists"].append({"name": "vip", "values": ["vip.test"]})
    return ws


@dataclass
class Dash:
    c: Container
    client: TestClient
    csrf: str

    def router(self, slug: str = "inbound") -> dict[str, Any]:
        return find_item(self.c.workspace, "routers", slug)[1]

    def post(self, url: str, data: dict[str, Any]) -> Any:
        return self.client.post(url, data={"csrf": self.csrf, **data})


def make_dash(db_url: str, *, admin: bool = True) -> Dash:
    c = bootstrap(Settings(database_url=db_url, secret_key="t" * 32, worker=False,
                           public_base_url="https://book.acme.test"))  # fmt: skip
    c.clock = FixedClock(MONDAY_8AM_NY)  # type: ignore[assignment]
    apply_workspace(c.workspace, router_workspace())
    make_account(c, ADMIN, admin=True)
    make_account(c, REP, admin=False)
    client = TestClient(
        create_app(c.settings, container=c), base_url="https://testserver", follow_redirects=False
    )
    csrf = login(client, ADMIN if admin else REP)
    return Dash(c, client, csrf)


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
