"""CRM facts as prospect fields: what the router's conditions read of the CRM, and the fields
made of the records the application looked up (once per request).

A condition reads a CRM fact by its field name::

    crm.contact.<property>    the contact matched by e-mail (crm.contact.lifecycle)
    crm.lead.<property>       the lead matched by e-mail
    crm.company.<property>    the company matched by domain, most specific domain first
                              (crm.company.tier, crm.company.industry)
    crm.opportunity.open      "true" when the contact or company has an open opportunity,
                              else "false"; also .count, .owner, .stage, .amount, .name
                              (of the first open one)

``owner`` and ``id`` of a contact, lead or company are always known; other properties are
read from the CRM by name (the workspace's field mapping may rename them, see
docs/crm.md). A fact the CRM does not have is missing (``exists: false`` holds). Fields a
prospect sent under ``crm.`` are dropped when the router reads CRM facts: only the CRM says
them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from leadrail.routing.conditions import Condition, fields_of
from leadrail.routing.model import CrmRecord, Opportunity, Prospect, RecordKind, RouterSpec

PREFIX = "crm."
RECORD_KINDS: tuple[RecordKind, ...] = ("contact", "lead", "company")
OPPORTUNITY_FACTS = ("open", "count", "owner", "stage", "amount", "name")
ALWAYS_KNOWN = frozenset({"owner", "id"})


@dataclass(frozen=True, slots=True)
class CrmWant:
    """What to read of the CRM for one router: the properties of each record kind the
    conditions name (besides owner and id) and whether open opportunities are needed."""

    contact: tuple[str, ...] = ()
    lead: tuple[str, ...] = ()
    company: tuple[str, ...] = ()
    opportunities: bool = False
    records: bool = False  # a condition reads a contact's, lead's or company's fact

    def properties(self, kind: RecordKind) -> tuple[str, ...]:
        return {"contact": self.contact, "lead": self.lead, "company": self.company}[kind]

    def __bool__(self) -> bool:
        return self.records or self.opportunities


@dataclass(frozen=True, slots=True)
class CrmFound:
    """What a facts lookup found: the records (with the properties asked for) and the open
    opportunities of the contact or company."""

    records: tuple[CrmRecord, ...] = ()
    opportunities: tuple[Opportunity, ...] = ()


def fact_name(field: str) -> tuple[str, str] | None:
    """``crm.company.tier`` -> ("company", "tier"); None for a field that is no CRM fact."""
    if not field.startswith(PREFIX):
        return None
    kind, _, name = field[len(PREFIX) :].partition(".")
    if kind in (*RECORD_KINDS, "opportunity") and name:
        return kind, name
    return None


def wanted(conditions: Iterable[Condition], *, opportunity_owner: bool = False) -> CrmWant:
    """The CRM facts these conditions read (``opportunity_owner``: a route sends to the
    opportunity's owner, so opportunities are needed whatever the conditions say)."""
    names: dict[str, set[str]] = {kind: set() for kind in RECORD_KINDS}
    opportunities = opportunity_owner
    records = False
    for condition in conditions:
        for field in fields_of(condition):
            found = fact_name(field.lower())
            if found is None:
                continue
            kind, name = found
            if kind == "opportunity":
                opportunities = True
                continue
            records = True
            if name not in ALWAYS_KNOWN:
                names[kind].add(name)
    return CrmWant(
        contact=tuple(sorted(names["contact"])),
        lead=tuple(sorted(names["lead"])),
        company=tuple(sorted(names["company"])),
        opportunities=opportunities,
        records=records,
    )


def router_wants(spec: RouterSpec) -> CrmWant:
    """The CRM facts the router's rules read or its routes need."""
    routes = [rule.route for rule in spec.rules] + [spec.default]
    return wanted(
        (rule.when for rule in spec.rules),
        opportunity_owner=any(d.kind == "opportunity_owner" for d in routes),
    )


def facts(found: CrmFound, want: CrmWant) -> dict[str, str]:
    """The prospect fields of the CRM facts (see the module docstring)."""
    out: dict[str, str] = {}
    for kind in RECORD_KINDS:
        record = next((r for r in found.records if r.kind == kind), None)
        if record is None:
            continue
        base = f"{PREFIX}{kind}."
        out[base + "id"] = record.id
        if record.owner_id:
            out[base + "owner"] = record.owner_id
        for name in want.properties(kind):
            value = record.prop(name)
            if value is not None and value.strip():
                out[base + name] = value
    if want.opportunities:
        opps = found.opportunities
        out[PREFIX + "opportunity.open"] = "true" if opps else "false"
        out[PREFIX + "opportunity.count"] = str(len(opps))
        if opps:
            first = opps[0]
            for name, value in (
                ("owner", first.owner_id or ""),
                ("stage", first.stage),
                ("amount", first.amount),
                ("name", first.name),
            ):
                if value:
                    out[f"{PREFIX}opportunity.{name}"] = value
    return out


def with_facts(prospect: Prospect, found: Mapping[str, str]) -> Prospect:
    """The prospect with the CRM's facts instead of any ``crm.`` fields it sent."""
    fields = {k: v for k, v in prospect.fields.items() if not k.startswith(PREFIX)}
    fields.update(found)
    return Prospect(prospect.email, prospect.domain, prospect.free_mail, fields)
