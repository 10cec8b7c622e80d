"""The database: one object owning the engine, its session makers and the SQLite writer lock.

Every repository gets this object and takes its writer turns here; no repository makes a lock
of its own. On SQLite a writer takes the database write lock (``BEGIN IMMEDIATE``) and the
threads of one process first queue on ``write_lock``, so they wait in line instead of in
SQLite's sleep-and-retry busy handler. On PostgreSQL writers serialise on row locks; threads of
one process first take their turn per key (``turns``) so a waiting writer holds no pooled
connection."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from leadrail.adapters.db.engine import make_engine
from leadrail.adapters.db.routing_tx import Statements
from leadrail.adapters.db.turns import Turns
from leadrail.app.ports import WouldWait


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"
        # SQLite writers begin with BEGIN IMMEDIATE (see make_engine); PostgreSQL needs nothing
        self.writer = (
            engine if self.is_postgres else engine.execution_options(sqlite_immediate=True)
        )
        self.sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self.writer_sessions: sessionmaker[Session] = sessionmaker(
            self.writer, expire_on_commit=False
        )
        self.sql = Statements(engine.dialect.name)  # the hot paths' DB-API statements
        self.turns = Turns()  # PostgreSQL writers of one router (one rep) queue here
        self._sqlite_writer = threading.Lock()
        database = engine.url.database
        self._prompt_ok = not self.is_postgres and bool(database) and database != ":memory:"
        self._prompt: Any = None  # the connection of begin_now (made on first use)

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        pool_size: int = 10,
        pool_timeout: float = 10.0,
        busy_timeout_ms: int = 15000,
    ) -> Database:
        return cls(
            make_engine(
                url, pool_size=pool_size, pool_timeout=pool_timeout, busy_timeout_ms=busy_timeout_ms
            )
        )

    @contextmanager
    def write_lock(self, *, wait: bool = True) -> Iterator[None]:
        """SQLite: threads of this process take turns before asking for the write lock.
        ``wait=False``: take it only if it is free now, else ``WouldWait``."""
        if self.is_postgres:
            yield
        elif wait:
            with self._sqlite_writer:
                yield
        else:
            if not self._sqlite_writer.acquire(blocking=False):
                raise WouldWait("another thread of this process is writing")
            try:
                yield
            finally:
                self._sqlite_writer.release()

    @contextmanager
    def begin_now(self) -> Iterator[Any]:
        """SQLite, holding ``write_lock``: a DB-API connection in a write transaction begun
        now (``BEGIN IMMEDIATE``), or ``WouldWait`` when another process holds SQLite's write
        lock. The connection is this object's own (no pool to wait on) and never waits for
        the lock (busy timeout 0); the caller commits or rolls back."""
        if not self._prompt_ok:
            raise WouldWait("an in-memory or server database")
        if self._prompt is None:
            raw = self.engine.raw_connection()
            raw.detach()  # kept for this use only; closed by dispose
            cur = raw.cursor()
            cur.execute("PRAGMA busy_timeout=0")
            cur.close()
            self._prompt = raw
        cur = self._prompt.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:  # SQLITE_BUSY: another process is writing
            raise WouldWait(str(e)) from None
        finally:
            cur.close()
        yield self._prompt

    def revision(self) -> int:
        """The workspace's revision (one plain query on a pooled connection)."""
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(self.sql.revision)
            row = cur.fetchone()
            cur.close()
            raw.rollback()
        finally:
            raw.close()
        return int(row[0]) if row else 0

    @contextmanager
    def raw_write(self) -> Iterator[Any]:
        """A DB-API cursor in a write transaction on a pooled connection (SQLite: begun with
        ``BEGIN IMMEDIATE``; the caller holds ``write_lock``), committed when the block ends
        or rolled back when it raises: the hot writes skip SQLAlchemy's per-statement work."""
        raw = self.engine.raw_connection()
        cur = raw.cursor()
        try:
            if not self.is_postgres:
                cur.execute("BEGIN IMMEDIATE")
            yield cur
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            cur.close()
            raw.close()

    def check(self) -> str:
        """A round trip to the database (the health check); returns the dialect's name."""
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("SELECT 1")
            cur.fetchall()
            cur.close()
            raw.rollback()
        finally:
            raw.close()
        return self.engine.dialect.name

    def dispose(self) -> None:
        with self._sqlite_writer:
            if self._prompt is not None:
                self._prompt.close()
                self._prompt = None
        self.engine.dispose()
