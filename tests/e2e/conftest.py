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
