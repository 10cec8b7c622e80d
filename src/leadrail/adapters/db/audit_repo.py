"""The decision audit: find decisions and everything that followed each one.

Searches run on ``ix_decisions_router_email_created`` / ``ix_decisions_router_created`` (the
caller passes the routers to look in). What followed a decision is read through the router's
clicks and meetings created after it (``ix_*_router_created``), so no extra index is needed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.app.audit import Followed
from leadrail.routing.trace import Trace

LEAD_WINDOW = timedelta(days=1)  # a form lead this long after a decision, same e-mail, follows it


def _row(d: t.Decision) -> dict[str, Any]:
    return {
        "id": d.id, "router": d.router, "created_at": d.created_at, "email": d.email,
        "rule": d.rule, "via": d.via, "assignees": list(d.assignees), "pool_key": d.pool_key,
        "credit_spent": d.credit_spent, "category": d.category, "prospect": dict(d.prospect),
        "trace": Trace.from_json(d.trace).to_json(), "source": d.source,
    }  # fmt: skip


class SqlAuditRepo:
    """Implements the AuditRepo port."""

    def __init__(self, db: Database) -> None:
        self.sessions = db.sessions
        self.writer_sessions = db.writer_sessions
        self.write_lock = db.write_lock

    def search(
        self,
        *,
        routers: Sequence[str],
        emails: Sequence[str],
        start: datetime,
        end: datetime,
        offset: int,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Newest first; ``limit + 1`` rows are asked for so the caller knows of a next page."""
        d = t.Decision
        q = select(d).where(d.router.in_(list(routers)), d.created_at >= start, d.created_at < end)
        if emails:
            q = q.where(d.email.in_(list(emails)))
        q = q.order_by(d.created_at.desc(), d.seq.desc()).offset(offset).limit(limit + 1)
        with self.sessions() as s:
            return [_row(x) for x in s.scalars(q)]

    def decision(self, decision_id: str) -> dict[str, Any] | None:
        with self.sessions() as s:
            d = s.scalar(select(t.Decision).where(t.Decision.id == decision_id))
            return _row(d) if d else None

    def followed(self, decision: dict[str, Any]) -> Followed:
        router, at, did = decision["router"], decision["created_at"], decision["id"]
        out = Followed()
        with self.sessions() as s:
            c, m = t.Click, t.Meeting
            for click in s.scalars(
                select(c).where(c.router == router, c.created_at >= at, c.decision_id == did)
            ):
                out.clicks.append({"at": click.created_at, "utm": dict(click.utm)})
            meetings = list(
                s.scalars(
                    select(m)
                    .where(m.router == router, m.created_at >= at, m.decision_id == did)
                    .order_by(m.created_at)
                )
            )
            out.meetings = [
                {"id": x.id, "rep": x.rep, "start": x.start, "end": x.end, "status": x.status,
                 "name": x.name, "email": x.email, "created_at": x.created_at}
                for x in meetings
            ]  # fmt: skip
            out.jobs = self._jobs(s, [x.id for x in meetings])
            if decision["email"]:
                out.leads = self._leads(s, decision["email"], at)
            out.conversations = self._conversations(s, did)
        return out

    def _jobs(self, s: Any, refs: list[str]) -> list[dict[str, Any]]:
        if not refs:
            return []
        o = t.OutboxJob
        jobs = s.scalars(select(o).where(o.ref.in_(refs)).order_by(o.id))
        return [
            {"kind": j.kind, "ref": j.ref, "status": j.status, "attempts": j.attempts,
             "last_error": j.last_error, "created_at": j.created_at, "done_at": j.done_at}
            for j in jobs
        ]  # fmt: skip

    def _leads(self, s: Any, email: str, at: datetime) -> list[dict[str, Any]]:
        lead, dl = t.LeadRecord, t.Delivery
        found = s.scalars(
            select(lead)
            .where(lead.created_at >= at - timedelta(minutes=5))
            .where(lead.created_at < at + LEAD_WINDOW, lead.email == email)
            .order_by(lead.created_at)
        ).all()
        out = []
        for x in found:
            deliveries = s.scalars(select(dl).where(dl.lead_id == x.id).order_by(dl.created_at))
            out.append(
                {"id": x.id, "created_at": x.created_at, "site": x.site, "category": x.category,
                 "store": x.store, "deliveries": [
                     {"id": y.id, "address": y.address, "status": y.status,
                      "attempts": y.attempts, "delivered_at": y.delivered_at,
                      "last_error": y.last_error} for y in deliveries]}
            )  # fmt: skip
        return out

    def _conversations(self, s: Any, decision_id: str) -> list[dict[str, Any]] | None:
        """Live chats started from this decision, each with its transcript. Read through the
        schema's metadata (``live_conversations`` / ``live_messages`` of migration 0006), so
        the audit answers None (the page says so) on a schema without them."""
        tables = t.Base.metadata.tables
        conv = tables.get("live_conversations")
        if conv is None or "decision_id" not in conv.c:
            return None
        rows = s.execute(
            select(conv).where(conv.c.decision_id == decision_id).order_by(conv.c.created_at)
        ).mappings()
        out = [dict(r) for r in rows]
        msgs = tables.get("live_messages")
        for chat in out:
            chat["messages"] = []
            if msgs is not None:
                q = select(msgs).where(msgs.c.conversation_id == chat["id"])
                chat["messages"] = [
                    dict(m) for m in s.execute(q.order_by(msgs.c.at).limit(500)).mappings()
                ]
        return out

    # --- no-shows ------------------------------------------------------------------------
    def set_no_show(self, meeting_id: str, no_show: bool, now: datetime) -> bool:
        """Mark a booked meeting whose start is past as a no-show (or undo it). False when
        the meeting is not in the state the change needs."""
        m = t.Meeting
        q = update(m).where(m.id == meeting_id)
        if no_show:
            q = q.where(m.status == "booked", m.start <= now).values(status="no_show")
        else:
            q = q.where(m.status == "no_show").values(status="booked")
        try:
            with self.write_lock(), self.writer_sessions() as s, s.begin():
                return bool(s.execute(q).rowcount == 1)  # type: ignore[attr-defined]
        except IntegrityError:  # undo: another booked meeting holds that rep's slot
            return False
