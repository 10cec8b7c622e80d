"""Analytics reads: SQL aggregations over the ledger, clicks, meetings and leads.

Every query is bounded by a router and a time range on ``created_at`` so it runs on an
existing index (``ix_decisions_router_created``, ``ix_clicks_router_created``,
``ix_meetings_router_created``, ``ix_leads_created``); lookups by decision id go through the
router's meetings and clicks after the decision's time, on the same indexes. Portable SQL
only (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, and_, cast, exists, func, select

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database

NO_SHOW = "no_show"
BOOKED = "booked"


def _assignees(value: Any) -> list[str]:
    data = json.loads(value) if isinstance(value, str | bytes) else value
    return [str(x) for x in data or []]


class SqlAnalyticsRepo:
    """Implements the AnalyticsRepo port."""

    def __init__(self, db: Database) -> None:
        self.sessions = db.sessions

    def timezone(self) -> str:
        """The workspace's timezone (days and weeks are counted in it)."""
        with self.sessions() as s:
            q = select(t.WorkspaceMeta.timezone).where(t.WorkspaceMeta.id == 1)
            return str(s.scalar(q) or "UTC")

    # --- one router ----------------------------------------------------------------------
    def click_times(self, router: str, start: datetime, end: datetime) -> list[datetime]:
        c = t.Click
        q = select(c.created_at).where(
            c.router == router, c.created_at >= start, c.created_at < end
        )
        with self.sessions() as s:
            return list(s.scalars(q))

    def meeting_times(
        self, router: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, str]]:
        """When each meeting of the router was booked, with its status now."""
        m = t.Meeting
        q = select(m.created_at, m.status).where(
            m.router == router, m.created_at >= start, m.created_at < end
        )
        with self.sessions() as s:
            return [(a, b) for a, b in s.execute(q)]

    def rules(self, router: str, start: datetime, end: datetime) -> list[tuple[str, int, int]]:
        """(rule, decisions, decisions that led to a meeting not cancelled) per rule."""
        d, m = t.Decision, t.Meeting
        met = exists().where(
            m.router == d.router,
            m.created_at >= d.created_at,
            m.decision_id == d.id,
            m.status != "cancelled",
        )
        q = (
            select(d.rule, func.count(), func.sum(cast(met, Integer)))
            .where(d.router == router, d.created_at >= start, d.created_at < end)
            .group_by(d.rule)
        )
        with self.sessions() as s:
            return [(str(r or "(owner)"), int(n), int(k or 0)) for r, n, k in s.execute(q)]

    def pool_counts(self, router: str, start: datetime, end: datetime) -> dict[str, Counter[str]]:
        """Decisions made by rotation, per pool and assignee."""
        d = t.Decision
        q = (
            select(d.pool_key, d.assignee, func.count())
            .where(
                d.router == router,
                d.created_at >= start,
                d.created_at < end,
                d.via == "rotation",
                d.pool_key.is_not(None),
            )
            .group_by(d.pool_key, d.assignee)
        )
        out: dict[str, Counter[str]] = {}
        with self.sessions() as s:
            for key, user, n in s.execute(q):
                if user:
                    out.setdefault(str(key), Counter())[str(user)] += int(n)
        return out

    def assignments(self, routers: Sequence[str], start: datetime, end: datetime) -> Counter[str]:
        """Decisions per assignee (a broadcast counts once for each of its assignees)."""
        d = t.Decision
        text = cast(d.assignees, String)
        q = (
            select(text, func.count())
            .where(d.router.in_(list(routers)), d.created_at >= start, d.created_at < end)
            .group_by(text)
        )
        out: Counter[str] = Counter()
        with self.sessions() as s:
            for value, n in s.execute(q):
                for user in _assignees(value):
                    out[user] += int(n)
        return out

    def meetings_by_rep(
        self, routers: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, Counter[str]]:
        """Meetings booked in the range per rep, by status (booked, cancelled, no_show)."""
        m = t.Meeting
        q = (
            select(m.rep, m.status, func.count())
            .where(m.router.in_(list(routers)), m.created_at >= start, m.created_at < end)
            .group_by(m.rep, m.status)
        )
        out: dict[str, Counter[str]] = {}
        with self.sessions() as s:
            for rep, status, n in s.execute(q):
                out.setdefault(str(rep), Counter())[str(status)] += int(n)
        return out

    # --- form leads ----------------------------------------------------------------------
    def leads_by(
        self, column: str, sites: Sequence[str] | None, start: datetime, end: datetime
    ) -> list[tuple[str, int]]:
        """Leads per ``category`` or ``store`` (all sites when ``sites`` is None)."""
        lead = t.LeadRecord
        col = {"category": lead.category, "store": lead.store, "site": lead.site}[column]
        q = select(col, func.count()).where(lead.created_at >= start, lead.created_at < end)
        if sites is not None:
            q = q.where(lead.site.in_(list(sites)))
        q = q.group_by(col).order_by(func.count().desc(), col)
        with self.sessions() as s:
            return [(str(k or ""), int(n)) for k, n in s.execute(q)]

    def deliveries(
        self, sites: Sequence[str] | None, start: datetime, end: datetime
    ) -> list[tuple[str, str, int]]:
        """(destination address, status, deliveries) of the range's leads."""
        lead, dl = t.LeadRecord, t.Delivery
        q = (
            select(dl.address, dl.status, func.count())
            .join(lead, lead.id == dl.lead_id)
            .where(lead.created_at >= start, lead.created_at < end)
        )
        if sites is not None:
            q = q.where(lead.site.in_(list(sites)))
        q = q.group_by(dl.address, dl.status).order_by(dl.address, dl.status)
        with self.sessions() as s:
            return [(str(a), str(st), int(n)) for a, st, n in s.execute(q)]

    # --- one rep across routers ----------------------------------------------------------
    def rep_assignments(
        self, rep: str, routers: Sequence[str], start: datetime, end: datetime
    ) -> list[tuple[str, int]]:
        """(router, decisions that went to ``rep``) over the range."""
        d = t.Decision
        needle = "%" + json.dumps(rep)[1:-1].replace("%", r"\%").replace("_", r"\_") + "%"
        q = (
            select(d.router, cast(d.assignees, String))
            .where(d.router.in_(list(routers)), d.created_at >= start, d.created_at < end)
            .where(cast(d.assignees, String).like(needle, escape="\\"))
        )
        out: Counter[str] = Counter()
        with self.sessions() as s:
            for router, value in s.execute(q):
                if rep in _assignees(value):
                    out[str(router)] += 1
        return sorted(out.items())

    def rep_meetings(self, rep: str, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
        """(router, status, meetings) of ``rep`` starting in the range (rep_start index)."""
        m = t.Meeting
        q = (
            select(m.router, m.status, func.count())
            .where(and_(m.rep == rep, m.start >= start, m.start < end))
            .group_by(m.router, m.status)
            .order_by(m.router, m.status)
        )
        with self.sessions() as s:
            return [(str(r), str(st), int(n)) for r, st, n in s.execute(q)]

    def rep_past_meetings(
        self, rep: str, start: datetime, end: datetime, limit: int = 50
    ) -> list[dict[str, Any]]:
        """``rep``'s booked or no-show meetings starting in [start, end), newest first."""
        m = t.Meeting
        q = (
            select(m)
            .where(m.rep == rep, m.start >= start, m.start < end)
            .where(m.status.in_([BOOKED, NO_SHOW]))
            .order_by(m.start.desc())
            .limit(limit)
        )
        with self.sessions() as s:
            return [
                {"id": x.id, "start": x.start, "name": x.name, "email": x.email,
                 "router": x.router, "status": x.status}
                for x in s.scalars(q)
            ]  # fmt: skip
