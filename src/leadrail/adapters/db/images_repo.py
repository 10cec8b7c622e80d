"""Implements ``app.images.ImageStore``: the images table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.app.images import Image


class SqlImageStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def image(self, key: str) -> Image | None:
        with self.db.sessions() as s:
            row = s.get(t.Image, key)
            return Image(row.content_type, row.data, row.updated_at) if row else None

    def present(self, keys: list[str]) -> dict[str, datetime]:
        if not keys:
            return {}
        with self.db.sessions() as s:
            rows = s.execute(
                select(t.Image.key, t.Image.updated_at).where(t.Image.key.in_(keys))
            ).all()
            return {str(key): when for key, when in rows}

    def put(self, key: str, image: Image) -> None:
        with self.db.write_lock(), self.db.writer_sessions.begin() as s:
            row = s.get(t.Image, key)
            if row is None:
                s.add(t.Image(key=key, content_type=image.content_type, data=image.data,
                              updated_at=image.updated_at))  # fmt: skip
            else:
                row.content_type, row.data = image.content_type, image.data
                row.updated_at = image.updated_at

    def delete(self, key: str) -> bool:
        with self.db.write_lock(), self.db.writer_sessions.begin() as s:
            gone = s.scalars(delete(t.Image).where(t.Image.key == key).returning(t.Image.key))
            return gone.first() is not None
