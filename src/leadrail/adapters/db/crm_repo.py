"""The built-in CRM in bulk: CSV imports of a million rows in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Literal

from sqlalchemy import Engine

from leadrail.app.crm_import import CompanyRow, PersonRow

TABLES = {"contacts": "crm_contacts", "leads": "crm_leads"}
BATCH = 20_000


class SqlCrm:
    def __init__(
        self, engine: Engine, write_lock: Callable[[], AbstractContextManager[None]]
    ) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.write_lock = write_lock

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self.write_lock():
            raw = self.engine.raw_connection()
            cur = raw.cursor()
            try:
                if not self.postgres:
                    cur.execute("BEGIN IMMEDIATE")
                yield cur
                raw.commit()
            except BaseException:
                raw.rollback()
                raise
            finally:
                cur.close()
                raw.close()

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
