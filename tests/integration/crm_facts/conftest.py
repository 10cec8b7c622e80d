"""Fixtures of the CRM-facts tests: the admin API client and the fake HubSpot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from leadrail.bootstrap import Container, bootstrap
from leadrail.settings import Settings
from leadrail.web.main import create_app
from tests.integration.crm.fake_hubspot import FakeHubSpot


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot().start()
    yield fake
    fake.stop()


@pytest.fixture
def api(db_url: str) -> Iterator[tuple[Container, TestClient, dict[str, str]]]:
    c = bootstrap(Settings(database_url=db_url, worker=False))
    c.accounts.create_user("admin@acme.test", "Admin", admin=True)
    auth = {"Authorization": f"Bearer {c.tokens.create_token('admin@acme.test', 't')}"}
    yield c, TestClient(create_app(c.settings, container=c)), auth
    c.close()
