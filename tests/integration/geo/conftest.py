"""Fixtures for the offline geolocation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.geo.city_db import write_city_mmdb


@pytest.fixture
def city_mmdb(tmp_path: Path) -> Path:
    return write_city_mmdb(tmp_path / "city.mmdb")
