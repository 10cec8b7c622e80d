"""The dashboard served by `leadrail serve` for the browser tests, and a desktop page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.dashboard.router_support import router_workspace
from tests.support.browser import new_page, require_chromium
from tests.support.net import free_port
from tests.support.serve import environment, serving

ADMIN = "admin@acme.test"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The end-to-end tests start `leadrail` processes (and chromium) in their fixtures: on
    a 2-core machine at load 20 that alone took over 120 s, pytest-timeout's default here."""
    for item in items:
        if "/e2e/" in str(item.path) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(600))


@pytest.fixture(scope="session")
def dashboard_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`leadrail serve` with the router workspace and ADMIN (password PASSWORD); its base URL.
    One per test process: the browser tests of the dashboard share it."""
    require_chromium()
    tmp = tmp_path_factory.mktemp("dashboard")
    port = free_port()
    env = environment(tmp, router_workspace(), admin=ADMIN,
                      public_base_url=f"http://127.0.0.1:{port}")  # fmt: skip
    with serving(env, tmp, port=port) as running:
        yield running.base


@pytest.fixture
def page(browser: Any) -> Any:
    """A desktop page in a fresh context (logged out)."""
    return new_page(browser, viewport={"width": 1280, "height": 900})
