"""Live visitors, conversations and chat messages in the database.

The accept is one conditional UPDATE (``... WHERE status = 'waiting'``): of two reps accepting
in the same instant, the database lets exactly one row change, and the rowcount says who won.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.app.ports.live import ConversationRow, LiveUser, MessageRow, VisitorRow
from leadrail.app.workspace import SiteDoc

OPEN = ("waiting", "active")
_VISITOR = [f.name for f in fields(VisitorRow)]
_CONVERSATION = [f.name for f in fields(ConversationRow)]


def _visitor(r: t.LiveVisitor) -> VisitorRow:
    return VisitorRow(**{k: getattr(r, k) for k in _VISITOR})


def _conversation(r: t.LiveConversation) -> ConversationRow:
    return ConversationRow(**{k: getattr(r, k) for k in _CONVERSATION})


class SqlLiveRepo:
    """Implements the LiveRepo port."""

    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.writer = db.writer
        self.write_lock = db.write_lock  # SQLite writers of a process take turns
        self._cache: tuple[int, dict[str, SiteDoc], dict[str, LiveUser]] | None = None
        self._lock = threading.Lock()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self.write_lock(), Session(self.writer) as s, s.begin():
            yield s

    # --- workspace (cached per revision) -------------------------------------------------
    def _config(self) -> tuple[dict[str, SiteDoc], dict[str, LiveUser]]:
        with Session(self.engine) as s:
            revision = int(s.scalar(select(t.WorkspaceMeta.revision)) or 0)
            cached = self._cache
            if cached is not None and cached[0] == revision:
                return cached[1], cached[2]
            sites = {
                x.key: SiteDoc.model_validate({"name": x.name, "key": x.key, **x.config})
                for x in s.scalars(select(t.Site))
            }
            users = {
                u.email: LiveUser(
                    u.email,
                    u.name or u.email,
                    u.is_admin,
                    u.active,
                    int((u.live or {}).get("max_chats", 3)),
                    tuple((u.live or {}).get("aligned", ())),
                )
                for u in s.scalars(select(t.User))
            }
        with self._lock:
            self._cache = (revision, sites, users)
        return sites, users

    def site(self, key: str) -> SiteDoc | None:
        return self._config()[0].get(key)

    def sites(self) -> list[SiteDoc]:
        return list(self._config()[0].values())

    def users(self) -> Mapping[str, LiveUser]:
        return self._config()[1]

    # --- visitors ------------------------------------------------------------------------
    def visitor(self, visitor_id: str) -> VisitorRow | None:
        with Session(self.engine) as s:
            row = s.get(t.LiveVisitor, visitor_id)
            return _visitor(row) if row else None

    def save_visitor(self, row: VisitorRow) -> None:
        with self._write() as s:
            s.merge(t.LiveVisitor(**asdict(row)))

    def recent_visitors(self, since: datetime, limit: int = 200) -> list[VisitorRow]:
        v = t.LiveVisitor
        with Session(self.engine) as s:
            q = select(v).where(v.last_seen >= since).order_by(v.last_seen.desc()).limit(limit)
            return [_visitor(r) for r in s.scalars(q)]

    def visitors_seen_between(self, start: datetime, end: datetime) -> list[VisitorRow]:
        v = t.LiveVisitor
        with Session(self.engine) as s:
            q = select(v).where(v.last_seen >= start, v.last_seen < end).order_by(v.last_seen)
            return [_visitor(r) for r in s.scalars(q.limit(1000))]

    def touch_visitors(self, visitor_ids: Sequence[str], now: datetime) -> None:
        """These visitors are here now (an open stream, an event)."""
        if not visitor_ids:
            return
        v = t.LiveVisitor
        with self._write() as s:
            for chunk in range(0, len(visitor_ids), 500):
                ids = list(visitor_ids[chunk : chunk + 500])
                s.execute(update(v).where(v.id.in_(ids), v.last_seen < now).values(last_seen=now))

    # --- conversations -------------------------------------------------------------------
    def _one(self, *where: Any) -> ConversationRow | None:
        with Session(self.engine) as s:
            found = s.scalar(
                select(t.LiveConversation)
                .where(*where)
                .order_by(t.LiveConversation.created_at.desc())
                .limit(1)
            )
            return _conversation(found) if found else None

    def open_conversation(self, visitor_id: str) -> ConversationRow | None:
        c = t.LiveConversation
        return self._one(c.visitor_id == visitor_id, c.status.in_(OPEN))

    def last_conversation(self, visitor_id: str) -> ConversationRow | None:
        return self._one(t.LiveConversation.visitor_id == visitor_id)

    def conversation(self, conversation_id: str) -> ConversationRow | None:
        with Session(self.engine) as s:
            row = s.get(t.LiveConversation, conversation_id)
            return _conversation(row) if row else None

    def add_conversation(self, row: ConversationRow) -> None:
        with self._write() as s:
            s.add(t.LiveConversation(**asdict(row)))

    def accept(self, conversation_id: str, rep: str, now: datetime) -> bool:
        """Atomic: only a waiting conversation is taken, by exactly one caller."""
        c = t.LiveConversation
        with self._write() as s:
            done = s.execute(
                update(c)
                .where(c.id == conversation_id, c.status == "waiting")
                .values(status="active", rep=rep, accepted_at=now)
            )
            return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    def finish(self, conversation_id: str, was: Sequence[str], status: str, now: datetime) -> bool:
        c = t.LiveConversation
        values: dict[str, Any] = {"status": status}
        if status == "closed":
            values["closed_at"] = now
        with self._write() as s:
            done = s.execute(
                update(c).where(c.id == conversation_id, c.status.in_(list(was))).values(**values)
            )
            return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    def set_lead(
        self, conversation_id: str, lead_id: str | None, answers: Mapping[str, str]
    ) -> None:
        c = t.LiveConversation
        values: dict[str, Any] = {"answers": dict(answers)}
        if lead_id is not None:
            values["lead_id"] = lead_id
        with self._write() as s:
            s.execute(update(c).where(c.id == conversation_id).values(**values))

    def due(self, now: datetime, limit: int = 100) -> list[ConversationRow]:
        c = t.LiveConversation
        q = select(c).where(c.status == "waiting", c.expires_at <= now).order_by(c.expires_at)
        with Session(self.engine) as s:
            return [_conversation(r) for r in s.scalars(q.limit(limit))]

    def withdraw(self, rep: str) -> list[ConversationRow]:
        """Under the waiting rows' locks (PostgreSQL, taken in id order; SQLite: the write
        lock): of two processes withdrawing one rep at once, one changes each row."""
        c = t.LiveConversation
        changed = []
        with self._write() as s:
            q = select(c).where(c.status == "waiting").order_by(c.id).with_for_update()
            for row in s.scalars(q):
                if rep in (row.alerted or []):
                    row.alerted = [e for e in row.alerted if e != rep]
                    changed.append(_conversation(row))
        return changed

    def realert(self, conversation_id: str, alerted: Sequence[str], expires_at: datetime) -> bool:
        c = t.LiveConversation
        with self._write() as s:
            done = s.execute(
                update(c)
                .where(c.id == conversation_id, c.status == "waiting")
                .values(alerted=list(alerted), expires_at=expires_at)
            )
            return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    def active_counts(self) -> Mapping[str, int]:
        c = t.LiveConversation
        with Session(self.engine) as s:
            rows = s.execute(
                select(c.rep, func.count()).where(c.status == "active").group_by(c.rep)
            )
            return {rep: int(n) for rep, n in rows if rep}

    def conversations(
        self,
        *,
        visitor: str | None = None,
        rep: str | None = None,
        site: str | None = None,
        status: str | None = None,
        limit: int = 100,
    ) -> list[ConversationRow]:
        c = t.LiveConversation
        q = select(c).order_by(c.created_at.desc()).limit(limit)
        for column, value in ((c.visitor_id, visitor), (c.rep, rep), (c.site, site)):
            if value:
                q = q.where(column == value)
        if status:
            q = q.where(c.status == status)
        with Session(self.engine) as s:
            return [_conversation(r) for r in s.scalars(q)]

    # --- messages ------------------------------------------------------------------------
    def add_message(self, row: MessageRow) -> MessageRow:
        m, c = t.LiveMessage, t.LiveConversation
        with self._write() as s:
            # the conversation's row lock (PostgreSQL; SQLite: the write lock) makes the
            # numbers of one conversation a sequence: 1, 2, 3 ... in the order of commits
            s.execute(select(c.id).where(c.id == row.conversation_id).with_for_update())
            last = s.scalar(
                select(func.coalesce(func.max(m.number), 0)).where(
                    m.conversation_id == row.conversation_id
                )
            )
            numbered = replace(row, number=int(last or 0) + 1)
            s.add(
                m(
                    id=row.id, conversation_id=row.conversation_id, number=numbered.number,
                    sender=row.sender, name=row.name, text=row.text, at=row.at,
                )
            )  # fmt: skip
        return numbered

    def messages(self, conversation_id: str) -> list[MessageRow]:
        m = t.LiveMessage
        with Session(self.engine) as s:
            q = select(m).where(m.conversation_id == conversation_id).order_by(m.number)
            return [
                MessageRow(r.id, r.conversation_id, r.sender, r.name, r.text, r.at, r.number)
                for r in s.scalars(q)
            ]
