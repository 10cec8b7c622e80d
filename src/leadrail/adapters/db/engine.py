"""Database engines: SQLite (WAL, explicit BEGIN modes) and PostgreSQL, and migrations."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from leadrail.app.errors import Unavailable

MIGRATIONS = Path(__file__).parent / "migrations"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def load_json(text: str | bytes) -> Any:
    """JSON read from a column. Text stored before the edge refused lone surrogates (a JSON
    ``"\\ud800"`` escape is valid JSON but not text) comes back with U+FFFD in their place,
    so no reader (API, pages, CSV, e-mails) fails to encode it. Only text that holds such an
    escape is walked."""
    value = json.loads(text)
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return _repair(value) if _SURROGATE_ESCAPE.search(raw) else value


def _repair(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_repair(v) for v in value]
    if isinstance(value, dict):
        return {_repair(k): _repair(v) for k, v in value.items()}
    return value


class BoundedPool(QueuePool):
    """The connection pool, whose "no connection came free in time" is ``Unavailable`` (a
    503 with Retry-After at the edge) rather than SQLAlchemy's TimeoutError (a 500)."""

    def _do_get(self) -> ConnectionPoolEntry:
        try:
            return super()._do_get()
        except sa_exc.TimeoutError:
            raise Unavailable(
                "the server is busy (no database connection came free); try again shortly"
            ) from None


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    pool_timeout: float = 10.0,
    busy_timeout_ms: int = 15000,
) -> Engine:
    """An engine for ``url``. On SQLite every connection runs in WAL mode with foreign keys on,
    and transactions begin explicitly: ``BEGIN`` by default, ``BEGIN IMMEDIATE`` (take the
    write lock first) for connections with the execution option ``sqlite_immediate=True``.
    A caller that waits ``pool_timeout`` seconds for a connection gets ``Unavailable``."""
    parsed = make_url(url)
    pool: dict[str, Any] = {
        "poolclass": BoundedPool,
        "pool_size": pool_size,
        "max_overflow": pool_size,
        "pool_timeout": pool_timeout,
    }
    if parsed.get_backend_name() != "sqlite":
        # No pre-ping: it costs a round trip per checkout on the hot path; connections are
        # recycled every 30 minutes and a dropped one is replaced after its first error.
        return create_engine(url, pool_recycle=1800, json_deserializer=load_json, **pool)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    else:
        pool = {}  # an in-memory database lives in one connection: SQLAlchemy's own pool
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        json_deserializer=load_json,
        **pool,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@dataclass(frozen=True)
class Migrated:
    applied: list[str]  # what this run applied, oldest first: "0001 initial schema"
    revision: str | None  # where the database is now


def current_revision(url: str) -> str | None:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def migrate(url: str, revision: str = "head") -> Migrated:
    """Apply migrations up to ``revision`` (idempotent); says what it applied."""
    cfg = alembic_config(url)
    before = current_revision(url)
    command.upgrade(cfg, revision)
    after = current_revision(url)
    if after == before or after is None:
        return Migrated([], after)
    scripts = ScriptDirectory.from_config(cfg).iterate_revisions(after, before or "base")
    done = [f"{s.revision} {(s.doc or '').strip()}".strip() for s in scripts]
    return Migrated(done[::-1], after)
