"""The key that signs meeting links (and seals typed passwords, and visitor tokens) when
LEADRAIL_SECRET_KEY is not set."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database


def link_secret(db: Database) -> str:
    """Made once, kept in the database (never exported), shared by every process. Read
    without a lock once it exists (the first process to need it writes it)."""
    with db.sessions() as s:
        settings = s.scalar(select(t.WorkspaceMeta.settings).where(t.WorkspaceMeta.id == 1))
    if settings and settings.get("link_secret"):
        return str(settings["link_secret"])
    with db.write_lock(), db.writer_sessions() as s, s.begin():
        meta = s.get_one(t.WorkspaceMeta, 1, with_for_update=db.is_postgres)
        secret = meta.settings.get("link_secret")
        if not secret:
            secret = secrets.token_urlsafe(32)
            meta.settings = {**meta.settings, "link_secret": secret}
        return str(secret)
