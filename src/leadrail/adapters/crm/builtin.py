"""The built-in CRM as a connector: records in leadrail's own database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from leadrail.adapters.crm.base import MeetingActivity, Owner, Person
from leadrail.adapters.db import tables as t
from leadrail.adapters.db.crm_lookup import parent_domains
from leadrail.adapters.db.database import Database
from leadrail.routing.crm_facts import CrmFound, CrmWant
from leadrail.routing.model import CrmRecord, Opportunity, RecordKind

Row = TypeVar("Row", t.CrmContact, t.CrmLead)


class BuiltinCrm:
    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.writer = db.writer
        self.write_lock = db.write_lock

    def lookup(self, email: str, domain: str) -> tuple[CrmRecord, ...]:
        """Contacts and leads by e-mail and companies by domain (or a parent domain) in one
        round trip on the DB-API cursor: this runs on every routed prospect."""
        domains = parent_domains(domain) if domain else []
        sql, params = self._lookup_sql(len(domains)), [email, email, *domains]
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(sql, params)
            rows = cur.fetchall()
            cur.close()
            raw.rollback()
        finally:
            raw.close()
        people = [CrmRecord(k, str(i), m, o, exact=True) for k, i, m, o in rows if k != "company"]
        companies = sorted((r for r in rows if r[0] == "company"), key=lambda r: -len(r[2]))
        return (
            *people,
            *(CrmRecord("company", str(i), m, o, exact=False) for _, i, m, o in companies),
        )

    def lookup_facts(self, email: str, domain: str, want: CrmWant) -> CrmFound:
        """``lookup`` with the records' properties ``want`` names (a company's ``tier`` is a
        property too) and, when asked, the open opportunities of the e-mail or the domain
        (or a parent domain)."""
        domains = parent_domains(domain) if domain else []
        records: list[CrmRecord] = []
        with Session(self.engine) as s:
            if email:
                people: list[t.CrmContact | t.CrmLead] = [
                    *s.scalars(select(t.CrmContact).where(t.CrmContact.email == email)),
                    *s.scalars(select(t.CrmLead).where(t.CrmLead.email == email)),
                ]
                for p in people:
                    kind: RecordKind = "contact" if isinstance(p, t.CrmContact) else "lead"
                    props = _props(p.properties, want.properties(kind))
                    records.append(CrmRecord(kind, str(p.id), email, p.owner_id, True, props))
            if domains:
                d, c = t.CrmCompanyDomain, t.CrmCompany
                rows = s.execute(
                    select(d.domain, c).join(c, c.id == d.company_id).where(d.domain.in_(domains))
                ).all()
                for matched, company in sorted(rows, key=lambda r: -len(r[0])):
                    extra = {"tier": company.tier} if company.tier else {}
                    props = _props({**extra, **(company.properties or {})}, want.company)
                    records.append(
                        CrmRecord(
                            "company", str(company.id), matched, company.owner_id, False, props
                        )
                    )
            opportunities = self._opportunities(s, email, domains) if want.opportunities else ()
        return CrmFound(tuple(records), opportunities)

    @staticmethod
    def _opportunities(s: Session, email: str, domains: list[str]) -> tuple[Opportunity, ...]:
        o = t.CrmOpportunity
        match = [o.email == email] if email else []
        match += [o.domain.in_(domains)] if domains else []
        if not match:
            return ()
        rows = s.scalars(select(o).where(o.is_open.is_(True), or_(*match)).order_by(o.id))
        return tuple(
            Opportunity(r.key, r.owner_id, r.name or "", r.stage or "", r.amount or "")
            for r in rows
        )

    def _lookup_sql(self, n_domains: int) -> str:
        mark = "%s" if self.engine.dialect.name == "postgresql" else "?"
        sql = (
            f"SELECT 'contact', id, email, owner_id FROM crm_contacts WHERE email = {mark} "
            f"UNION ALL SELECT 'lead', id, email, owner_id FROM crm_leads "
            f"WHERE email = {mark}"
        )
        if n_domains:
            marks = ", ".join([mark] * n_domains)
            sql += (
                " UNION ALL SELECT 'company', c.id, d.domain, c.owner_id "
                "FROM crm_company_domains d JOIN crm_companies c ON c.id = d.company_id "
                f"WHERE d.domain IN ({marks})"
            )
        return sql

    def property_names(self, kind: str) -> frozenset[str] | None:
        """The built-in records' fields and the properties found on up to 5,000 of them."""
        models: dict[str, type[t.CrmContact] | type[t.CrmLead] | type[t.CrmCompany]] = {
            "contact": t.CrmContact, "lead": t.CrmLead, "company": t.CrmCompany,
        }  # fmt: skip
        model = models[kind]
        names = {"email", "name", "company"} if kind != "company" else {"name", "tier", "domain"}
        with Session(self.engine) as s:
            rows = s.scalars(
                select(model.properties).where(model.properties.is_not(None)).limit(5000)
            )
            for props in rows:
                names.update(str(k).lower() for k in props or {})
        return frozenset({"owner", *names})

    def owners(self) -> list[Owner]:
        """The built-in CRM's owners are leadrail's users (by crm_owner_id, else e-mail)."""
        with Session(self.engine) as s:
            return [
                Owner(u.crm_owner_id or u.email, u.email)
                for u in s.scalars(select(t.User).where(t.User.active.is_(True)))
            ]

    def upsert_person(self, person: Person) -> str:
        if person.kind == "contact":
            return self._upsert(t.CrmContact, person)
        return self._upsert(t.CrmLead, person)

    def _upsert(self, model: type[Row], person: Person) -> str:
        name = " ".join(p for p in (person.first_name, person.last_name) if p) or None
        with self.write_lock(), Session(self.writer) as s, s.begin():
            row = s.scalar(select(model).where(model.email == person.email))
            if row is None:
                row = model(email=person.email)
                s.add(row)
            row.name = name or row.name
            row.company = person.company or row.company
            if person.owner_id is not None:
                row.owner_id = person.owner_id
            if person.properties:
                row.properties = {**(row.properties or {}), **person.properties}
            s.flush()
            return str(row.id)

    def create_meeting(self, meeting: MeetingActivity) -> str:
        activity_id = uuid.uuid4().hex
        with self.write_lock(), Session(self.writer) as s, s.begin():
            s.add(
                t.CrmActivity(
                    id=activity_id,
                    record_kind=meeting.record_kind,
                    record_id=meeting.record_id,
                    owner_id=meeting.owner_id,
                    start=meeting.start,
                    end=meeting.end,
                    title=meeting.title[:200],
                    body=meeting.body[:5000],
                    external_id=meeting.external_id,
                    created_at=datetime.now(UTC),
                )
            )
        return activity_id


def _props(stored: dict[str, object] | None, names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The named properties of a record (names compared case-insensitively), as text."""
    if not stored or not names:
        return ()
    by_name = {str(k).lower(): v for k, v in stored.items()}
    return tuple(
        (name, _text(by_name[name])) for name in names if by_name.get(name) not in (None, "")
    )


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
