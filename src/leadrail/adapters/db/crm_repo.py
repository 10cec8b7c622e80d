"""The built-in CRM's tables: CSV imports of a million rows in one transaction, and records
one at a time (the API)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from leadrail.adapters.crm.builtin import BuiltinCrm
from leadrail.adapters.db import tables as t
from leadrail.adapters.db.database import Database
from leadrail.app.crm_import import CompanyRow, OpportunityRow, PersonRow
from leadrail.app.crm_records import People

TABLES = {"contacts": "crm_contacts", "leads": "crm_leads"}
MODELS: dict[str, type[t.CrmContact] | type[t.CrmLead]] = {
    "contacts": t.CrmContact,
    "leads": t.CrmLead,
}
BATCH = 20_000
P = TypeVar("P", t.CrmContact, t.CrmLead)


def _person(r: t.CrmContact | t.CrmLead) -> dict[str, Any]:
    return {"id": str(r.id), "email": r.email, "owner": r.owner_id, "name": r.name,
            "company": r.company}  # fmt: skip


def _opportunity(r: t.CrmOpportunity) -> dict[str, Any]:
    return {"id": r.key, "seq": r.id, "name": r.name, "owner": r.owner_id, "stage": r.stage,
            "amount": r.amount, "open": r.is_open, "email": r.email,
            "domain": r.domain}  # fmt: skip


def _people(
    s: Session, model: type[P], email: str | None, owner: str | None, after: int, limit: int
) -> list[dict[str, Any]]:
    q = select(model).where(model.id > after).order_by(model.id).limit(limit)
    if email:
        q = q.where(model.email == email)
    if owner:
        q = q.where(model.owner_id == owner)
    return [_person(r) for r in s.scalars(q)]


def _upsert(s: Session, model: type[P], row: PersonRow) -> tuple[dict[str, Any], bool]:
    found = s.scalar(select(model).where(model.email == row.email))
    created = found is None
    if found is None:
        found = model(email=row.email)
        s.add(found)
    found.owner_id, found.name, found.company = row.owner, row.name, row.company
    s.flush()
    return _person(found), created


class SqlCrmRepo:
    """Implements the CrmRepo port."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.engine = db.engine
        self.postgres = db.is_postgres
        self.write_lock = db.write_lock

    # --- one record at a time ----------------------------------------------------------------
    def company_for_domain(self, domain: str) -> int | None:
        found = [r for r in BuiltinCrm(self.db).lookup("", domain) if r.kind == "company"]
        return int(found[0].id) if found else None

    def companies(self, *, after: int, limit: int, only: int | None = None) -> list[dict[str, Any]]:
        c, d = t.CrmCompany, t.CrmCompanyDomain
        q = select(c).where(c.id > after).order_by(c.id).limit(limit)
        if only is not None:
            q = q.where(c.id == only)
        with self.db.sessions() as s:
            rows = list(s.scalars(q))
            domains: dict[int, list[str]] = {}
            if rows:
                for dom, cid in s.execute(
                    select(d.domain, d.company_id).where(d.company_id.in_([r.id for r in rows]))
                ):
                    domains.setdefault(cid, []).append(dom)
        return [
            {"id": str(r.id), "domains": sorted(domains.get(r.id, [])), "name": r.name,
             "owner": r.owner_id, "tier": r.tier}
            for r in rows
        ]  # fmt: skip

    def delete_company(self, company_id: int) -> bool:
        c, d = t.CrmCompany, t.CrmCompanyDomain
        with self.write_lock(), self.db.writer_sessions() as s, s.begin():
            s.execute(delete(d).where(d.company_id == company_id))
            return bool(s.execute(delete(c).where(c.id == company_id)).rowcount)  # type: ignore[attr-defined]

    def people(
        self, kind: People, *, email: str | None, owner: str | None, after: int, limit: int
    ) -> list[dict[str, Any]]:
        with self.db.sessions() as s:
            if kind == "contacts":
                return _people(s, t.CrmContact, email, owner, after, limit)
            return _people(s, t.CrmLead, email, owner, after, limit)

    def person(self, kind: People, record_id: int) -> dict[str, Any] | None:
        with self.db.sessions() as s:
            row = (
                s.get(t.CrmContact, record_id)
                if kind == "contacts"
                else s.get(t.CrmLead, record_id)
            )
            return _person(row) if row else None

    def put_person(self, kind: People, row: PersonRow) -> tuple[dict[str, Any], bool]:
        with self.write_lock(), self.db.writer_sessions() as s, s.begin():
            if kind == "contacts":
                return _upsert(s, t.CrmContact, row)
            return _upsert(s, t.CrmLead, row)

    def delete_person(self, kind: People, record_id: int) -> bool:
        model = MODELS[kind]
        with self.write_lock(), self.db.writer_sessions() as s, s.begin():
            return bool(s.execute(delete(model).where(model.id == record_id)).rowcount)  # type: ignore[attr-defined]

    # --- opportunities ------------------------------------------------------------------------
    def opportunities(
        self,
        *,
        email: str | None,
        domain: str | None,
        after: int,
        limit: int,
        key: str | None = None,
    ) -> list[dict[str, Any]]:
        o = t.CrmOpportunity
        q = select(o).where(o.id > after).order_by(o.id).limit(limit)
        for column, value in ((o.email, email), (o.domain, domain), (o.key, key)):
            if value:
                q = q.where(column == value)
        with self.db.sessions() as s:
            return [_opportunity(r) for r in s.scalars(q)]

    def delete_opportunity(self, key: str) -> bool:
        o = t.CrmOpportunity
        with self.write_lock(), self.db.writer_sessions() as s, s.begin():
            return bool(s.execute(delete(o).where(o.key == key)).rowcount)  # type: ignore[attr-defined]

    def import_opportunities(self, rows: list[OpportunityRow]) -> tuple[int, int]:
        o = t.CrmOpportunity
        created = 0
        with self.write_lock(), self.db.writer_sessions() as s, s.begin():
            for i in range(0, len(rows), BATCH):
                chunk = rows[i : i + BATCH]
                known = {
                    r.key: r for r in s.scalars(select(o).where(o.key.in_([c.key for c in chunk])))
                }
                for row in chunk:
                    found = known.get(row.key)
                    if found is None:
                        found = o(key=row.key)
                        s.add(found)
                        created += 1
                    found.name, found.owner_id, found.stage = row.name, row.owner, row.stage
                    found.amount, found.is_open = row.amount, row.open
                    found.email, found.domain = row.email, row.domain
                s.flush()
        return created, len(rows) - created

    # --- in bulk -----------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self.write_lock(), self.db.raw_write() as cur:
            yield cur

    def _q(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def _count(self, cur: Any, table: str) -> int:
        cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a fixed table name)
        return int(cur.fetchone()[0])

    def import_people(
        self, kind: Literal["contacts", "leads"], rows: list[PersonRow]
    ) -> tuple[int, int]:
        table = TABLES[kind]
        values = [(r.email, r.owner, r.name, r.company) for r in rows]
        upsert = self._q(
            f"INSERT INTO {table} (email, owner_id, name, company) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (email) DO UPDATE SET owner_id = excluded.owner_id, "
            "name = excluded.name, company = excluded.company"
        )
        with self._tx() as cur:
            before = self._count(cur, table)
            if self.postgres:
                self._copy_people(cur, table, values)
            else:
                for i in range(0, len(values), BATCH):
                    cur.executemany(upsert, values[i : i + BATCH])
            created = self._count(cur, table) - before
        return created, len(rows) - created

    def _copy_people(self, cur: Any, table: str, values: list[tuple[Any, ...]]) -> None:
        cur.execute(
            "CREATE TEMP TABLE crm_import (email text, owner_id text, name text, "
            "company text) ON COMMIT DROP"
        )
        with cur.copy("COPY crm_import (email, owner_id, name, company) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        cur.execute(
            f"INSERT INTO {table} (email, owner_id, name, company) "  # noqa: S608
            "SELECT email, owner_id, name, company FROM crm_import "
            "ON CONFLICT (email) DO UPDATE SET owner_id = excluded.owner_id, "
            "name = excluded.name, company = excluded.company"
        )

    def import_companies(self, rows: list[CompanyRow]) -> tuple[int, int]:
        with self._tx() as cur:
            cur.execute("SELECT domain, company_id FROM crm_company_domains")
            known: dict[str, int] = {d: int(c) for d, c in cur.fetchall()}
            cur.execute("SELECT coalesce(max(id), 0) FROM crm_companies")
            next_id = int(cur.fetchone()[0]) + 1
            new, updated, domains = [], [], []
            for r in rows:
                found = next((known[d] for d in r.domains if d in known), None)
                if found is None:
                    found, next_id = next_id, next_id + 1
                    new.append((found, r.name, r.owner, r.tier))
                else:
                    updated.append((r.name, r.owner, r.tier, found))
                domains += [(d, found) for d in r.domains if known.get(d) != found]
                known.update(dict.fromkeys(r.domains, found))
            self._write_companies(cur, new, updated, domains)
        return len(new), len(updated)

    def _write_companies(
        self,
        cur: Any,
        new: list[tuple[Any, ...]],
        updated: list[tuple[Any, ...]],
        domains: list[tuple[str, int]],
    ) -> None:
        q = self._q
        for i in range(0, len(new), BATCH):
            cur.executemany(
                q("INSERT INTO crm_companies (id, name, owner_id, tier) VALUES (?, ?, ?, ?)"),
                new[i : i + BATCH],
            )
        for i in range(0, len(updated), BATCH):
            cur.executemany(
                q("UPDATE crm_companies SET name = ?, owner_id = ?, tier = ? WHERE id = ?"),
                updated[i : i + BATCH],
            )
        for i in range(0, len(domains), BATCH):
            cur.executemany(
                q(
                    "INSERT INTO crm_company_domains (domain, company_id) "
                    "VALUES (?, ?) ON CONFLICT (domain) DO UPDATE SET "
                    "company_id = excluded.company_id"
                ),
                domains[i : i + BATCH],
            )
        if self.postgres and new:
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('crm_companies', 'id'), "
                "(SELECT max(id) FROM crm_companies))"
            )
