"""The dashboard served by `leadrail serve` for the browser tests, the analytics world served
in a thread, and a desktop page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from leadrail.adapters.db.engine import migrate
from leadrail.app.route import route_prospect
from tests.factories import MONDAY_8AM_NY
from tests.integration.analytics.world import World, make_world
from tests.integration.dashboard.router_support import router_workspace
from tests.support.browser import new_page, require_chromium
from tests.support.net import app_in_thread, free_port
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


def _history(w: World) -> None:
    """Two weeks of routing and link opens before the world's day, for fuller charts."""
    for day in range(1, 15):
        now = MONDAY_8AM_NY - timedelta(days=day)
        for i in range(day % 4 + 1):
            route_prospect(w.c.routing, "strict", {"email": f"h{day}-{i}@example.test"}, now)
            w.c.routing.record_click("strict", "", None, {"utm_source": "mail"}, now)
        w.c.routing.record_click("strict", "", None, {}, now)


@pytest.fixture(scope="module")
def analytics_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    """The analytics world (two weeks of history, ADMIN with PASSWORD) served by uvicorn in a
    thread: its base URL and the world."""
    require_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('analytics') / 'db.sqlite'}"
    migrate(url)
    world = make_world(url)
    _history(world)
    try:
        with app_in_thread(world.client.app) as host:
            yield f"http://{host}", world
    finally:
        world.c.close()


@pytest.fixture
def page(browser: Any) -> Any:
    """A desktop page in a fresh context (logged out)."""
    return new_page(browser, viewport={"width": 1280, "height": 900})
