"""The built-in CRM's records, one at a time (the API's ``/api/v1/crm``): list, read, create
or update, delete. Bulk imports are ``crm_import``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from leadrail.app.crm_import import CompanyRow, CrmImportRepo, OpportunityRow, PersonRow
from leadrail.app.errors import InvalidInput, NotFound
from leadrail.routing.normalise import normalise_domain

People = Literal["contacts", "leads"]


@dataclass(frozen=True)
class Page:
    results: list[dict[str, Any]]
    next_after: int | None  # the last id, when there may be more


class CrmRepo(CrmImportRepo, Protocol):
    """The built-in CRM's tables. Records are dicts of the API's shape (``id`` as text)."""

    def company_for_domain(self, domain: str) -> int | None:
        """The company that owns ``domain`` or a parent domain of it (the longest match)."""
        ...

    def companies(self, *, after: int, limit: int, only: int | None = None) -> list[dict[str, Any]]:
        """Companies by id, with their domains (``only``: that company alone)."""
        ...

    def delete_company(self, company_id: int) -> bool: ...

    def people(
        self, kind: People, *, email: str | None, owner: str | None, after: int, limit: int
    ) -> list[dict[str, Any]]: ...

    def person(self, kind: People, record_id: int) -> dict[str, Any] | None: ...

    def put_person(self, kind: People, row: PersonRow) -> tuple[dict[str, Any], bool]:
        """Create or update the record with this e-mail; True when created."""
        ...

    def delete_person(self, kind: People, record_id: int) -> bool: ...

    def opportunities(
        self,
        *,
        email: str | None,
        domain: str | None,
        after: int,
        limit: int,
        key: str | None = None,
    ) -> list[dict[str, Any]]:
        """Opportunities in the order written (``id`` is the operator's own key; ``seq`` pages)."""
        ...

    def delete_opportunity(self, key: str) -> bool: ...


def _page(rows: list[dict[str, Any]], limit: int) -> Page:
    return Page(rows, int(rows[-1]["id"]) if len(rows) == limit else None)


def list_companies(repo: CrmRepo, *, domain: str | None, after: int, limit: int) -> Page:
    """Companies by id; ``domain`` finds the one that owns it (or a parent domain of it)."""
    if not domain:
        return _page(repo.companies(after=after, limit=limit), limit)
    found = repo.company_for_domain(normalise_domain(domain))
    if found is None:
        return _page([], limit)
    return _page(repo.companies(after=after, limit=limit, only=found), limit)


def delete_company(repo: CrmRepo, company_id: int) -> None:
    if not repo.delete_company(company_id):
        raise NotFound(f"no company {company_id}", field="company_id")


def put_company(repo: CrmRepo, row: CompanyRow) -> tuple[dict[str, Any], bool]:
    """Create the company that owns these domains, or update it; True when created."""
    created, _ = repo.import_companies([row])
    found = repo.company_for_domain(row.domains[0])
    if found is None:
        raise InvalidInput("the company could not be written", field="domains")
    body = {"id": str(found), "domains": list(row.domains), "name": row.name,
            "owner": row.owner, "tier": row.tier}  # fmt: skip
    return body, bool(created)


def list_people(
    repo: CrmRepo, kind: People, *, email: str | None, owner: str | None, after: int, limit: int
) -> Page:
    email = email.strip().lower() if email else None
    rows = repo.people(kind, email=email, owner=owner or None, after=after, limit=limit)
    return _page(rows, limit)


def put_person(repo: CrmRepo, kind: People, row: PersonRow) -> tuple[dict[str, Any], bool]:
    """Create or update the contact or lead with this e-mail; True when created."""
    return repo.put_person(kind, row)


def get_person(repo: CrmRepo, kind: People, record_id: int) -> dict[str, Any]:
    found = repo.person(kind, record_id)
    if found is None:
        raise NotFound(f"no {kind[:-1]} {record_id}", field="record_id")
    return found


def delete_person(repo: CrmRepo, kind: People, record_id: int) -> None:
    if not repo.delete_person(kind, record_id):
        raise NotFound(f"no {kind[:-1]} {record_id}", field="record_id")


def list_opportunities(
    repo: CrmRepo, *, email: str | None, domain: str | None, after: int, limit: int
) -> Page:
    email = email.strip().lower() if email else None
    domain = normalise_domain(domain) if domain else None
    rows = repo.opportunities(email=email, domain=domain, after=after, limit=limit)
    return Page(rows, int(rows[-1]["seq"]) if len(rows) == limit else None)


def put_opportunity(repo: CrmRepo, row: OpportunityRow) -> tuple[dict[str, Any], bool]:
    """Create or update the opportunity with this id; True when created."""
    created, _ = repo.import_opportunities([row])
    found = repo.opportunities(email=None, domain=None, after=0, limit=1, key=row.key)
    return found[0], bool(created)


def delete_opportunity(repo: CrmRepo, key: str) -> None:
    if not repo.delete_opportunity(key):
        raise NotFound(f"no opportunity {key!r}", field="opportunity_id")
