"""Fixtures for the scale-out tests: the local Redis under a key prefix of our own, and a
fresh PostgreSQL database (dropped afterwards) for real `leadrail serve`/`worker` processes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

REDIS_URL = os.environ.get("LEADRAIL_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def redis_prefix() -> Iterator[str]:
    """A key prefix no other test uses, on the local Redis; its keys are deleted after."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as e:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Redis at {REDIS_URL} is unreachable: {e}")
        pytest.skip(
            f"Redis tests skipped: no server at {REDIS_URL} ({type(e).__name__}); "
            "set LEADRAIL_TEST_REDIS or start one"
        )
    prefix = f"leadrail-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture(scope="module")
def fresh_pg(pg_admin_url: str) -> Iterator[str]:
    """An empty PostgreSQL database for this module (``leadrail`` migrates it), dropped after."""
    import psycopg

    name = f"leadrail_ops_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = pg_admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}/{name}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
