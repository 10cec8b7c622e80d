"""``leadrail crm check``: the workspace's field mapping (and the CRM facts its routers'
conditions read) tested against the connected CRM: each property it names, found or missing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from leadrail.app.ports import WorkspaceRepo
from leadrail.app.workspace import CrmMappingDoc, WorkspaceDoc
from leadrail.routing.conditions import fields_of, load_condition
from leadrail.routing.crm_facts import ALWAYS_KNOWN, fact_name

Kind = Literal["contact", "lead", "company"]
KINDS: tuple[Kind, ...] = ("contact", "lead", "company")
OWNER_FIELD = "crm.mapping.owner_field"
LEADRAIL_NAMES = frozenset({"owner_team"})  # facts leadrail makes (from the mapping's queues)


class CrmSchema(Protocol):
    def property_names(self, kind: Kind) -> frozenset[str] | None:
        """The property (field) names records of this kind have in the CRM, lower-cased;
        None when the CRM has no such records (HubSpot leads). Raises CrmError."""
        ...


class CrmUnreachable(Exception):
    """The CRM could not be asked (its message says why)."""


@dataclass(frozen=True)
class CheckLine:
    ok: bool
    where: str  # what names the property: "routers[0].rules[1].when", "crm.mapping.write.phone"
    kind: str
    name: str  # the CRM's property name
    note: str = ""

    def __str__(self) -> str:
        status = "ok     " if self.ok else "MISSING"
        tail = f" ({self.note})" if self.note else ""
        return f"{status} {self.kind} property {self.name!r}: {self.where}{tail}"


def check_mapping(repo: WorkspaceRepo, crm: CrmSchema) -> list[CheckLine]:
    """Every property the mapping or the routers' conditions name, checked."""
    doc = repo.load(include_crm=True)
    names = {kind: crm.property_names(kind) for kind in KINDS}
    lines: list[CheckLine] = []
    for where, kind, name in wanted(doc):
        known = names[kind]
        if known is None and where == OWNER_FIELD:
            continue  # no such records: no owner to read
        if known is None:
            note = f"the CRM has no {kind} records: the fact is always missing"
            lines.append(CheckLine(False, where, kind, name, note))
        else:
            lines.append(CheckLine(name.lower() in known, where, kind, name))
    return lines


def wanted(doc: WorkspaceDoc) -> Iterator[tuple[str, Kind, str]]:
    """(where, record kind, CRM property name) for each property the workspace names."""
    mapping = doc.crm.mapping if doc.crm else CrmMappingDoc()
    read = {"contact": mapping.read.contact, "lead": mapping.read.lead,
            "company": mapping.read.company}  # fmt: skip
    for r, router in enumerate(doc.routers or []):
        for i, rule in enumerate(router.rules):
            for field in dict.fromkeys(fields_of(load_condition(rule.when))):
                found = fact_name(field.lower())
                if found is None or found[0] not in KINDS:
                    continue
                name = found[1]
                if name in ALWAYS_KNOWN or name in LEADRAIL_NAMES:
                    continue
                where = f"routers[{r}].rules[{i}].when reads {field}"
                kind = KINDS[KINDS.index(found[0])]
                yield where, kind, read[kind].get(name, name)
    for kind in KINDS:
        for name, prop in read[kind].items():
            yield f"crm.mapping.read.{kind}.{name}", kind, prop
    written: set[Kind] = {r.crm.record_type for r in doc.routers or [] if r.crm.create_or_update}
    for name, prop in mapping.write.items():
        for person in sorted(written or {KINDS[0]}):
            yield f"crm.mapping.write.{name}", person, prop
    if mapping.owner_field:
        for kind in KINDS:
            yield OWNER_FIELD, kind, mapping.owner_field
    for i, prop in enumerate(mapping.company_domains):
        yield f"crm.mapping.company_domains[{i}]", "company", prop
