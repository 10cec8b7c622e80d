"""The dashboard screens' fixtures: ``dash`` (the admin logged in) and ``rep_dash`` (a rep),
on SQLite (the screens are the point here, not the database). The workspace is the
configuration screens' (``dash_setup``); the router screens' modules override it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.dashboard.config_support import config_workspace
from tests.support.dashboard import Dash, make_dash


@pytest.fixture
def dash_setup() -> tuple[dict[str, Any], Any]:
    """(workspace, clock or None) for ``dash`` and ``rep_dash``."""
    return config_workspace(), None


@pytest.fixture
def dash(sqlite_url: str, dash_setup: tuple[dict[str, Any], Any]) -> Iterator[Dash]:
    workspace, clock = dash_setup
    d = make_dash(sqlite_url, workspace, clock=clock)
    yield d
    d.c.close()


@pytest.fixture
def rep_dash(sqlite_url: str, dash_setup: tuple[dict[str, Any], Any]) -> Iterator[Dash]:
    workspace, clock = dash_setup
    d = make_dash(sqlite_url, workspace, admin=False, clock=clock)
    yield d
    d.c.close()
