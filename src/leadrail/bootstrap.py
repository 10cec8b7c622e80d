"""The composition root: the one module that wires use cases to adapters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from leadrail.adapters.db.engine import make_engine, migrate
from leadrail.adapters.db.store import SqlStore
from leadrail.settings import Settings


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Container:
    settings: Settings
    engine: Engine
    store: SqlStore
    clock: SystemClock

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings, *, run_migrations: bool = False) -> Container:
    if run_migrations:
        migrate(settings.database_url)
    engine = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    return Container(settings, engine, SqlStore(engine), SystemClock())
