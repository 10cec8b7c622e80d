from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.analytics.world import World, make_world


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    w = make_world(db_url)
    yield w
    w.c.close()
