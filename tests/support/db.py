"""Which database a test module runs on."""

from __future__ import annotations

import pytest

# For modules testing HTTP behaviour (pages, APIs, sockets): `db_url` is SQLite only. The
# storage contracts (tests/integration/contracts) and the tests where the database is the
# point (locks, races, SKIP LOCKED, SQL of each dialect) run on both.
SQLITE_ONLY = pytest.mark.sqlite_only  # tests/conftest.py parametrizes db_url with "sqlite"
