"""Built-in CRM lookups for ownership: contacts and leads by e-mail, companies by domain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadrail.adapters.db import tables as t
from leadrail.routing.model import CrmRecord


def parent_domains(domain: str) -> list[str]:
    """'eu.sales.bigco.test' -> itself, 'sales.bigco.test', 'bigco.test' (a subdomain of a
    company's domain belongs to the company)."""
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


def lookup(s: Session, email: str, domain: str) -> tuple[CrmRecord, ...]:
    out: list[CrmRecord] = []
    if email:
        for kind, model in (("contact", t.CrmContact), ("lead", t.CrmLead)):
            row = s.execute(select(model.id, model.owner_id).where(model.email == email)).first()
            if row:
                out.append(CrmRecord(kind, str(row[0]), email, row[1], exact=True))  # type: ignore[arg-type]
    if domain:
        candidates = parent_domains(domain)
        rows = s.execute(
            select(t.CrmCompanyDomain.domain, t.CrmCompany.id, t.CrmCompany.owner_id)
            .join(t.CrmCompany, t.CrmCompany.id == t.CrmCompanyDomain.company_id)
            .where(t.CrmCompanyDomain.domain.in_(candidates))
        ).all()
        # the most specific domain first
        for d, cid, owner in sorted(rows, key=lambda r: -len(r[0])):
            out.append(CrmRecord("company", str(cid), d, owner, exact=False))
    return tuple(out)
