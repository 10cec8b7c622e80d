"""The workspace document in the database: load it, save it (checking the revision read)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.adapters.db.workspace_load import load_workspace
from leadrail.adapters.db.workspace_save import save_workspace
from leadrail.adapters.outbound import Outbound
from leadrail.app.errors import Stale
from leadrail.app.workspace import WorkspaceDoc


class SqlWorkspaceRepo:
    """Implements the WorkspaceRepo port."""

    def __init__(self, db: Database, outbound: Outbound | None = None) -> None:
        self.db = db
        self.outbound = outbound or Outbound()  # the guard for user-typed URLs
        self._saved: list[Callable[[int], None]] = []

    def on_save(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(new_revision)`` after each save of this process (the catalog
        drops its snapshot)."""
        self._saved.append(listener)

    def revision(self) -> int:
        with self.db.sessions() as s:
            return int(
                s.scalar(select(t.WorkspaceMeta.revision).where(t.WorkspaceMeta.id == 1)) or 0
            )

    def load(self, *, include_crm: bool = True) -> WorkspaceDoc:
        with self.db.sessions() as s:
            return load_workspace(s, include_crm=include_crm)

    def load_revision(self, *, include_crm: bool = True) -> tuple[int, WorkspaceDoc]:
        with self.db.sessions() as s, s.begin():
            revision = int(s.scalar(select(t.WorkspaceMeta.revision)) or 0)
            return revision, load_workspace(s, include_crm=include_crm)

    def save(self, doc: WorkspaceDoc, *, revision: int | None = None) -> int:
        """One transaction holding the workspace's lock (PostgreSQL: its row; SQLite: the
        write lock), so a revision checked here cannot move before the commit."""
        with self.db.write_lock(), self.db.writer_sessions() as s, s.begin():
            q = select(t.WorkspaceMeta.revision).where(t.WorkspaceMeta.id == 1)
            current = int(s.scalar(q.with_for_update() if self.db.is_postgres else q) or 0)
            if revision is not None and revision != current:
                raise Stale(revision, current)
            saved = save_workspace(s, doc, datetime.now(UTC))
        for listener in self._saved:
            listener(saved)
        return saved

    def outbound_url_problem(self, url: str) -> str | None:
        return self.outbound.saved_url_problem(url)
