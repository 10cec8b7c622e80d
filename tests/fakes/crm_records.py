"""The built-in CRM's people and companies in memory, as ``SqlCrmRepo`` keeps them: one
record per e-mail (a second write updates it), ids in the order created, a company found by
its domain or a parent domain of it. Opportunities are not kept (not needed yet)."""

from __future__ import annotations

from typing import Any, Literal

from leadrail.app.crm_import import CompanyRow, PersonRow

People = Literal["contacts", "leads"]


class FakeCrmRecords:
    """The CrmRepo port's people and companies (no opportunities)."""

    def __init__(self) -> None:
        self.people_of: dict[str, dict[int, PersonRow]] = {"contacts": {}, "leads": {}}
        self.company_rows: dict[int, CompanyRow] = {}
        self.domains: dict[str, int] = {}
        self.last_id = 0

    def _new_id(self) -> int:
        self.last_id += 1
        return self.last_id

    # --- people ------------------------------------------------------------------------------
    def put_person(self, kind: People, row: PersonRow) -> tuple[dict[str, Any], bool]:
        rows = self.people_of[kind]
        found = next((i for i, r in rows.items() if r.email == row.email), None)
        record_id = self._new_id() if found is None else found
        rows[record_id] = row
        return self.person(kind, record_id) or {}, found is None

    def import_people(self, kind: People, rows: list[PersonRow]) -> tuple[int, int]:
        created = sum(self.put_person(kind, r)[1] for r in rows)
        return created, len(rows) - created

    def person(self, kind: People, record_id: int) -> dict[str, Any] | None:
        r = self.people_of[kind].get(record_id)
        if r is None:
            return None
        return {"id": str(record_id), "email": r.email, "owner": r.owner, "name": r.name,
                "company": r.company}  # fmt: skip

    def people(
        self, kind: People, *, email: str | None, owner: str | None, after: int, limit: int
    ) -> list[dict[str, Any]]:
        rows = sorted(self.people_of[kind].items())
        found = [
            self.person(kind, i)
            for i, r in rows
            if i > after and (not email or r.email == email) and (not owner or r.owner == owner)
        ]
        return [p for p in found if p is not None][:limit]

    def delete_person(self, kind: People, record_id: int) -> bool:
        return self.people_of[kind].pop(record_id, None) is not None

    # --- companies ---------------------------------------------------------------------------
    def import_companies(self, rows: list[CompanyRow]) -> tuple[int, int]:
        created = 0
        for r in rows:
            found = next((self.domains[d] for d in r.domains if d in self.domains), None)
            if found is None:
                found, created = self._new_id(), created + 1
            self.company_rows[found] = r
            self.domains.update(dict.fromkeys(r.domains, found))
        return created, len(rows) - created

    def company_for_domain(self, domain: str) -> int | None:
        labels = domain.split(".")
        for i in range(len(labels) - 1):  # the longest match first
            found = self.domains.get(".".join(labels[i:]))
            if found is not None:
                return found
        return None

    def companies(self, *, after: int, limit: int, only: int | None = None) -> list[dict[str, Any]]:
        ids = [i for i in sorted(self.company_rows) if i > after and only in (None, i)]
        return [
            {"id": str(i), "domains": sorted(d for d, c in self.domains.items() if c == i),
             "name": self.company_rows[i].name, "owner": self.company_rows[i].owner,
             "tier": self.company_rows[i].tier}
            for i in ids[:limit]
        ]  # fmt: skip

    def delete_company(self, company_id: int) -> bool:
        self.domains = {d: c for d, c in self.domains.items() if c != company_id}
        return self.company_rows.pop(company_id, None) is not None
