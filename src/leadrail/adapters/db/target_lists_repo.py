"""Query lists' storage (``named_lists.query``, ``refreshed_at``) and the built-in CRM's
companies as a query reads them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.app.target_lists import Company, QueryList

BATCH = 5000


class SqlTargetLists:
    """Implements TargetListsRepo and CompanySource (the built-in CRM)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def query_lists(self) -> list[QueryList]:
        with self.db.sessions() as s:
            rows = s.scalars(select(t.NamedList).where(t.NamedList.query.is_not(None)))
            return [
                QueryList(
                    r.name,
                    dict((r.query or {}).get("companies") or {}),
                    int((r.query or {}).get("refresh_minutes") or 60),
                    r.refreshed_at,
                )
                for r in rows
            ]

    def store_list(self, name: str, values: list[str], now: datetime) -> bool:
        with self.db.write_lock(), self.db.writer_sessions() as s, s.begin():
            row = s.scalar(select(t.NamedList).where(t.NamedList.name == name))
            if row is None:
                return False
            changed = sorted(row.values or []) != values
            row.refreshed_at = now
            if changed:
                row.values = values
                meta = s.scalars(select(t.WorkspaceMeta)).one()
                meta.revision += 1
            return changed

    def companies(self) -> Iterator[Company]:
        c, d = t.CrmCompany, t.CrmCompanyDomain
        after = 0
        while True:
            with self.db.sessions() as s:
                rows = list(s.scalars(select(c).where(c.id > after).order_by(c.id).limit(BATCH)))
                if not rows:
                    return
                domains: dict[int, list[str]] = {}
                ids = [r.id for r in rows]
                for dom, cid in s.execute(
                    select(d.domain, d.company_id).where(d.company_id.in_(ids))
                ):
                    domains.setdefault(cid, []).append(dom)
            for r in rows:
                fields = {str(k).lower(): _text(v) for k, v in (r.properties or {}).items()}
                for key, value in (("name", r.name), ("owner", r.owner_id), ("tier", r.tier)):
                    if value:
                        fields[key] = value
                yield Company(tuple(sorted(domains.get(r.id, []))), fields)
            after = rows[-1].id


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
