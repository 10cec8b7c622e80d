"""Shared fixtures: fresh migrated databases (SQLite files, PostgreSQL databases)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis: no per-example deadline and no "too slow" health check. Both are timings, and a
# timed assertion fails on a loaded 2-core machine (speed is measured by `make bench`).
settings.register_profile(
    "leadrail", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("leadrail")

pytest_plugins = ["tests.support.browser"]  # `browser`: one chromium per module, fresh contexts

PG_ADMIN_URL = os.environ.get("LEADRAIL_TEST_PG", "postgresql://127.0.0.1:5432/test")


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2id with argon2-cffi's cheapest parameters in the test processes: a dashboard
    test makes accounts and logs in, and the recommended parameters cost about a second of
    CPU each time. What is stored and verified is the same kind of hash; the product's own
    parameters are checked in tests/integration/accounts (`leadrail serve` subprocesses
    keep them)."""
    from argon2 import PasswordHasher, profiles

    from leadrail.adapters import passwords

    def cheap() -> PasswordHasher:
        return PasswordHasher.from_parameters(profiles.CHEAPEST)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "PasswordHasher", cheap)
        yield


def _pg_reachable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as e:  # any failure to connect means "no server here"
        return f"{type(e).__name__}: {e}".splitlines()[0]


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    problem = _pg_reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but PostgreSQL at {PG_ADMIN_URL} is unreachable: {problem}")
        pytest.skip(
            f"PostgreSQL tests skipped: no server at {PG_ADMIN_URL} ({problem}); "
            "set LEADRAIL_TEST_PG or start one"
        )
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def pg_database(pg_admin_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database of our own for this test session (worker)."""
    import psycopg

    from leadrail.adapters.db.engine import migrate

    name = f"leadrail_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = pg_admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    url = f"{base}/{name}"
    migrate(url)
    yield url
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    from leadrail.adapters.db.tables import Base

    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(
            text(
                "INSERT INTO workspace_meta (id, revision, timezone, settings) "
                "VALUES (1, 0, 'UTC', '{}')"
            )
        )
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from leadrail.adapters.db.engine import migrate

    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "leadrail.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url(pg_database: str) -> str:
    _truncate_pg(pg_database)
    return pg_database


@pytest.hookimpl(tryfirst=True)  # before db_url's own params are applied
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``sqlite_only`` (tests/support/db.py) get ``db_url`` on SQLite alone."""
    if "db_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker("sqlite_only"):
        # a parametrize mark takes precedence over the fixture's own params
        metafunc.definition.add_marker(pytest.mark.parametrize("db_url", ["sqlite"], indirect=True))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated, empty database: once on SQLite, once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url
